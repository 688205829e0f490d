using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Whether bfloat16 can pay on this CPU before a mixed-precision mode is built: the forward and backward passes of the
/// hand-written MLP VAE and convolutional β-VAE (the loss included, no optimizer step) at batch 128 on random images,
/// in float32 and as a bfloat16 copy of the same model, in turns. The ratio bounds what a bf16 mode could save in the
/// passes, before any cost of casting to and from fp32 master weights.
/// </summary>
internal static class Bfloat16Benchmark
{
    public static int Run(int rounds)
    {
        foreach (var (name, create) in new (string, Func<HandWrittenVae>)[] { ("MLP VAE 784-400-20", () => HandWrittenVae.Mlp(seed: 1)), ("convolutional β-VAE", () => HandWrittenVae.Conv(seed: 1)) })
        {
            using var single = create();
            using var half = create();
            half.to(ScalarType.BFloat16);
            using var generator = new Generator(1, CPU);
            using var images = rand(128, 1, 28, 28, generator: generator);
            using var halfImages = images.to(ScalarType.BFloat16);
            int passes = name.StartsWith("MLP", StringComparison.Ordinal) ? 200 : 40;
            var ratios = new List<double>();
            var seconds = new List<(double Single, double Half)>();
            for (int round = 0; round <= rounds; round++)
            {
                double fp32 = Passes(single, images, passes);
                double bf16 = Passes(half, halfImages, passes);
                // Round 0 warms both up (oneDNN builds its bf16 kernels on first use).
                if (round > 0)
                {
                    ratios.Add(bf16 / fp32);
                    seconds.Add((fp32 / passes, bf16 / passes));
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}, forward + backward at batch 128, {rounds} rounds of {passes}: float32 {EpochBenchmarks.Median(seconds.Select(pair => pair.Single)) * 1000:F2} ms, "
                + $"bfloat16 {EpochBenchmarks.Median(seconds.Select(pair => pair.Half)) * 1000:F2} ms a pass (medians); bfloat16 / float32 median {EpochBenchmarks.Median(ratios):F3} "
                + $"({string.Join(", ", ratios.Select(ratio => ratio.ToString("F3", CultureInfo.InvariantCulture)))})"));
        }

