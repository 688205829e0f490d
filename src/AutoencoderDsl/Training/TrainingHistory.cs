using System;
using System.Collections.Generic;
using System.Linq;

namespace AutoencoderDsl.Training;

/// <summary>What one epoch achieved.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Train">The mean loss terms over the epoch's training batches, weighted by batch size.</param>
/// <param name="Validation">The loss on the validation data after the epoch (every term at its declared weight), when there is any.</param>
/// <param name="Duration">The epoch's wall-clock time, validation included.</param>
public sealed record EpochSummary(int Epoch, LossMetrics Train, LossMetrics? Validation, TimeSpan Duration)
{
    /// <summary>The weight of each loss term in this epoch's training total, such as a warming-up β for <c>kl</c>.</summary>
    public IReadOnlyDictionary<string, double> LossWeights { get; init; } = new Dictionary<string, double>();

    /// <summary>The learning rate of the epoch's first batch.</summary>
    public double LearningRate { get; init; }

    /// <summary>A vector-quantized model's codebook usage over the epoch's training batches; null for other models.</summary>
    public CodebookUsage? Codebook { get; init; }

    /// <summary>The KL weight β this epoch trained with, or null for a model without a KL term.</summary>
    public double? Beta => LossWeights.TryGetValue(LossMetrics.KlName, out var beta) ? beta : null;
}

/// <summary>How a vector-quantized model used its codebook over one training epoch.</summary>
/// <param name="Perplexity">exp of the entropy of the codes' shares of the choices: K when all were chosen equally often, 1 when one took them all.</param>
/// <param name="CodesUsed">How many codes were chosen at least once.</param>
/// <param name="Restarted">How many unchosen codes were moved onto encoder outputs at the epoch's end.</param>
public sealed record CodebookUsage(double Perplexity, int CodesUsed, int Restarted);

/// <summary>Why a run ended.</summary>
public enum TrainingStopReason
{
    /// <summary>Every epoch asked for was trained.</summary>
    Completed,

    /// <summary>The validation loss stopped improving (<see cref="FitOptions.EarlyStopping"/>).</summary>
    EarlyStopping,

    /// <summary>A callback asked to stop.</summary>
    Callback,

    /// <summary>
    /// The cancellation token was cancelled. <c>Fit</c> then throws <see cref="TrainingCanceledException"/>, whose
    /// <see cref="TrainingCanceledException.History"/> carries this reason; no returned history does.
    /// </summary>
    Cancelled,
}

/// <summary>The summaries of every completed epoch of a run, including epochs restored from a checkpoint.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(IReadOnlyList<EpochSummary> epochs, int resumedEpochs, TrainingStopReason stopReason, int? bestEpoch, bool restoredBest)
    {
        if (epochs.Count == 0)
        {
            throw new ArgumentException("A training history holds at least one epoch.", nameof(epochs));
        }

        Epochs = epochs;
        ResumedEpochs = resumedEpochs;
        StopReason = stopReason;
        BestEpoch = bestEpoch;
        RestoredBestWeights = restoredBest;
    }

    /// <summary>One summary per epoch, in order.</summary>
    public IReadOnlyList<EpochSummary> Epochs { get; }

    /// <summary>The final epoch.</summary>
    public EpochSummary Last => Epochs[^1];

    /// <summary>How many of <see cref="Epochs"/> were restored from a checkpoint rather than trained by this call.</summary>
    public int ResumedEpochs { get; }

    /// <summary>How many epochs this call trained.</summary>
    public int TrainedEpochs => Epochs.Count - ResumedEpochs;

    /// <summary>Why the run ended.</summary>
    public TrainingStopReason StopReason { get; }

    /// <summary>With early stopping, the epoch with the lowest validation loss; null otherwise.</summary>
    public int? BestEpoch { get; }

    /// <summary>Whether the model was left with <see cref="BestEpoch"/>'s parameters rather than the last epoch's.</summary>
    public bool RestoredBestWeights { get; }

    /// <summary>
    /// What the training data set left out, one line each with why (an image folder's unreadable files, when it was asked
    /// to skip them); empty for tensors and for data sets that left nothing out.
    /// </summary>
    public IReadOnlyList<string> Skipped { get; init; } = [];

    /// <summary>The learning rate each epoch started with.</summary>
    public IReadOnlyList<double> LearningRates => Epochs.Select(epoch => epoch.LearningRate).ToList();

    /// <summary>For example <c>10 epochs; last: total 95.12, reconstruction 95.12</c>.</summary>
    public override string ToString() => $"{Epochs.Count} epochs; last: {Last.Train}";
}
