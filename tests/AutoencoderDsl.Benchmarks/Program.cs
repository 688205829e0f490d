using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;
using BenchmarkDotNet.Running;
using static TorchSharp.torch;

// dotnet run --project tests/AutoencoderDsl.Benchmarks -c Release [-- <what> [rounds]]
//   (nothing)  everything below except memory and optimizer, then one summary table
//   ratio      generated Fit against hand-written TorchSharp, MLP VAE and convolutional β-VAE, alternating epochs
//              (ratio <rounds> mlp, or conv, for one of them)
//   bound      the machine's bound for an epoch of each model, and the best epoch's multiple of it
//   phases     where an epoch of Fit goes
//   scaling    epoch time against data size and batch size
//   guidance   test loss after 5 epochs at batch sizes 128 to 1024 and learning rates, for the docs' advice
//   generator  the generator at 1, 10 and 100 models: cold, warm (and its ratio to the compiler binding the
//              attributes, in turns), one edit, and the build's overhead
//   generator-against <AutoencoderDsl.Generators.dll> [runs]
//              this generator against another build of it, warm full runs for 100 models in turns, each also
//              over the compiler binding the attributes in the same turns
//   optimizer  one Adam step: the flat buffer's fused kernel, the same buffer's seven kernels, TorchSharp's (BenchmarkDotNet)
//   memory     resident memory while training, ReleaseFreedMemory off and on, and what it costs (MemoryBenchmark.cs)
//   gradient-check [rounds]
//              one-epoch Fit with the per-batch gradient check and without, alternating; the median ratio
//   streaming-memory [examples] [file.npy]
//              the resident memory over one epoch of a generated data set of a million examples, read as it trains;
//              with a path, the same examples written to a .npy file (unless it exists) and read memory-mapped
//   convolutions [rounds]
//              the runtime's convolutions against TorchSharp's modules in two networks, alternating; the median ratio
//   bf16 [rounds]
//              forward and backward passes of the hand-written models in float32 and in bfloat16, alternating
//   plain [epochs] [mlp|conv]
//              the generated model's Loss in a plain loop with TorchSharp's Adam against the hand-written model, in turns
//   bf16-check each convolution's output in bfloat16 against float32's: the relative error
//   bf16-fit [epochs]
//              Fit with Precision = BFloat16 against float32 on the MLP VAE, one-epoch calls in turns; ratio and test loss
//   bf16-train [mlp|conv] [epochs]
//              float32 training against float32 masters with a bfloat16 working copy, alternating epochs; the median
//              ratio and each one's test loss after the last epoch
//   fused-adam [rounds]
//              Fit's flat Adam with libtorch's fused _fused_adam_ kernel against the same step as seven kernels:
//              one step and one epoch of Fit, alternating; the median ratios
//   per-call [rounds]
//              one epoch per Fit call against one hand-written epoch, alternating; the median ratio and Fit's fixed cost
//   folder-epochs [rounds]
//              Fit from a folder of 60,000 PNGs against Fit on the same images in one tensor, alternating; the median ratio
//   images [count] [rounds]
//              ImageFolder: images per second decoding each time against reading the cache, 28×28 grey PNGs and
//              64×64 colour JPEGs (10,000 each by default, best of 3 rounds) written to a temporary folder
//   knn-graph  the exact k = 15 neighbour graph of Fashion-MNIST's 60,000 training images, the neighbourhood part's
//              fuzzy graph over it, and the trustworthiness of the test images' 2-D PCA: time and peak memory
//              (NeighbourGraphBenchmark.cs)
//   vq-compare [epochs]
//              a convolutional VQ-VAE, β-VAE and autoencoder on the same trunk, trained alike (8 epochs by default):
//              test MSE and PSNR, parameters, code size, epoch time and the VQ-VAE's codebook use (VqComparison.cs)
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string what = args.Length > 0 ? args[0] : "all";
// Only these take a number of rounds second; memory-run and generator-against take a flag and a path there.
int rounds = args.Length > 1 && what is "all" or "ratio" or "bound" or "phases" or "scaling" or "guidance" or "generator" or "gradient-check" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
string models = args.Length > 2 ? args[2] : "both";
switch (what)
{
    case "memory":
        MemoryBenchmark.Compare();
        return MemoryBenchmark.Cost(pairs: 6);
    case "convolutions":
        ConvolutionBenchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7);
        return 0;
    case "streaming-memory":
        return StreamingBenchmark.Run(args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000, args.Length > 2 ? args[2] : null);
    case "bf16":
        return Bfloat16Benchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7);
    case "plain":
        return PlainLoopBenchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 4, models);
    case "bf16-check":
        Bfloat16Benchmark.LayerAgreement();
        return 0;
    case "bf16-fit":
        return Bfloat16Benchmark.Fit(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10);
    case "bf16-train":
        return Bfloat16Benchmark.Train(args.Length > 1 ? args[1] : "mlp", args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10);
    case "fused-adam":
        return FusedAdamBenchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5);
    case "per-call":
        return PerCallBenchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7);
    case "folder-epochs":
        return FolderEpochBenchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7);
    case "images":
        ImageFolderBenchmark.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000, args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3);
        return 0;
    case "knn-graph":
        return NeighbourGraphBenchmark.Run();
    case "vq-compare":
        return VqComparison.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8);
    case "memory-run":
        return MemoryBenchmark.Run(bool.Parse(args[1]));
    case "optimizer":
        BenchmarkRunner.Run<OptimizerStepBenchmark>();
        return 0;
    case "generator":
        PrintGenerator(GeneratorBenchmark.Run(rounds));
        return 0;
    case "generator-against" when args.Length > 1:
        var contest = GeneratorBenchmark.Against(args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60);
        Console.WriteLine($"| generator | warm full run, 100 models: mean (median) | / the compiler binding the attributes ({contest.BindingSeconds * 1000:F1} ms, in the same turns) | allocated per run |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine($"| this build | {contest.Seconds * 1000:F1} ms ({contest.MedianSeconds * 1000:F1}) | {contest.WarmToBinding:F2} | {contest.Megabytes:F1} MB |");
        Console.WriteLine($"| {args[1]} | {contest.OtherSeconds * 1000:F1} ms ({contest.OtherMedianSeconds * 1000:F1}) | {contest.OtherWarmToBinding:F2} | {contest.OtherMegabytes:F1} MB |");
        Console.WriteLine($"this build / the other: {contest.Ratio:F3}");
        return 0;
    case "all" or "ratio" or "bound" or "phases" or "scaling" or "guidance" or "gradient-check":
        break;
    default:
        Console.Error.WriteLine($"Unknown benchmark '{what}'; expected ratio, bound, phases, scaling, guidance, gradient-check, convolutions, images, bf16, bf16-check, bf16-fit [epochs], bf16-train [mlp|conv] [epochs], plain [epochs] [mlp|conv], fused-adam [rounds], per-call, folder-epochs [rounds], knn-graph, vq-compare [epochs], generator, generator-against <dll>, optimizer, memory, streaming-memory [examples] [file.npy], or nothing for all of them.");
        return 2;
}

