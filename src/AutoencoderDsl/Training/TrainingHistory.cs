using System;
using System.Collections.Generic;

namespace AutoencoderDsl.Training;

/// <summary>What one epoch achieved.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Train">The mean loss terms over the epoch's training batches, weighted by batch size.</param>
/// <param name="Validation">The loss on the validation data after the epoch (with every term at its declared weight), when there is any.</param>
/// <param name="Duration">The epoch's wall-clock time, validation included.</param>
public sealed record EpochSummary(int Epoch, LossMetrics Train, LossMetrics? Validation, TimeSpan Duration)
{
    /// <summary>The weight of each loss term in this epoch's training total, such as a warming-up β for <c>kl</c>.</summary>
    public IReadOnlyDictionary<string, double> LossWeights { get; init; } = new Dictionary<string, double>();

    /// <summary>The KL weight β this epoch trained with, or null for a model without a KL term.</summary>
    public double? Beta => LossWeights.TryGetValue(LossMetrics.KlName, out var beta) ? beta : null;
}

/// <summary>The summaries of every completed epoch of a run, including epochs restored from a checkpoint.</summary>
public sealed class TrainingHistory
{
    internal TrainingHistory(IReadOnlyList<EpochSummary> epochs)
    {
        if (epochs.Count == 0)
        {
            throw new ArgumentException("A training history holds at least one epoch.", nameof(epochs));
        }

        Epochs = epochs;
    }

    /// <summary>One summary per epoch, in order.</summary>
    public IReadOnlyList<EpochSummary> Epochs { get; }

    /// <summary>The final epoch.</summary>
    public EpochSummary Last => Epochs[^1];

    /// <summary>For example <c>10 epochs; last: total 95.12, reconstruction 95.12</c>.</summary>
    public override string ToString() => $"{Epochs.Count} epochs; last: {Last.Train}";
}
