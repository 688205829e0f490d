using System;
using System.Diagnostics;

namespace AutoencoderDsl.Training;

// The reports to Fit's IProgress, after batches and epochs; the log's events are in TrainingLog.cs.
internal sealed partial class TrainingRun
{
    /// <summary>How often a deferred run reads its terms for a batch report.</summary>
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(0.5);

    /// <summary>Reports batch <paramref name="batch"/>: its terms, and the pace of the <paramref name="seen"/> examples the epoch's <paramref name="clock"/> has timed.</summary>
    private void ReportBatch(int epoch, int batch, TermAccumulator terms, long seen, Stopwatch clock) =>
        progress!.Report(new TrainingProgress(
            TrainingProgressKind.Batch, epoch, TotalEpochs, batch, Batches, terms.Latest(), null,
            PerSecond(seen, clock.Elapsed), clock.Elapsed, TimeLeft(epoch, batch)));

    private void ReportEpoch(int epoch, LossMetrics trainMetrics, LossMetrics? validationMetrics, TimeSpan duration) =>
        progress?.Report(new TrainingProgress(
            TrainingProgressKind.Epoch, epoch, TotalEpochs, Batches, Batches, trainMetrics, validationMetrics,
            PerSecond(Examples, duration), duration, TimeLeft(epoch, Batches)));

    /// <summary>The rest of the run at the pace of the batches trained so far in this call.</summary>
    private TimeSpan TimeLeft(int epoch, int batch)
    {
        long left = ((long)(TotalEpochs - epoch) * Batches) + (Batches - batch);
        return batchesRun == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(runClock.Elapsed.Ticks / batchesRun * left);
    }

    private static double PerSecond(long examples, TimeSpan elapsed) =>
        elapsed > TimeSpan.Zero ? examples / elapsed.TotalSeconds : 0;
}
