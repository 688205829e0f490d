using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using TorchSharp;

namespace AutoencoderDsl.Training;

/// <summary>
/// What a completed <c>Fit</c> leaves for the model's next one, in memory: the optimizer's state, libtorch's CPU random
/// state, the history and the best epoch's weights; what a checkpoint holds besides the parameters, which stay in the
/// model. Continuing from it, two calls of 2 epochs train exactly as one of 4.
/// </summary>
internal sealed class TrainingContinuation
{
    private readonly byte[] optimizerState;
    private readonly byte[] randomState;

    private TrainingContinuation(List<EpochSummary> history, OptimizerChoice optimizer, byte[] optimizerState, byte[] randomState, byte[]? bestWeights)
    {
        History = history;
        Optimizer = optimizer;
        this.optimizerState = optimizerState;
        this.randomState = randomState;
        BestWeights = bestWeights;
    }

    /// <summary>The epochs trained so far, by every call.</summary>
    public IReadOnlyList<EpochSummary> History { get; }

    /// <summary>The optimizer whose state this is; another cannot take it.</summary>
    public OptimizerChoice Optimizer { get; }

    /// <summary>The best epoch's weights, when early stopping keeps them.</summary>
    public byte[]? BestWeights { get; }

    public static TrainingContinuation Take(IReadOnlyList<EpochSummary> history, TrainingOptimizer optimizer, OptimizerChoice choice, byte[]? bestWeights)
    {
        var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, Encoding.UTF8, leaveOpen: true))
        {
            optimizer.Save(writer);
        }

        using var random = torch.random.get_rng_state();
        return new TrainingContinuation(history.ToList(), choice, state.ToArray(), random.bytes.ToArray(), bestWeights);
    }

    /// <summary>Puts the optimizer's state into <paramref name="optimizer"/> (made by the same choice) and libtorch's random state back.</summary>
    public void Restore(TrainingOptimizer optimizer)
    {
        using (var reader = new BinaryReader(new MemoryStream(optimizerState), Encoding.UTF8))
        {
            optimizer.Load(reader);
        }

        using var state = torch.tensor(randomState);
        torch.random.set_rng_state(state);
    }
}
