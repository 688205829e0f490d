using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using AutoencoderDsl;
using AutoencoderDsl.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Timed training on real data. The contenders take turns on each third of the data set (20,000 images), the order
/// rotating every turn, so that runs compared are seconds apart and the machine's minute-to-minute swings fall on them
/// alike; a ratio is the median over those thirds, an epoch the sum of its three. Each third is a call of <c>Fit</c>,
/// so <c>Fit</c> pays its set-up (checking the data, the flat buffer, the epoch's snapshot: about 15 ms) three times
/// an epoch, where a user training for many epochs pays it once.
/// </summary>
internal static class EpochBenchmarks
{
    private const int Slices = 3;

    /// <summary>One model's times per slice and per epoch: generated <c>Fit</c>, the same <c>Fit</c> with TorchSharp's Adam, and the hand-written loop.</summary>
    public sealed record Comparison(string Model, List<double> Generated, List<double> LibTorchAdam, List<double> HandWritten)
    {
        public List<double> Ratios => Generated.Zip(HandWritten, (a, b) => a / b).ToList();

        public List<double> RatiosBefore => LibTorchAdam.Zip(HandWritten, (a, b) => a / b).ToList();

        /// <summary>The seconds of each whole epoch of <paramref name="times"/>.</summary>
        public static List<double> Epochs(List<double> times) => times.Chunk(Slices).Select(epoch => epoch.Sum()).ToList();
    }

    public static Comparison Compare(string name, ITrainableAutoencoder generated, ITrainableAutoencoder before, HandWrittenVae handWritten, Tensor images, int epochs)
    {
        var result = new Comparison(name, [], [], []);
        var contenders = new (string Name, Func<Tensor, long, double> Train, List<double> Times)[]
        {
            ("generated Fit", (slice, seed) => FitOneEpoch(generated, slice, new AdamOptimizer(), seed), result.Generated),
            ("Fit with TorchSharp's Adam", (slice, seed) => FitOneEpoch(before, slice, new LibTorchAdam(), seed), result.LibTorchAdam),
            ("hand-written", (slice, seed) => Timed(() => handWritten.TrainEpoch(slice, 128, seed)), result.HandWritten),
        };
        long size = images.shape[0] / Slices;
        int turn = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int s = 0; s < Slices; s++)
            {
                using var slice = images.narrow(0, s * size, size);
                for (int i = 0; i < contenders.Length; i++)
                {
                    var (_, train, times) = contenders[(turn + i) % contenders.Length];
                    times.Add(train(slice, (epoch * Slices) + s + 1));
                }

                turn++;
            }

            GC.Collect();
            Console.WriteLine(
                $"  {name} epoch {epoch + 1}: " + string.Join(", ", contenders.Select(c => $"{c.Name} {Comparison.Epochs(c.Times)[^1]:F2} s"))
                + $"; median ratio of its thirds {Median(result.Ratios.TakeLast(Slices)):F3}");
        }

        return result;
    }

    /// <summary>One whole call of <c>Fit</c> for one epoch at batch size <paramref name="batchSize"/>, set-up included, in seconds.</summary>
    public static double FitOneEpoch(ITrainableAutoencoder model, Tensor images, OptimizerChoice optimizer, long seed, int batchSize = 128) =>
        Timed(() => Trainer.Fit(
            model, new TrainingData(images), new FitOptions { Epochs = 1, BatchSize = batchSize, Seed = seed, Optimizer = optimizer },
            validation: null, progress: null, cancellationToken: default));

    /// <summary>
    /// Where an epoch of <c>Fit</c> goes: its batch loop written out with a clock between the phases (on the CPU every
    /// kernel has finished when its call returns, so the phases do not blur into each other), for each model and
    /// optimizer in turn on each third of the data, for <paramref name="epochs"/> epochs.
    /// </summary>
    public static List<double[]> Phases(IReadOnlyList<(ITrainableAutoencoder Model, TrainingOptimizer Optimizer)> contenders, Tensor images, int epochs, int batchSize = 128)
    {
        var seconds = contenders.Select(_ => new double[PhaseNames.Length]).ToList();
        long size = images.shape[0] / Slices;
        int turn = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int s = 0; s < Slices; s++)
            {
                using var slice = images.narrow(0, s * size, size);
                for (int i = 0; i < contenders.Count; i++)
                {
                    int which = (turn + i) % contenders.Count;
                    PhasesOf(contenders[which].Model, slice, contenders[which].Optimizer, batchSize, seconds[which]);
                }

                turn++;
            }
        }

        return seconds.Select(phase => phase.Select(total => total / epochs).ToArray()).ToList();
    }

    public static readonly string[] PhaseNames = ["batch selection", "forward and loss", "reading the loss terms", "clearing gradients", "backward", "optimizer step"];

    private static void PhasesOf(ITrainableAutoencoder model, Tensor images, TrainingOptimizer optimizer, int batchSize, double[] seconds)
    {
        var clock = new Stopwatch();
        void Lap(int phase)
        {
            seconds[phase] += clock.Elapsed.TotalSeconds;
            clock.Restart();
        }

        model.Module.train();
        long count = images.shape[0];
        using var generator = new Generator(0, CPU).manual_seed(1);
        using var order = randperm(count, generator: generator);
        for (long start = 0; start < count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            clock.Restart();
            var batch = images.index_select(0, order.narrow(0, start, Math.Min(batchSize, count - start)));
            Lap(0);
            var loss = model.ComputeLoss(batch, batch, null);
            Lap(1);
            foreach (var term in loss.Terms)
            {
                term.Value.item<float>();
            }

            Lap(2);
            optimizer.ZeroGrad();
            Lap(3);
            loss.Total.backward();
            Lap(4);
            optimizer.Step();
            Lap(5);
        }
    }

    /// <summary>Seconds per epoch of <c>Fit</c> on the first <paramref name="count"/> images at each batch size; the best of <paramref name="rounds"/>.</summary>
    public static double Scaling(Func<ITrainableAutoencoder> create, Tensor images, long count, int batchSize, int rounds)
    {
        using var data = images.narrow(0, 0, count);
        double best = double.MaxValue;
        for (int round = 0; round < rounds; round++)
        {
            var model = create();
            try
            {
                best = Math.Min(best, FitOneEpoch(model, data, new AdamOptimizer(), round + 1, batchSize));
            }
            finally
            {
                model.Module.Dispose();
            }
        }

        return best;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Timed(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
