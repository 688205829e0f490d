using System;
using System.Diagnostics;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

// One epoch: its order, its batches, and the checks at its end.
internal sealed partial class TrainingRun
{
    /// <summary>Trains one epoch (numbered from 1) and returns its mean loss terms, and a vector-quantized model's codebook usage.</summary>
    private (LossMetrics Terms, CodebookUsage? Codebook) TrainEpoch(int epoch, TrainingOptimizer optimizer, Generator shuffler)
    {
        // A diverged epoch is rolled back whole: to the state the last checkpoint holds, which is the last one that trained without diverging.
        epochStart.Take(module, optimizer);
        module.train();
        model.Epoch = epoch;
        try
        {
            // Seeding per epoch makes the order a function of (Seed, epoch), so a resumed run needs no shuffler state.
            using var order = options.Shuffle ? Permutation(shuffler, unchecked(options.Seed + epoch)) : null;
            bool deferred = deferReads && optimizer.SkipsOnDevice;
            using var terms = new TermAccumulator(deferred ? device : null);
            using var reader = train.Open(order, options.BatchSize, device, rules, "train", options.Loading);
            using var neighbourDraws = NeighbourDraws(epoch);
            ToWorkingCopy(optimizer);
            var clock = Stopwatch.StartNew();
            var lastReport = TimeSpan.Zero;
            long seen = 0;
            for (int batch = 1; batch <= Batches; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TrainBatch(epoch, batch, optimizer, reader, terms, seen, order, neighbourDraws);
                seen += Math.Min(options.BatchSize, Examples - seen);
                batchesRun++;
                if (batch % NativeMemory.BatchesBetweenChecks == 0)
                {
                    freedMemory?.ReleaseIfGrown();
                }

                bool report = progress is not null && (!deferred || batch == Batches || clock.Elapsed - lastReport >= ReportInterval);
                if (deferred && (report || batch == Batches) && terms.Synchronise() is { } diverged)
                {
                    throw Diverged(epoch, diverged.Batch, diverged.Total, optimizer);
                }

                if (report)
                {
                    lastReport = clock.Elapsed;
                    ReportBatch(epoch, batch, terms, seen, clock);
                }
            }

            ToMasters(optimizer);
            var codebook = model.EndTrainingEpoch();

            // What the next epoch starts from, a checkpoint holds and a rollback restores must be finite: finite
            // gradients can still step a parameter, or a forward pass a running statistic, past the float range.
            if (FirstNonFinite(module) is string nonFinite)
            {
                throw Diverged(epoch, Batches, terms.Latest().Total, optimizer, nonFinite);
            }

            return (terms.Mean(), codebook);
        }
        finally
        {
            ToMasters(optimizer);
            model.Epoch = null;
        }
    }

    /// <summary>The epoch's order of the examples: a permutation drawn from <paramref name="shuffler"/> seeded with <paramref name="seed"/>.</summary>
    private Tensor Permutation(Generator shuffler, long seed)
    {
        using var scope = NewDisposeScope();
        shuffler.manual_seed(seed);
        return randperm(Examples, generator: shuffler).to(train.Examples?.device ?? CPU).MoveToOuterDisposeScope();
    }
}
