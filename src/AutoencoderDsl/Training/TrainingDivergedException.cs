using System;
using System.Globalization;

namespace AutoencoderDsl.Training;

/// <summary>
/// Thrown when a batch's total loss is not finite. The diverged step is not applied, so the model keeps the
/// parameters of the previous batch, and no checkpoint is written from the diverged state.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    internal TrainingDivergedException(int epoch, int batch, double loss, string? lastCheckpoint, int checkpointEpoch)
        : base(FormatMessage(epoch, batch, loss, lastCheckpoint, checkpointEpoch))
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
        LastCheckpoint = lastCheckpoint;
    }

    /// <summary>The epoch that diverged, from 1.</summary>
    public int Epoch { get; }

    /// <summary>The batch that diverged, from 1.</summary>
    public int Batch { get; }

    /// <summary>The non-finite total loss.</summary>
    public double Loss { get; }

    /// <summary>The checkpoint file holding the last completed epoch, or null when none was written or restored.</summary>
    public string? LastCheckpoint { get; }

    private static string FormatMessage(int epoch, int batch, double loss, string? lastCheckpoint, int checkpointEpoch)
    {
        var where = string.Create(
            CultureInfo.InvariantCulture,
            $"Training diverged in epoch {epoch}, batch {batch}: the total loss is {loss}. Try a lower learning rate or set MaxGradientNorm. ");
        return where + (lastCheckpoint is null
            ? "No checkpoint was written."
            : string.Create(CultureInfo.InvariantCulture, $"The last checkpoint, '{lastCheckpoint}', holds epoch {checkpointEpoch} and was left untouched."));
    }
}
