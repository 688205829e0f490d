using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// What the runtime's <see cref="AutoencoderDsl.Convolutions"/> cost against TorchSharp's own modules (oneDNN, wrong
/// for some of these layers): two copies of one network trained in alternating rounds of 50 batches in one process.
/// </summary>
internal static class ConvolutionBenchmark
{
    public static void Run(int rounds)
    {
        set_num_threads(2);
        Compare("the conv β-VAE's layers (examples/ConvBetaVae), batch 128, 28 × 28", rounds, 128, 28, patch =>
            nn.Sequential(
                Conv(patch, 1, 32, 4, 2, 1, 1), nn.ReLU(), Conv(patch, 32, 64, 4, 2, 1, 1), nn.ReLU(), nn.Flatten(), nn.Linear(3136, 256), nn.ReLU(), nn.Linear(256, 16),
                nn.Linear(16, 256), nn.ReLU(), nn.Linear(256, 3136), nn.ReLU(), nn.Unflatten(1, [64, 7, 7]),
                Transposed(patch, 64, 32), nn.ReLU(), Transposed(patch, 32, 1)));
        Compare("FeatureMapVae's layers (1 to 8 channels), batch 32, 12 × 12", rounds, 32, 12, patch =>
            nn.Sequential(
                Conv(patch, 1, 4, 3, 1, 1, 1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), Conv(patch, 4, 8, 3, 2, 2, 2), nn.Flatten(), nn.Linear(72, 4),
                nn.Linear(4, 72), nn.ReLU(), nn.Unflatten(1, [8, 3, 3]), nn.Upsample(scale_factor: [2, 2]),
                Transposed(patch, 8, 4), nn.ReLU(), nn.AvgPool2d(3, 1), Conv(patch, 4, 1, 3, 1, 2, 1)));
    }

    private static nn.Module<Tensor, Tensor> Conv(bool patch, long input, long output, long kernel, long stride, long padding, long dilation) =>
        patch
            ? AutoencoderDsl.Convolutions.Conv2d(input, output, kernel, stride: stride, padding: padding, dilation: dilation)
            : nn.Conv2d(input, output, kernel, stride: stride, padding: padding, dilation: dilation);

    private static nn.Module<Tensor, Tensor> Transposed(bool patch, long input, long output) =>
        patch
            ? AutoencoderDsl.Convolutions.ConvTranspose2d(input, output, 4, stride: 2, padding: 1)
            : nn.ConvTranspose2d(input, output, 4, stride: 2, padding: 1);

    private static void Compare(string name, int rounds, long batch, long side, Func<bool, nn.Module<Tensor, Tensor>> build)
    {
        const int Batches = 50;
        manual_seed(1);
        using var data = rand(Batches * batch, 1, side, side);
        var networks = new[] { build(false), build(true) };
        var optimizers = networks.Select(network => optim.Adam(network.parameters(), 1e-3)).ToArray();
        var milliseconds = new[] { new List<double>(), new List<double>() };
        // One untimed round each first: the JIT and libtorch's first calls.
        for (int round = -1; round < rounds; round++)
        {
            for (int which = 0; which < 2; which++)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                for (int index = 0; index < Batches; index++)
                {
                    using var scope = NewDisposeScope();
                    var x = data[TensorIndex.Slice(index * batch, (index + 1) * batch)];
                    optimizers[which].zero_grad();
                    var loss = nn.functional.binary_cross_entropy_with_logits(networks[which].call(x), x, reduction: nn.Reduction.Sum) / batch;
                    loss.backward();
                    optimizers[which].step();
                }

                if (round >= 0)
                {
                    milliseconds[which].Add(clock.Elapsed.TotalMilliseconds / Batches);
                }
            }
        }

        double Median(IEnumerable<double> values) => values.Order().ElementAt(rounds / 2);
        var ratios = milliseconds[1].Zip(milliseconds[0], (ours, theirs) => ours / theirs).ToList();
        Console.WriteLine($"{name}: Convolutions / TorchSharp's modules, median of {rounds} alternating rounds {Median(ratios):F3}; "
            + $"a batch {Median(milliseconds[1]):F2} ms against {Median(milliseconds[0]):F2} ms");
        foreach (var network in networks)
        {
            network.Dispose();
        }
    }
}
