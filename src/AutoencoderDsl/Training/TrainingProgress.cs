using System;

namespace AutoencoderDsl.Training;

/// <summary>Which event a <see cref="TrainingProgress"/> reports.</summary>
public enum TrainingProgressKind
{
    /// <summary>One mini-batch was trained.</summary>
    Batch,

    /// <summary>An epoch ended (after validation and the checkpoint).</summary>
    Epoch,
}

/// <summary>
/// A progress report of <c>Fit</c>, passed to <see cref="IProgress{T}.Report"/> on the training thread
/// (<see cref="Progress{T}"/> then forwards it to the context it was created on).
/// </summary>
/// <param name="Kind">Whether a batch or an epoch ended.</param>
/// <param name="Epoch">The current epoch, from 1.</param>
/// <param name="Epochs">The number of epochs the run ends at.</param>
/// <param name="Batch">The batch just trained, from 1; the batch count for an epoch report.</param>
/// <param name="Batches">The number of batches per epoch.</param>
/// <param name="Train">The loss terms of the batch, or for an epoch report their means over the epoch's examples.</param>
/// <param name="Validation">For an epoch report with validation data, the loss on it; otherwise null.</param>
/// <param name="ExamplesPerSecond">Examples trained so far in this epoch divided by <paramref name="Elapsed"/>.</param>
/// <param name="Elapsed">The time since the epoch started; for an epoch report, the epoch's duration with validation.</param>
/// <param name="TimeLeft">The time the rest of the run should take at the pace so far (validation included from the second epoch on).</param>
public sealed record TrainingProgress(
    TrainingProgressKind Kind,
    int Epoch,
    int Epochs,
    int Batch,
    int Batches,
    LossMetrics Train,
    LossMetrics? Validation,
    double ExamplesPerSecond,
    TimeSpan Elapsed,
    TimeSpan TimeLeft);
