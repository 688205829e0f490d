using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;
using static TorchSharp.torch;

/// <summary>
/// One epoch per call, as a user calling <c>Fit</c> per epoch or per chunk of data does: the generated 784-400-20 VAE's
/// <c>Fit</c> (<c>Epochs = 1</c>, continuing the model's run) against one epoch of the same network written by hand with
/// TorchSharp's Adam, in turns, on Fashion-MNIST's 60,000 training images (or as many built-in shapes). Each call is
/// timed whole; <c>Fit</c>'s fixed cost is the call's time outside its batches (the call less the last batch report's
/// time since the epoch began), stated against the hand-written epoch.
/// </summary>
internal static class PerCallBenchmark
{
    public static int Run(int rounds)
    {
        var (train, test) = FashionMnist.IsAvailable() ? FashionMnist.Load() : (SyntheticShapes.Generate(60000, seed: 1), SyntheticShapes.Generate(100, seed: 2));
        test.Dispose();
        using var images = train.Images;
        train.Labels.Dispose();
        using var generated = new MlpVae(seed: 1);
        using var handWritten = HandWrittenVae.Mlp(seed: 1);
        var rows = new List<(double Hand, double Fit, double Fixed)>();
        for (int round = 1; round <= rounds; round++)
        {
            double hand = EpochBenchmarks.Timed(() => handWritten.TrainEpoch(images, 128, round));
            var inBatches = TimeSpan.Zero;
            var progress = new SynchronousProgress<TrainingProgress>(report =>
            {
                if (report.Kind == TrainingProgressKind.Batch)
                {
                    inBatches = report.Elapsed;
                }
            });
            double fit = EpochBenchmarks.Timed(() => generated.Fit(images, new FitOptions { Epochs = 1, Seed = round }, progress: progress));
            rows.Add((hand, fit, fit - inBatches.TotalSeconds));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}: hand-written {hand:F2} s, Fit {fit:F2} s (outside its batches {(fit - inBatches.TotalSeconds) * 1000:F0} ms); Fit / hand-written {fit / hand:F3}"));
        }

        // The first round warms libtorch's allocator and thread pool for both; the medians are of the rounds after it.
        var settled = rounds > 1 ? rows.Skip(1).ToList() : rows;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"One epoch per call, {settled.Count} rounds after the first: Fit / hand-written median {EpochBenchmarks.Median(settled.Select(row => row.Fit / row.Hand)):F3}; "
            + $"Fit's fixed cost per call median {EpochBenchmarks.Median(settled.Select(row => row.Fixed)) * 1000:F0} ms, "
            + $"{EpochBenchmarks.Median(settled.Select(row => row.Fixed / row.Hand)) * 100:F1} % of a hand-written epoch"));
        return 0;
    }
}
