using System;
using System.Collections.Generic;

namespace AutoencoderDsl.Training;

/// <summary>What a callback tells the trainer after an epoch.</summary>
public enum TrainingDecision
{
    /// <summary>Train the next epoch.</summary>
    Continue,

    /// <summary>Stop after this epoch; the history says a callback stopped it.</summary>
    Stop,
}

/// <summary>
/// Called after every epoch, once its summary (validation and checkpoint included) is complete, in the spirit of
/// Keras callbacks; <see cref="IProgress{T}"/> reports go on beside it.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>Looks at the epoch just trained and the history so far, and decides whether training goes on.</summary>
    TrainingDecision OnEpochEnd(EpochSummary epoch, IReadOnlyList<EpochSummary> history);
}

/// <summary>A callback from a function: <c>new EpochCallback((epoch, _) =&gt; epoch.Validation?.Total &lt; 250 ? TrainingDecision.Stop : TrainingDecision.Continue)</c>.</summary>
public sealed class EpochCallback(Func<EpochSummary, IReadOnlyList<EpochSummary>, TrainingDecision> decide) : ITrainingCallback
{
    private readonly Func<EpochSummary, IReadOnlyList<EpochSummary>, TrainingDecision> decide = decide ?? throw new ArgumentNullException(nameof(decide));

    /// <inheritdoc/>
    public TrainingDecision OnEpochEnd(EpochSummary epoch, IReadOnlyList<EpochSummary> history) => decide(epoch, history);
}
