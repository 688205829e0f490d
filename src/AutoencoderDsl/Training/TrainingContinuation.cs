using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;

namespace AutoencoderDsl.Training;

/// <summary>
/// What a completed <c>Fit</c> leaves for the model's next one, in memory: the optimizer's state, libtorch's CPU random
/// state, the history and the best epoch's weights; what a checkpoint holds besides the parameters, which stay in the
/// model. Continuing from it, two calls of 2 epochs train exactly as one of 4.
/// </summary>
internal sealed class TrainingContinuation : IDisposable
{
    private readonly byte[] randomState;

    private TrainingContinuation(List<EpochSummary> history, OptimizerChoice optimizer, OptimizerSnapshot optimizerState, byte[] randomState, byte[]? bestWeights)
    {
        History = history;
        Optimizer = optimizer;
        OptimizerState = optimizerState;
        this.randomState = randomState;
        BestWeights = bestWeights;
    }

    /// <summary>The epochs trained so far, by every call.</summary>
    public IReadOnlyList<EpochSummary> History { get; }

    /// <summary>The optimizer whose state this is; another cannot take it.</summary>
    public OptimizerChoice Optimizer { get; }

    /// <summary>The optimizer's state after the last epoch.</summary>
    public OptimizerSnapshot OptimizerState { get; }

    /// <summary>The best epoch's weights, when early stopping keeps them.</summary>
    public byte[]? BestWeights { get; }

    /// <summary>
    /// The state after <paramref name="history"/>'s last epoch; <paramref name="reuse"/>, the optimizer state of the
    /// continuation this run began from, is overwritten rather than another allocated.
    /// </summary>
    public static TrainingContinuation Take(IReadOnlyList<EpochSummary> history, TrainingOptimizer optimizer, OptimizerChoice choice, byte[]? bestWeights, OptimizerSnapshot? reuse)
    {
        var state = optimizer.Snapshot(reuse);
        using var random = torch.random.get_rng_state();
        return new TrainingContinuation(history.ToList(), choice, state, random.bytes.ToArray(), bestWeights);
    }

    /// <summary>Puts the optimizer's state into <paramref name="optimizer"/> (made by the same choice) and libtorch's random state back.</summary>
    public void Restore(TrainingOptimizer optimizer)
    {
        optimizer.Restore(OptimizerState);
        using var state = torch.tensor(randomState);
        torch.random.set_rng_state(state);
    }

    public void Dispose() => OptimizerState.Dispose();
}