bool all = what == "all";
var (train, test) = FashionMnist.IsAvailable()
    ? FashionMnist.Load()
    : (SyntheticShapes.Generate(60000, seed: 1), SyntheticShapes.Generate(1000, seed: 2));
var images = train.Images;
int batches = (int)Math.Ceiling(train.Count / 128.0);
Console.WriteLine(
    $"{(FashionMnist.IsAvailable() ? "Fashion-MNIST" : "synthetic shapes (install dataset-fashion-mnist for the real data)")}: "
    + $"{train.Count:N0} images, batch 128, Adam 1e-3, {get_num_threads()} threads, {Environment.ProcessorCount} cores");

if (what == "gradient-check")
{
    GradientCheckBenchmark.Run(images, rounds);
    return 0;
}

var summary = new List<(string Measure, string Value)>();
EpochBenchmarks.Comparison? mlp = null;
EpochBenchmarks.Comparison? conv = null;
if (all || what == "ratio" || what == "bound")
{
    Console.WriteLine($"{rounds} epochs of each in one run, taking turns every seventh of an epoch (generated Fit, the same Fit with TorchSharp's Adam, hand-written TorchSharp):");
    if (models != "conv")
    {
        using var generated = new MlpVae(seed: 1);
        using var before = new MlpVae(seed: 1);
        using var handWritten = HandWrittenVae.Mlp(seed: 1);
        using var bound = new Bound.Workload(Bound.Mlp, 128, generated.parameters().Sum(parameter => parameter.numel()));
        mlp = EpochBenchmarks.Compare("MLP VAE 784-400-20", generated, before, handWritten, bound, images, rounds);
    }

    if (what != "bound" && models != "mlp")
    {
        using var generated = new ConvVae(seed: 1);
        using var before = new ConvVae(seed: 1);
        using var handWritten = HandWrittenVae.Conv(seed: 1);
        using var bound = new Bound.Workload(Bound.Conv, 128, generated.parameters().Sum(parameter => parameter.numel()));
        conv = EpochBenchmarks.Compare("convolutional β-VAE", generated, before, handWritten, bound, images, rounds);
    }

    foreach (var comparison in new[] { mlp, conv }.OfType<EpochBenchmarks.Comparison>())
    {
        summary.Add((
            $"{comparison.Model}: generated Fit / hand-written",
            $"{EpochBenchmarks.Median(comparison.Ratios):F3} (quartiles {Quartile(comparison.Ratios, 1):F3}–{Quartile(comparison.Ratios, 3):F3}); "
            + $"median epoch {EpochBenchmarks.Median(EpochBenchmarks.Comparison.Epochs(comparison.Generated)):F2} s vs {EpochBenchmarks.Median(EpochBenchmarks.Comparison.Epochs(comparison.HandWritten)):F2} s"));
        summary.Add((
            $"{comparison.Model}: Fit with TorchSharp's Adam / hand-written",
            $"{EpochBenchmarks.Median(comparison.RatiosBefore):F3} (quartiles {Quartile(comparison.RatiosBefore, 1):F3}–{Quartile(comparison.RatiosBefore, 3):F3})"));
    }
}

