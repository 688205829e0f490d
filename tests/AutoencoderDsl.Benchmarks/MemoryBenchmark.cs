using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using AutoencoderDsl;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;
using TorchSharp.Modules;

/// <summary>
/// The resident memory a user watching <c>top</c> sees while a 784-400-20 VAE trains on 20,000 images for 10 epochs,
/// with <see cref="FitOptions.ReleaseFreedMemory"/> off and on. Each setting runs in a fresh child process, since a
/// process's heap never shrinks back to where it started.
/// </summary>
internal static class MemoryBenchmark
{
    private const int Epochs = 10;

    public static int Compare()
    {
        var runs = new[] { false, true }.Select(release => (release, Rss: Child(release))).ToList();
        Console.WriteLine("Resident memory (MiB) of a 784-400-20 VAE training on 20,000 images, batch 128; at the end of epochs 1, 5 and 10, and the highest seen during them:");
        Console.WriteLine($"{"ReleaseFreedMemory",-20}{"before Fit",12}{"epoch 1",10}{"epoch 5",10}{"epoch 10",10}{"highest",10}{"median epoch",14}");
        foreach (var (release, rss) in runs)
        {
            Console.WriteLine($"{(release ? "true (default)" : "false"),-20}{rss[0],12:F0}{rss[1],10:F0}{rss[5],10:F0}{rss[10],10:F0}{rss[11],10:F0}{rss[12],12:F2} s");
        }

        return 0;
    }

    /// <summary>One setting in a fresh process: the memory before <c>Fit</c>, then after each epoch.</summary>
    public static int Run(bool release)
    {
        var (train, test) = FashionMnist.IsAvailable() ? FashionMnist.Load() : (SyntheticShapes.Generate(20000, seed: 1), SyntheticShapes.Generate(100, seed: 2));
        using var data = train.Images.narrow(0, 0, 20000).clone();
        train.Dispose();
        test.Dispose();
        using var vae = new MlpVae(seed: 1);
        Console.WriteLine(Invariant(Resident()));
        double highest = 0;
        var history = vae.Fit(data, new FitOptions { Epochs = Epochs, Seed = 1, ReleaseFreedMemory = release }, progress: new SynchronousProgress<TrainingProgress>(report =>
        {
            double now = Resident();
            highest = Math.Max(highest, now);
            if (report.Kind == TrainingProgressKind.Epoch)
            {
                Console.WriteLine(Invariant(now));
            }
        }));
        Console.WriteLine(Invariant(highest));
        var durations = history.Epochs.Select(epoch => epoch.Duration.TotalSeconds).Order().ToArray();
        Console.WriteLine(Invariant((durations[(Epochs / 2) - 1] + durations[Epochs / 2]) / 2));
        return 0;
    }

    /// <summary>
    /// What releasing costs in speed: one-epoch <c>Fit</c> calls on all 60,000 images, on one model, with it on and off in
    /// the order on, off, off, on, … so that drift falls on both; the ratio is the median over adjacent pairs. The trim
    /// itself takes milliseconds; the cost is in the batches after it, which fault the pages they reuse back in.
    /// </summary>
    public static int Cost(int pairs)
    {
        var (train, test) = FashionMnist.IsAvailable() ? FashionMnist.Load() : (SyntheticShapes.Generate(60000, seed: 1), SyntheticShapes.Generate(100, seed: 2));
        test.Dispose();
        using var vae = new MlpVae(seed: 1);
        var seconds = new List<(bool Release, double Seconds)>();
        for (int run = 0; run < 2 * pairs; run++)
        {
            bool release = run % 4 is 0 or 3;
            var history = vae.Fit(train.Images, new FitOptions { Epochs = 1, Seed = run, ReleaseFreedMemory = release });
            seconds.Add((release, history.Last.Duration.TotalSeconds));
        }

        train.Dispose();
        var ratios = Enumerable.Range(0, pairs)
            .Select(pair => seconds[2 * pair].Release ? seconds[2 * pair].Seconds / seconds[(2 * pair) + 1].Seconds : seconds[(2 * pair) + 1].Seconds / seconds[2 * pair].Seconds)
            .ToList();
        Console.WriteLine($"An epoch of the 784-400-20 VAE on 60,000 images, {pairs} pairs: ReleaseFreedMemory on {EpochBenchmarks.Median(seconds.Where(run => run.Release).Select(run => run.Seconds)):F2} s, "
            + $"off {EpochBenchmarks.Median(seconds.Where(run => !run.Release).Select(run => run.Seconds)):F2} s (medians); on / off {EpochBenchmarks.Median(ratios):F3} (pairs {string.Join(", ", ratios.Select(ratio => ratio.ToString("F3", CultureInfo.InvariantCulture)))})");
        return 0;
    }

    private static double[] Child(bool release)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MemoryBenchmark).Assembly.Location);
        }

        start.ArgumentList.Add("memory-run");
        start.ArgumentList.Add(release ? "true" : "false");
        using var process = Process.Start(start)!;
        var lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        process.WaitForExit();
        if (process.ExitCode != 0 || lines.Length < Epochs + 3)
        {
            throw new InvalidOperationException($"The memory-run child exited with {process.ExitCode} after {lines.Length} lines; its errors are above.");
        }

        return lines.Select(line => double.Parse(line, CultureInfo.InvariantCulture)).ToArray();
    }

    private static double Resident()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / 1048576.0;
    }

    private static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
