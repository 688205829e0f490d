using System;
using System.Globalization;

namespace AutoencoderDsl.Training;

/// <summary>
/// Thrown when a batch's total loss is not finite. The model and the optimizer are returned to their state at the
/// start of the diverged epoch, which is also the state the last checkpoint holds, so the model in memory is the last
/// one that trained without diverging, and no checkpoint is written from the diverged state.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    internal TrainingDivergedException(int epoch, int batch, double loss, double learningRate, bool clippingHelps, string? lastCheckpoint)
        : base(FormatMessage(epoch, batch, loss, learningRate, clippingHelps, lastCheckpoint))
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

    private static string FormatMessage(int epoch, int batch, double loss, double learningRate, bool clippingHelps, string? lastCheckpoint)
    {
        var state = epoch == 1 ? "its initial parameters" : string.Create(CultureInfo.InvariantCulture, $"its parameters and optimizer state at the end of epoch {epoch - 1}");
        var advice = string.Create(CultureInfo.InvariantCulture, $"Lower the learning rate, now {learningRate:G3}: try {learningRate / 10:G3}")
            + (clippingHelps ? ", or set MaxGradientNorm (for example 1) to bound each step." : "; with this optimizer clipping the gradient does not bound the step, the learning rate does.");
        var checkpoint = lastCheckpoint is null
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $" The checkpoint '{lastCheckpoint}' holds the same state and was left untouched.");
        return string.Create(CultureInfo.InvariantCulture, $"Training diverged in epoch {epoch}, batch {batch}: the total loss is {loss}. The model was returned to {state}.{checkpoint} {advice}");
    }
}