if (all || what == "bound")
{
    double bandwidth = Bound.MemoryBandwidth();
    summary.Add(("memory bandwidth (256 MB copy, read + write)", $"{bandwidth / 1e9:F1} GB/s"));
    using var mlpModel = new MlpVae(seed: 1);
    using var convModel = new ConvVae(seed: 1);
    foreach (var (name, layers, model, comparison) in new (string, Gemm[], TorchSharp.torch.nn.Module, EpochBenchmarks.Comparison?)[]
    {
        ("MLP VAE 784-400-20", Bound.Mlp, mlpModel, mlp),
        ("convolutional β-VAE", Bound.Conv, convModel, conv),
    })
    {
        long count = model.parameters().Sum(parameter => parameter.numel());
        double matmul = Bound.MatmulSeconds(layers, 128) * batches;
        double flops = Bound.EpochFlops(layers, train.Count);
        double adam = count * Bound.AdamBytesPerParameter * batches / bandwidth;
        string line = $"{matmul + adam:F2} s = {flops / 1e9:F1} GFLOP of matrix products at {flops / matmul / 1e9:F0} GFLOP/s ({matmul:F2} s) "
            + $"+ Adam's {count:N0} parameters × {Bound.AdamBytesPerParameter} B × {batches} steps ({adam:F2} s)";
        if (comparison is not null)
        {
            var fitEpochs = EpochBenchmarks.Comparison.Epochs(comparison.Generated);
            double best = fitEpochs.Min();
            var beside = EpochBenchmarks.Comparison.Epochs(comparison.Bound);
            double bestEpochMultiple = fitEpochs.Zip(beside, (fit, bound) => fit / bound).Min();
            line += $". Timed beside training: the bound's work {EpochBenchmarks.Median(beside):F2} s an epoch (median), Fit's best epoch {best:F2} s; "
                + $"Fit's multiple of the bound, segment by segment: median {EpochBenchmarks.Median(comparison.BoundMultiples):F2}×, best {comparison.BoundMultiples.Min():F2}×; "
                + $"epoch by epoch (seven segments each): best {bestEpochMultiple:F2}×";
        }

        summary.Add(($"{name}: bound for one epoch", line));
    }
}

List<double[]>? phases = null;
if (all || what == "phases")
{
    using var flatModel = new MlpVae(seed: 1);
    using var libTorchModel = new MlpVae(seed: 1);
    using var flat = new AdamOptimizer().Create(flatModel.parameters().ToArray(), 1e-3);
    using var libTorch = new LibTorchAdam().Create(libTorchModel.parameters().ToArray(), 1e-3);
    phases = EpochBenchmarks.Phases([(flatModel, flat), (libTorchModel, libTorch)], images, rounds);
}

var scaling = new List<(string Setting, double Seconds, double PerExample)>();
if (all || what == "scaling")
{
    foreach (long count in new long[] { 10_000, 30_000, 60_000 })
    {
        double seconds = EpochBenchmarks.Scaling(() => new MlpVae(seed: 1), images, Math.Min(count, train.Count), 128, rounds: 2);
        scaling.Add(($"{count:N0} images, batch 128", seconds, seconds / count * 1e6));
    }

    foreach (int batchSize in new[] { 32, 64, 128, 256, 512, 1024 })
    {
        double seconds = EpochBenchmarks.Scaling(() => new MlpVae(seed: 1), images, train.Count, batchSize, rounds: 2);
        scaling.Add(($"{train.Count:N0} images, batch {batchSize}", seconds, seconds / train.Count * 1e6));
    }
}