        return 0;
    }

    /// <summary>
    /// Mixed-precision training measured before it is built into <c>Fit</c>: the hand-written <paramref name="model"/>
    /// ("mlp" or "conv") trained for <paramref name="epochs"/> epochs on Fashion-MNIST at batch 128 in float32, and as
    /// float32 master weights with a bfloat16 working copy (forward and backward in bfloat16, the decoder's logits and
    /// the latent mean and log-variance cast to float32 for the loss, the gradients cast into the masters' gradients,
    /// the library's flat Adam on the masters, the masters cast back into the copy), epochs alternating. Prints the
    /// median epoch-time ratio and each one's float32 test loss (nats per image) after the last epoch.
    /// </summary>
    public static int Train(string model, int epochs)
    {
        if (!FashionMnist.IsAvailable())
        {
            Console.Error.WriteLine($"bf16-train needs Fashion-MNIST in {FashionMnist.DefaultFolder} (install dataset-fashion-mnist).");
            return 2;
        }

        Func<HandWrittenVae> create = model switch
        {
            "mlp" => () => HandWrittenVae.Mlp(seed: 1),
            "conv" => () => HandWrittenVae.Conv(seed: 1),
            _ => throw new ArgumentException($"bf16-train takes 'mlp' or 'conv' as its model, not '{model}'.", nameof(model)),
        };
        var (train, test) = FashionMnist.Load();
        using var single = create();
        using var master = create();
        using var half = create();
        half.to(ScalarType.BFloat16);
        var masters = master.parameters().ToArray();
        var working = half.parameters().ToArray();
        using var singleAdam = new AdamOptimizer().Create(single.parameters().ToArray(), 1e-3);
        using var masterAdam = new AdamOptimizer().Create(masters, 1e-3);
        GradientAgreement(single, half, train.Images.narrow(0, 0, 128));
        var ratios = new List<double>();
        var seconds = new List<(double Single, double Mixed)>();
        double singleLoss = 0, mixedLoss = 0;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double fp32 = EpochBenchmarks.Timed(() => singleLoss = Epoch(train.Images, epoch, single, images => single.Loss(images, images), singleAdam, afterStep: null));
            double mixed = EpochBenchmarks.Timed(() => mixedLoss = Epoch(train.Images, epoch, half, images => half.Loss(images.to(ScalarType.BFloat16), images), masterAdam, afterStep: () =>
            {
                for (int i = 0; i < working.Length; i++)
                {
                    working[i].copy_(masters[i]);
                }
            }, beforeStep: () =>
            {
                for (int i = 0; i < working.Length; i++)
                {
                    masters[i].grad = working[i].grad?.to(ScalarType.Float32);
                }
            }));
            ratios.Add(mixed / fp32);
            seconds.Add((fp32, mixed));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}: float32 {fp32:F2} s, mixed {mixed:F2} s, ratio {mixed / fp32:F3}; training loss float32 {singleLoss:F2}, mixed {mixedLoss:F2}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{model}, {epochs} epochs at batch 128 in turns: float32 {EpochBenchmarks.Median(seconds.Select(pair => pair.Single)):F2} s, mixed bf16 "
            + $"{EpochBenchmarks.Median(seconds.Select(pair => pair.Mixed)):F2} s an epoch (medians); mixed / float32 median {EpochBenchmarks.Median(ratios):F3} "
            + $"(range {ratios.Min():F3}–{ratios.Max():F3}); test loss (float32, nats per image) float32 {TestLoss(single, test.Images):F2}, mixed {TestLoss(master, test.Images):F2}"));
        return 0;
    }

    /// <summary>
    /// <c>Fit</c> with <see cref="TrainingPrecision.BFloat16"/> against float32 on the generated MLP VAE, Fashion-MNIST at
    /// batch 128: one-epoch <c>Fit</c> calls in turns (each continues its model's run), the median time ratio, and each
    /// model's test loss from <c>Evaluate</c> (float32) after <paramref name="epochs"/> epochs.
    /// </summary>
    public static int Fit(int epochs)
    {
        if (!FashionMnist.IsAvailable())
        {
            Console.Error.WriteLine($"bf16-fit needs Fashion-MNIST in {FashionMnist.DefaultFolder} (install dataset-fashion-mnist).");
            return 2;
        }

        var (train, test) = FashionMnist.Load();
        using var single = new MlpVae(seed: 1);
        using var mixed = new MlpVae(seed: 1);
        var options = new FitOptions { Epochs = 1, BatchSize = 128, Seed = 1 };
        var ratios = new List<double>();
        var seconds = new List<(double Single, double Mixed)>();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double fp32 = EpochBenchmarks.Timed(() => single.Fit(train.Images, options));
            double bf16 = EpochBenchmarks.Timed(() => mixed.Fit(train.Images, options with { Precision = TrainingPrecision.BFloat16 }));
            ratios.Add(bf16 / fp32);
            seconds.Add((fp32, bf16));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}: Fit float32 {fp32:F2} s, BFloat16 {bf16:F2} s, ratio {bf16 / fp32:F3}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"generated MLP VAE, {epochs} one-epoch Fit calls each in turns: float32 {EpochBenchmarks.Median(seconds.Select(pair => pair.Single)):F2} s, Precision = BFloat16 "
            + $"{EpochBenchmarks.Median(seconds.Select(pair => pair.Mixed)):F2} s an epoch (medians); BFloat16 / float32 median {EpochBenchmarks.Median(ratios):F3} "
            + $"(range {ratios.Min():F3}–{ratios.Max():F3}); test loss (Evaluate, nats per image) float32 {single.Evaluate(test.Images).Total:F2}, BFloat16 {mixed.Evaluate(test.Images).Total:F2}"));
        return 0;
    }

    /// <summary>One shuffled epoch at batch 128, seeded by the epoch so both contenders see the same order.</summary>
    private static double Epoch(Tensor images, int epoch, HandWrittenVae model, Func<Tensor, Tensor> loss, TrainingOptimizer optimizer, Action? afterStep, Action? beforeStep = null)
    {
        model.train();
        using var generator = new Generator(0, CPU).manual_seed(epoch);
        using var order = randperm(images.shape[0], generator: generator);
        double sum = 0;
        for (long start = 0; start < images.shape[0]; start += 128)
        {
            using var scope = NewDisposeScope();
            var batch = images.index_select(0, order.narrow(0, start, Math.Min(128, images.shape[0] - start)));
            optimizer.ZeroGrad();
            model.zero_grad();
            var value = loss(batch);
            value.backward();
            using (no_grad())
            {
                beforeStep?.Invoke();
                optimizer.Step();
                afterStep?.Invoke();
            }

            sum += value.item<float>() * batch.shape[0];
        }

        return sum / images.shape[0];
    }

    /// <summary>
    /// Whether libtorch's bfloat16 CPU convolutions compute what float32 does: each layer's output on random input in
    /// float32 and in bfloat16, the relative error of the latter (about 0.003 is bfloat16's rounding).
    /// </summary>
    public static void LayerAgreement()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var layers = new (string, nn.Module<Tensor, Tensor>, long[])[]
        {
            ("conv2d 1-32", nn.Conv2d(1, 32, 4, stride: 2, padding: 1), [128, 1, 28, 28]),
            ("conv2d 32-64", nn.Conv2d(32, 64, 4, stride: 2, padding: 1), [128, 32, 14, 14]),
            ("convT 64-32", nn.ConvTranspose2d(64, 32, 4, stride: 2, padding: 1), [128, 64, 7, 7]),
            ("convT 32-1", nn.ConvTranspose2d(32, 1, 4, stride: 2, padding: 1), [128, 32, 14, 14]),
            ("linear", nn.Linear(3136, 256), [128, 3136]),
            ("convT 32-2", nn.ConvTranspose2d(32, 2, 4, stride: 2, padding: 1), [128, 32, 14, 14]),
            ("convT 32-4", nn.ConvTranspose2d(32, 4, 4, stride: 2, padding: 1), [128, 32, 14, 14]),
            ("convT 32-8", nn.ConvTranspose2d(32, 8, 4, stride: 2, padding: 1), [128, 32, 14, 14]),
            ("convT 32-16", nn.ConvTranspose2d(32, 16, 4, stride: 2, padding: 1), [128, 32, 14, 14]),
            ("convT 32-1 no bias", nn.ConvTranspose2d(32, 1, 4, stride: 2, padding: 1, bias: false), [128, 32, 14, 14]),
            ("convT 32-1 batch 1", nn.ConvTranspose2d(32, 1, 4, stride: 2, padding: 1), [1, 32, 14, 14]),
            ("conv2d 32-1", nn.Conv2d(32, 1, 3, padding: 1), [128, 32, 14, 14]),
        };
        foreach (var (name, layer, shape) in layers)
        {
            var x = randn(shape);
            var y = layer.forward(x);
            layer.to(ScalarType.BFloat16);
            var h = layer.forward(x.to(ScalarType.BFloat16)).to(ScalarType.Float32);
            Console.WriteLine($"{name}: forward relative error {((h - y).norm() / y.norm()).item<float>():F4}");
        }
    }

    /// <summary>Prints how far each parameter's gradient in the bfloat16 copy lies from float32's on one batch, the noise drawn alike.</summary>
    private static void GradientAgreement(HandWrittenVae single, HandWrittenVae half, Tensor batch)
    {
        using var scope = NewDisposeScope();
        single.zero_grad();
        half.zero_grad();
        torch.manual_seed(3);
        single.Loss(batch, batch).backward();
        torch.manual_seed(3);
        half.Loss(batch.to(ScalarType.BFloat16), batch).backward();
        var errors = single.named_parameters().Zip(half.parameters(), (pair, working) =>
            $"{pair.name} {((working.grad!.to(ScalarType.Float32) - pair.parameter.grad!).norm() / pair.parameter.grad!.norm()).item<float>():F3}");
        Console.WriteLine("bfloat16 gradient's relative error against float32's, one batch: " + string.Join(", ", errors));
        single.zero_grad();
        half.zero_grad();
    }

    /// <summary>The float32 loss of the float32 <paramref name="model"/> on <paramref name="images"/>, its sampling seeded alike for both.</summary>
    private static double TestLoss(HandWrittenVae model, Tensor images)
    {
        using var noGrad = no_grad();
        torch.manual_seed(7);
        double sum = 0;
        for (long start = 0; start < images.shape[0]; start += 1000)
        {
            using var scope = NewDisposeScope();
            var batch = images.narrow(0, start, Math.Min(1000, images.shape[0] - start));
            sum += model.Loss(batch, batch).item<float>() * batch.shape[0];
        }

        return sum / images.shape[0];
    }

    private static double Passes(HandWrittenVae model, Tensor images, int passes) => EpochBenchmarks.Timed(() =>
    {
        for (int pass = 0; pass < passes; pass++)
        {
            using var scope = NewDisposeScope();
            model.zero_grad();
            model.forward(images).backward();
        }
    });
}
