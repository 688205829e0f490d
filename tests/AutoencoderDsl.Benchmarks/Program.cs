using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using AutoencoderDsl;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// "memory": resident memory while training, with and without releasing freed memory (MemoryBenchmark.cs).
// Otherwise: epoch time of the generated FashionVae against the same model written by hand in TorchSharp, in one
// process, alternating runs so that the machine's noise falls on both alike; reports medians and their ratio.
if (args is ["memory"])
{
    return MemoryBenchmark.Compare();
}

if (args is ["memory-run", var release])
{
    return MemoryBenchmark.Run(bool.Parse(release));
}

int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var (train, test) = FashionMnist.IsAvailable()
    ? FashionMnist.Load()
    : (SyntheticShapes.Generate(60000, seed: 1), SyntheticShapes.Generate(1000, seed: 2));
test.Dispose();
Console.WriteLine($"{train.Count:N0} images, batch 128, Adam 1e-3, {rounds} alternating rounds, {torch.get_num_threads()} threads");

using var generated = new BenchmarkVae(seed: 1);
using var handWritten = new HandWrittenVae(seed: 1);
using var handOptimizer = optim.Adam(handWritten.parameters(), 1e-3);
var generatedTimes = new List<double>();
var handWrittenTimes = new List<double>();
for (int round = 1; round <= rounds; round++)
{
    var clock = Stopwatch.StartNew();
    generated.Fit(train.Images, new FitOptions { Epochs = 1, BatchSize = 128, Seed = round });
    generatedTimes.Add(clock.Elapsed.TotalSeconds);

    clock.Restart();
    handWritten.TrainEpoch(train.Images, handOptimizer, seed: round);
    handWrittenTimes.Add(clock.Elapsed.TotalSeconds);

    GC.Collect();
    Console.WriteLine(
        $"round {round}: generated {generatedTimes[^1]:F2} s, hand-written {handWrittenTimes[^1]:F2} s, "
        + $"ratio {generatedTimes[^1] / handWrittenTimes[^1]:F3}, working set {Environment.WorkingSet / (1 << 20)} MiB");
}

var ratios = generatedTimes.Zip(handWrittenTimes, (a, b) => a / b).ToList();
Console.WriteLine(
    $"median epoch: generated {Median(generatedTimes):F2} s, hand-written {Median(handWrittenTimes):F2} s; "
    + $"median ratio generated/hand-written {Median(ratios):F3}");
train.Dispose();
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

/// <summary>The main example's model.</summary>
[Variational(LatentDim = 2)]
[Input(1, 28, 28)]
internal partial class BenchmarkVae
{
    [Flatten, Dense(512), ReLU, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(512), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}

/// <summary>The same VAE as a careful TorchSharp user writes it by hand, with a dispose scope per batch.</summary>
internal sealed class HandWrittenVae : nn.Module<Tensor, Tensor>
{
    private readonly Sequential encoder;
    private readonly Linear mean;
    private readonly Linear logVar;
    private readonly Sequential decoder;

    public HandWrittenVae(long seed)
        : base(nameof(HandWrittenVae))
    {
        torch.manual_seed(seed);
        encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU());
        mean = nn.Linear(256, 2);
        logVar = nn.Linear(256, 2);
        decoder = nn.Sequential(nn.Linear(2, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 784), nn.Unflatten(1, [1, 28, 28]));
        RegisterComponents();
    }

    /// <summary>The negative ELBO per example.</summary>
    public override Tensor forward(Tensor x)
    {
        var features = encoder.forward(x);
        var mu = mean.forward(features);
        var lv = logVar.forward(features);
        var z = mu + (0.5 * lv).exp() * randn_like(mu);
        var reconstruction = nn.functional.binary_cross_entropy_with_logits(decoder.forward(z), x, reduction: nn.Reduction.Sum);
        var kl = -0.5 * (1 + lv - mu.square() - lv.exp()).sum();
        return (reconstruction + kl) / x.shape[0];
    }

    public void TrainEpoch(Tensor images, OptimizerHelper optimizer, long seed)
    {
        train();
        var generator = new Generator(0, CPU).manual_seed(seed);
        using var order = randperm(images.shape[0], generator: generator);
        for (long start = 0; start < images.shape[0]; start += 128)
        {
            using var scope = NewDisposeScope();
            var batch = images.index_select(0, order.narrow(0, start, Math.Min(128, images.shape[0] - start)));
            var loss = forward(batch);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            loss.item<float>();
        }
    }
}
