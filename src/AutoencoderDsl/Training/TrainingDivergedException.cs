using System;
using System.Globalization;

namespace AutoencoderDsl.Training;

/// <summary>
/// Thrown when a batch's total loss or its gradient is not finite, or a parameter or buffer is not finite at the end of
/// an epoch. The model and the optimizer are returned to their state at the
/// start of the diverged epoch, which is also the state the last checkpoint holds, so the model in memory is the last
/// one that trained without diverging, and no checkpoint is written from the diverged state.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    internal TrainingDivergedException(DivergenceFacts facts)
        : base(FormatMessage(facts))
    {
        Epoch = facts.Epoch;
        Batch = facts.Batch;
        Loss = facts.Loss;
        LastCheckpoint = facts.LastCheckpoint;
        GradientNotFinite = facts.NonFiniteState is null && double.IsFinite(facts.Loss);
    }

    /// <summary>The epoch that diverged, from 1.</summary>
    public int Epoch { get; }

    /// <summary>The batch that diverged, from 1.</summary>
    public int Batch { get; }

    /// <summary>
    /// The batch's total loss: not finite, unless the gradient (<see cref="GradientNotFinite"/>) or, at the end of the
    /// epoch, a parameter or buffer was what went non-finite (the message names it).
    /// </summary>
    public double Loss { get; }

    /// <summary>Whether the batch's loss was finite but its gradient was not; no step was taken on it.</summary>
    public bool GradientNotFinite { get; }

    /// <summary>The checkpoint file holding the last completed epoch, or null when none was written or restored.</summary>
    public string? LastCheckpoint { get; }

    private static string FormatMessage(DivergenceFacts facts)
    {
        var state = facts.Epoch == 1 ? "its initial parameters" : string.Create(CultureInfo.InvariantCulture, $"its parameters and optimizer state at the end of epoch {facts.Epoch - 1}");
        var checkpoint = facts.LastCheckpoint is null
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $" The checkpoint '{facts.LastCheckpoint}' holds the same state and was left untouched.");

        // The state rolled back to is only worth training on if the epochs before had not already blown up.
        var blownUp = facts.LastEpochLoss is double last && facts.FirstBatchLoss is double first && Math.Abs(last) > 10 * Math.Abs(first)
            ? string.Create(CultureInfo.InvariantCulture, $" That state had already gone wrong (training loss {last:G3} in epoch {facts.Epoch - 1}, after {first:G3} at the first batch): build a new model rather than train it on.")
            : string.Empty;
        // A step too large shows first in the loss; a gradient that alone is not finite usually has another cause.
        var gradientOnly = facts.NonFiniteState is null && double.IsFinite(facts.Loss)
            ? " A finite loss with a non-finite gradient comes more often from an operation whose derivative is infinite where it was evaluated (a square root or logarithm at 0, say), or from a fault in a native kernel (suspect one when the batch differs from run to run with the same seed), than from the learning rate. Otherwise:"
            : string.Empty;
        var rate = Math.Min(facts.LearningRate / 10, facts.UsualLearningRate);
        var advice = string.Create(CultureInfo.InvariantCulture, $" Lower the learning rate, now {facts.LearningRate:G3}, to {rate:G3} or less")
            + (facts.LearningRate > facts.UsualLearningRate ? string.Create(CultureInfo.InvariantCulture, $" ({facts.UsualLearningRate:G3} is this optimizer's usual rate)") : string.Empty)
            + (facts.ClippingHelps ? ", or set MaxGradientNorm (for example 1) to bound each step." : "; with this optimizer clipping the gradient does not bound the step, the learning rate does.");
        var cause = facts.NonFiniteState is string name
            ? $"after its last step '{name}' is not finite"
            : double.IsFinite(facts.Loss)
                ? string.Create(CultureInfo.InvariantCulture, $"the total loss is {facts.Loss} but its gradient is not finite, so no step was taken")
                : string.Create(CultureInfo.InvariantCulture, $"the total loss is {facts.Loss}");
        return string.Create(CultureInfo.InvariantCulture, $"Training diverged in epoch {facts.Epoch}, batch {facts.Batch}: {cause}. The model was returned to {state}.{checkpoint}{blownUp}{gradientOnly}{advice}");
    }
}

/// <summary>What the trainer knows when a loss stops being finite.</summary>
internal sealed record DivergenceFacts(
    int Epoch,
    int Batch,
    double Loss,
    double LearningRate,
    double UsualLearningRate,
    bool ClippingHelps,
    string? LastCheckpoint,
    double? FirstBatchLoss,
    double? LastEpochLoss,
    string? NonFiniteState);
