using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using AutoencoderDsl;
using AutoencoderDsl.Training;
using static TorchSharp.torch;

/// <summary>
/// What the per-batch check of the gradient for NaN and infinity costs: one-epoch <c>Fit</c> calls of the same model on
/// the same data with the check and without, taking turns (the order flipped every round), and the median of the
/// rounds' ratios, in wall-clock time and in the process's processor time (which other processes on a busy machine
/// disturb less); and the check alone, timed on a flat buffer of the model's size.
/// </summary>
internal static class GradientCheckBenchmark
{
    public static void Run(Tensor images, int rounds)
    {
        using var subset = images.narrow(0, 0, Math.Min(images.shape[0], 6400));
        long batches = (subset.shape[0] + 127) / 128;
        Console.WriteLine($"The gradient check: one-epoch Fit on {subset.shape[0]:N0} images ({batches} batches of 128), Adam 1e-3, {get_num_threads()} threads, {rounds} rounds of one epoch with it and one without, alternating:");
        Console.WriteLine("| model | epoch with / without (median s) | median ratio, wall clock | median ratio, processor time | the check alone, per batch | its share of an epoch |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (name, model) in new (string, Func<ITrainableAutoencoder>)[] { ("MLP VAE 784-400-20", () => new MlpVae(seed: 1)), ("convolutional β-VAE", () => new ConvVae(seed: 1)) })
        {
            using var trained = (nn.Module)model();
            var contender = (ITrainableAutoencoder)trained;
            var with = new List<(double Wall, double Processor)>();
            var without = new List<(double Wall, double Processor)>();
            Epoch(contender, subset, check: true);
            for (int round = 0; round < rounds; round++)
            {
                foreach (bool check in round % 2 == 0 ? new[] { true, false } : [false, true])
                {
                    (check ? with : without).Add(Epoch(contender, subset, check));
                }
            }

            double wall = EpochBenchmarks.Median(with.Zip(without, (a, b) => a.Wall / b.Wall));
            double processor = EpochBenchmarks.Median(with.Zip(without, (a, b) => a.Processor / b.Processor));
            double alone = CheckAlone(trained.parameters().Sum(parameter => parameter.numel()));
            double epoch = EpochBenchmarks.Median(without.Select(time => time.Wall));
            Console.WriteLine(
                $"| {name} | {EpochBenchmarks.Median(with.Select(time => time.Wall)):F3} / {epoch:F3} | {wall:F4} | {processor:F4} | {alone * 1e6:F0} µs | {alone * batches / epoch:P2} |");
        }
    }

    private static (double Wall, double Processor) Epoch(ITrainableAutoencoder model, Tensor images, bool check)
    {
        var process = Process.GetCurrentProcess();
        var processor = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Trainer.Fit(model, new TrainingData(images), new FitOptions { Epochs = 1, BatchSize = 128, Seed = 1, CheckGradients = check }, validation: null, progress: null, cancellationToken: default);
        process.Refresh();
        return (clock.Elapsed.TotalSeconds, (process.TotalProcessorTime - processor).TotalSeconds);
    }

    /// <summary>The median time of the check as the trainer makes it, the sum of a flat buffer read with a loss, in seconds.</summary>
    private static double CheckAlone(long elements)
    {
        using var gradients = randn(elements);
        using var loss = randn(3, dtype: ScalarType.Float64);
        var times = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            _ = cat([loss, gradients.sum().isfinite().to(ScalarType.Float64).reshape(1)]).data<double>().ToArray();
            times.Add(clock.Elapsed.TotalSeconds);
        }

        return EpochBenchmarks.Median(times);
    }
}
