using System;
using System.Globalization;
using System.Threading;

namespace AutoencoderDsl.Training;

/// <summary>
/// Thrown by <c>Fit</c> when its cancellation token is cancelled, between two batches. It is an
/// <see cref="OperationCanceledException"/> carrying the token, as .NET's cancellation convention asks, and it carries
/// the epochs that finished. The model holds the last batch trained, which may be part-way into the next epoch; the
/// checkpoint, when there is one, holds <see cref="History"/>'s last epoch, so a run resumed from it continues there.
/// </summary>
public sealed class TrainingCanceledException : OperationCanceledException
{
    internal TrainingCanceledException(TrainingHistory? history, CancellationToken token, Exception inner)
        : base(Describe(history), inner, token)
    {
        History = history;
    }

    /// <summary>
    /// The epochs that finished, restored ones included, with <see cref="TrainingStopReason.Cancelled"/>; null when the
    /// run was cancelled before its first epoch finished.
    /// </summary>
    public TrainingHistory? History { get; }

    private static string Describe(TrainingHistory? history) => history is null
        ? "Training was cancelled before its first epoch finished."
        : string.Create(CultureInfo.InvariantCulture, $"Training was cancelled after {history.Epochs.Count} finished epochs ({history.TrainedEpochs} trained by this call); the exception's History holds them.");
}
