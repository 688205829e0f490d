using System;
using System.Globalization;
using System.Linq;
using AutoencoderDsl;
using AutoencoderDsl.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// The generated model's own forward pass and loss, without <c>Fit</c>: its <c>Loss</c> in the plain loop a TorchSharp
/// user writes, with <c>torch.optim.Adam</c>, against the same network written by hand in the same loop. The two take
/// turns every 67 batches on threads of their own (as in <see cref="EpochBenchmarks"/>); the ratio is the median over
/// those segments. What differs is only what the model computes per batch.
/// </summary>
internal static class PlainLoopBenchmark
{
    private const int Segment = 67;

    public static int Run(int epochs, string models)
    {
        var (train, test) = FashionMnist.IsAvailable() ? FashionMnist.Load() : (SyntheticShapes.Generate(60000, seed: 1), SyntheticShapes.Generate(100, seed: 2));
        test.Dispose();
        using var images = train.Images;
        train.Labels.Dispose();
        if (models != "conv")
        {
            using var generated = new MlpVae(seed: 1);
            using var handWritten = HandWrittenVae.Mlp(seed: 1);
            Compare("MLP VAE 784-400-20", generated, handWritten, images, epochs);
        }

        if (models != "mlp")
        {
            using var generated = new ConvVae(seed: 1);
            using var handWritten = HandWrittenVae.Conv(seed: 1);
            Compare("convolutional β-VAE", generated, handWritten, images, epochs);
        }

        return 0;
    }

    private static void Compare(string name, AutoencoderModel generated, HandWrittenVae handWritten, Tensor images, int epochs)
    {
        var relay = new EpochBenchmarks.Relay(2);
        void Generated()
        {
            using var optimizer = optim.Adam(generated.parameters(), 1e-3);
            var loss = (Func<Tensor, ModelLoss>)(generated switch
            {
                MlpVae mlp => batch => mlp.Loss(batch),
                ConvVae conv => batch => conv.Loss(batch),
                _ => throw new ArgumentException("An MLP or convolutional VAE.", nameof(generated)),
            });
            generated.train();
            int batches = 0;
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                using var generator = new Generator(0, CPU).manual_seed(epoch);
                using var order = randperm(images.shape[0], generator: generator);
                for (long start = 0; start < images.shape[0]; start += 128)
                {
                    using var scope = NewDisposeScope();
                    var batch = images.index_select(0, order.narrow(0, start, Math.Min(128, images.shape[0] - start)));
                    var value = loss(batch);
                    optimizer.zero_grad();
                    value.Total.backward();
                    optimizer.step();
                    value.Total.item<float>();
                    if (++batches % Segment == 0)
                    {
                        relay.Pass(0);
                    }
                }
            }
        }

        void HandWritten()
        {
            int batches = 0;
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                handWritten.TrainEpoch(images, 128, epoch, afterBatch: () =>
                {
                    if (++batches % Segment == 0)
                    {
                        relay.Pass(1);
                    }
                });
            }
        }

        relay.Run(Generated, HandWritten);
        var ratios = relay.Segments[0].Zip(relay.Segments[1], (a, b) => a / b).Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}, {epochs} epochs: generated Loss in a plain loop / hand-written, median of {ratios.Count} segments {EpochBenchmarks.Median(ratios):F3} "
            + $"(quartiles {ratios[ratios.Count / 4]:F3}–{ratios[3 * ratios.Count / 4]:F3}); "
            + $"{relay.Segments[0].Sum() / epochs:F2} s vs {relay.Segments[1].Sum() / epochs:F2} s an epoch"));
    }
}