var guidance = new List<(int BatchSize, double LearningRate, double Seconds, double TestLoss)>();
if (all || what == "guidance")
{
    foreach (var (batchSize, learningRate) in new[] { (128, 1e-3), (512, 1e-3), (512, 2e-3), (1024, 2e-3), (1024, 4e-3) })
    {
        using var model = new MlpVae(seed: 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        model.Fit(images, new FitOptions { Epochs = 5, BatchSize = batchSize, LearningRate = learningRate, Seed = 1 });
        guidance.Add((batchSize, learningRate, clock.Elapsed.TotalSeconds, model.Evaluate(test.Images).Total));
    }
}

IReadOnlyList<GeneratorBenchmark.Result>? generator = all ? GeneratorBenchmark.Run(Math.Max(rounds, 5)) : null;
train.Dispose();
test.Dispose();

Console.WriteLine();
Console.WriteLine($"## Results ({Environment.ProcessorCount} cores, {get_num_threads()} libtorch threads, {rounds} rounds)");
if (summary.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine("| Measure | Value |");
    Console.WriteLine("|---|---|");
    foreach (var (measure, value) in summary)
    {
        Console.WriteLine($"| {measure} | {value} |");
    }
}

if (phases is not null)
{
    double total = phases[0].Sum();
    double totalBefore = phases[1].Sum();
    Console.WriteLine();
    Console.WriteLine("| Phase of an MLP VAE epoch (mean of the epochs) | flat Adam | share | TorchSharp's Adam | share |");
    Console.WriteLine("|---|---|---|---|---|");
    for (int phase = 0; phase < EpochBenchmarks.PhaseNames.Length; phase++)
    {
        Console.WriteLine(
            $"| {EpochBenchmarks.PhaseNames[phase]} | {phases[0][phase]:F3} s | {phases[0][phase] / total:P0} "
            + $"| {phases[1][phase]:F3} s | {phases[1][phase] / totalBefore:P0} |");
    }

    Console.WriteLine($"| all | {total:F2} s | | {totalBefore:F2} s | |");
}

if (scaling.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine("| MLP VAE, one epoch of Fit (best of 2) | seconds | µs per example |");
    Console.WriteLine("|---|---|---|");
    foreach (var (setting, seconds, perExample) in scaling)
    {
        Console.WriteLine($"| {setting} | {seconds:F2} | {perExample:F1} |");
    }
}

if (guidance.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine("| MLP VAE, 5 epochs of Fit | learning rate | seconds | test loss (nats per image) |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var (batchSize, learningRate, seconds, testLoss) in guidance)
    {
        Console.WriteLine($"| batch {batchSize} | {learningRate:G3} | {seconds:F1} | {testLoss:F2} |");
    }
}

if (generator is not null)
{
    PrintGenerator(generator);
}

return 0;

static double Quartile(List<double> values, int quarter) => values.Order().ElementAt(values.Count * quarter / 4);

static void PrintGenerator(IReadOnlyList<GeneratorBenchmark.Result> results)
{
    Console.WriteLine();
    Console.WriteLine("| Models | generated lines | cold run | warm full run: mean (median; declare + emit) | allocated per run | of which the compiler binding the attributes (mean, in turns) | warm full run / binding | one edit (mean) | analyzer | build with generator and analyzer / same code as plain sources |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
    foreach (var result in results)
    {
        string cold = double.IsNaN(result.ColdSeconds) ? "" : $"{result.ColdSeconds * 1000:F0} ms";
        Console.WriteLine(
            $"| {result.Models} | {result.GeneratedLines:N0} | {cold} | {result.WarmSeconds * 1000:F1} ms ({result.WarmMedianSeconds * 1000:F1}; {result.DeclareSeconds * 1000:F1} + {result.EmitSeconds * 1000:F1}) | {result.AllocatedMegabytes:F1} MB | {result.BindingSeconds * 1000:F1} ms | {result.WarmToBinding:F2} | {result.EditSeconds * 1000:F1} ms "
            + $"| {result.AnalyzerSeconds * 1000:F1} ms | {result.Overhead:F3} ({result.BuildSeconds:F2} s vs {result.PlainBuildSeconds:F2} s) |");
    }
}
