using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using static TorchSharp.torch;

/// <summary>
/// A layer's work as a matrix product per batch: <see cref="Rows"/> rows per example (1 for a dense layer, the output
/// positions of a convolution, the input positions of a transposed one), <see cref="Inner"/> × <see cref="Outer"/>
/// weights. <see cref="First"/> marks the layer that needs no gradient for its input.
/// </summary>
internal sealed record Gemm(string Layer, long Rows, long Inner, long Outer, bool First = false)
{
    /// <summary>Floating-point operations per example for forward and backward.</summary>
    public double Flops => 2.0 * Rows * Inner * Outer * (First ? 2 : 3);
}

/// <summary>
/// What an epoch cannot go below on this machine: the matrix products of forward and backward at the model's own
/// shapes, timed in libtorch, plus the optimizer's memory traffic at the measured memory bandwidth. Element-wise
/// kernels (activations, the loss) are left out, so the bound is a little optimistic.
/// </summary>
internal static class Bound
{
    /// <summary>The MLP VAE, 784-400-20.</summary>
    public static readonly Gemm[] Mlp =
    [
        new("encoder Dense 784→400", 1, 784, 400, First: true),
        new("mean and log-variance heads 400→2×20", 1, 400, 40),
        new("decoder Dense 20→400", 1, 20, 400),
        new("decoder Dense 400→784", 1, 400, 784),
    ];

    /// <summary>The convolutional β-VAE, each convolution as the product its im2col form computes.</summary>
    public static readonly Gemm[] Conv =
    [
        new("Conv2d 1→32, 28²→14²", 14 * 14, 1 * 4 * 4, 32, First: true),
        new("Conv2d 32→64, 14²→7²", 7 * 7, 32 * 4 * 4, 64),
        new("Dense 3136→256", 1, 3136, 256),
        new("heads 256→2×16", 1, 256, 32),
        new("Dense 16→256", 1, 16, 256),
        new("Dense 256→3136", 1, 256, 3136),
        new("ConvTranspose2d 64→32, 7²→14²", 7 * 7, 64, 32 * 4 * 4),
        new("ConvTranspose2d 32→1, 14²→28²", 14 * 14, 32, 1 * 4 * 4),
    ];

    /// <summary>Adam reads the parameter, gradient and both moments and writes three of them back, and the backward pass wrote the gradient: 32 bytes per parameter.</summary>
    public const double AdamBytesPerParameter = 32;

    /// <summary>Seconds of one batch's matrix products at <paramref name="batchSize"/>: the median of 41 timed batches.</summary>
    public static double MatmulSeconds(IEnumerable<Gemm> layers, int batchSize)
    {
        using var workload = new Workload(layers, batchSize, parameters: 0);
        return Median(workload.Products);
    }

    /// <summary>
    /// One batch of the bound's work, to time beside training: every matrix product of forward and backward at the
    /// model's shapes, and a copy that moves Adam's bytes for <paramref name="parameters"/>. Dispose it after the run.
    /// </summary>
    public sealed class Workload : IDisposable
    {
        private readonly List<(Tensor Input, Tensor Weight, Tensor WeightT, Tensor OutputGradient, Tensor GradientT, bool First)> products = [];
        private readonly Tensor source;
        private readonly Tensor target;

        public Workload(IEnumerable<Gemm> layers, int batchSize, long parameters)
        {
            foreach (var layer in layers)
            {
                long rows = layer.Rows * batchSize;
                var weight = randn(layer.Outer, layer.Inner);
                var outputGradient = randn(rows, layer.Outer);
                products.Add((randn(rows, layer.Inner), weight, weight.t(), outputGradient, outputGradient.t(), layer.First));
            }

            // A copy reads and writes each byte once: 16 + 16 bytes per parameter.
            source = rand(parameters * 4);
            target = empty(parameters * 4);
        }

        public void Batch()
        {
            Products();
            target.copy_(source);
        }

        /// <summary>Every matrix product of one batch's forward and backward passes.</summary>
        public void Products()
        {
            foreach (var (input, weight, weightT, outputGradient, gradientT, first) in products)
            {
                input.mm(weightT).Dispose();
                gradientT.mm(input).Dispose();
                if (!first)
                {
                    outputGradient.mm(weight).Dispose();
                }
            }
        }

        public void Dispose()
        {
            foreach (var (input, weight, weightT, outputGradient, gradientT, _) in products)
            {
                input.Dispose();
                weight.Dispose();
                weightT.Dispose();
                outputGradient.Dispose();
                gradientT.Dispose();
            }

            source.Dispose();
            target.Dispose();
        }
    }

    /// <summary>Bytes per second of a 256 MB copy, counting what is read and what is written; the best of ten.</summary>
    public static double MemoryBandwidth()
    {
        const long Elements = 64L << 20;
        using var source = rand(Elements);
        using var target = empty(Elements);
        target.copy_(source);
        double best = double.MaxValue;
        for (int i = 0; i < 10; i++)
        {
            var clock = Stopwatch.StartNew();
            target.copy_(source);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return 2 * Elements * sizeof(float) / best;
    }

    private static double Median(Action product)
    {
        for (int i = 0; i < 5; i++)
        {
            product();
        }

        var times = new double[41];
        for (int i = 0; i < times.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            product();
            times[i] = clock.Elapsed.TotalSeconds;
        }

        Array.Sort(times);
        return times[times.Length / 2];
    }

    /// <summary>The floating-point operations of one epoch of <paramref name="examples"/>.</summary>
    public static double EpochFlops(IEnumerable<Gemm> layers, long examples) => layers.Sum(layer => layer.Flops) * examples;
}
