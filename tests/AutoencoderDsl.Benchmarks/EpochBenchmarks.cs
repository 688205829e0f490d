using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using AutoencoderDsl;
using AutoencoderDsl.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// Timed training on real data. Each contender trains as its user would, in one long run (one <c>Fit</c> call for all
/// epochs, or the hand-written loop), on a thread of its own; they take turns every <see cref="Segment"/> batches
/// (a seventh of an epoch), so only one computes at a time and the runs compared are a second apart, which lets the
/// machine's minute-to-minute swings fall on all of them alike. A ratio is the median over those segments; an epoch
/// is the sum of its seven.
/// </summary>
internal static class EpochBenchmarks
{
    /// <summary>Batches between turns: 469 batches of 128 make an epoch of 60,000, seven segments of 67.</summary>
    private const int Segment = 67;

    private const int SegmentsPerEpoch = 7;

    /// <summary>
    /// One model's seconds per segment: generated <c>Fit</c>, the same <c>Fit</c> with TorchSharp's Adam, the
    /// hand-written loop, and the bound's work for as many batches.
    /// </summary>
    public sealed record Comparison(string Model, List<double> Generated, List<double> LibTorchAdam, List<double> HandWritten, List<double> Bound)
    {
        public List<double> Ratios => Generated.Zip(HandWritten, (a, b) => a / b).ToList();

        /// <summary>Each segment of generated <c>Fit</c> as a multiple of the bound's segment beside it.</summary>
        public List<double> BoundMultiples => Generated.Zip(Bound, (a, b) => a / b).ToList();

        public List<double> RatiosBefore => LibTorchAdam.Zip(HandWritten, (a, b) => a / b).ToList();

        /// <summary>The seconds of each whole epoch of <paramref name="segments"/>.</summary>
        public static List<double> Epochs(List<double> segments) => segments.Chunk(SegmentsPerEpoch).Select(epoch => epoch.Sum()).ToList();
    }

    public static Comparison Compare(string name, ITrainableAutoencoder generated, ITrainableAutoencoder before, HandWrittenVae handWritten, Bound.Workload bound, Tensor images, int epochs)
    {
        var relay = new Relay(4);
        void Fit(int who, ITrainableAutoencoder model, OptimizerChoice optimizer)
        {
            int batches = 0;
            var progress = new SynchronousProgress<TrainingProgress>(report =>
            {
                if (report.Kind == TrainingProgressKind.Batch && ++batches % Segment == 0)
                {
                    relay.Pass(who);
                }
            });
            Trainer.Fit(model, new TrainingData(images), new FitOptions { Epochs = epochs, Seed = 1, Optimizer = optimizer }, null, progress, default);
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
                        relay.Pass(2);
                    }
                });
            }
        }

        void Bound()
        {
            long batches = epochs * (long)Math.Ceiling(images.shape[0] / 128.0);
            for (long batch = 1; batch <= batches; batch++)
            {
                bound.Batch();
                if (batch % Segment == 0)
                {
                    relay.Pass(3);
                }
            }
        }

        relay.Run(
            () => Fit(0, generated, new AdamOptimizer()),
            () => Fit(1, before, new LibTorchAdam()),
            HandWritten,
            Bound);
        var result = new Comparison(name, relay.Segments[0], relay.Segments[1], relay.Segments[2], relay.Segments[3]);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            Console.WriteLine(
                $"  {name} epoch {epoch + 1}: generated Fit {Comparison.Epochs(result.Generated)[epoch]:F2} s, "
                + $"Fit with TorchSharp's Adam {Comparison.Epochs(result.LibTorchAdam)[epoch]:F2} s, hand-written {Comparison.Epochs(result.HandWritten)[epoch]:F2} s, "
                + $"the bound's work {Comparison.Epochs(result.Bound)[epoch]:F2} s; "
                + $"median ratio of its segments {Median(result.Ratios.Skip(epoch * SegmentsPerEpoch).Take(SegmentsPerEpoch)):F3}");
        }

        return result;
    }

    /// <summary>Runs actions on threads of their own, one at a time, handing a baton on at each <see cref="Pass"/> and timing each one's turns.</summary>
    internal sealed class Relay(int count)
    {
        private readonly SemaphoreSlim[] turns = Enumerable.Range(0, count).Select(_ => new SemaphoreSlim(0)).ToArray();
        private readonly Stopwatch[] clocks = Enumerable.Range(0, count).Select(_ => new Stopwatch()).ToArray();

        public List<double>[] Segments { get; } = Enumerable.Range(0, count).Select(_ => new List<double>()).ToArray();

        public void Run(params Action[] actions)
        {
            var threads = actions.Select((action, who) => new Thread(() =>
            {
                turns[who].Wait();
                clocks[who].Restart();
                action();
                // What follows the last turn (the end of Fit) joins the last segment; every contender has as many.
                Segments[who][^1] += clocks[who].Elapsed.TotalSeconds;
                turns[(who + 1) % count].Release();
            }, maxStackSize: 16 << 20)).ToArray();
            foreach (var thread in threads)
            {
                thread.Start();
            }

            turns[0].Release();
            foreach (var thread in threads)
            {
                thread.Join();
            }
        }

        public void Pass(int who)
        {
            Segments[who].Add(clocks[who].Elapsed.TotalSeconds);
            turns[(who + 1) % count].Release();
            turns[who].Wait();
            clocks[who].Restart();
        }
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
        long size = images.shape[0] / 3;
        int turn = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            for (int s = 0; s < 3; s++)
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
