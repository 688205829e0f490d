using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
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
