using System;
using System.Linq;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// The model and optimizer at the start of an epoch, in memory, to roll a diverged epoch back: copies of every
/// parameter and buffer and of the optimizer's state, made once and overwritten epoch after epoch (writing them out
/// as a model file took 20 to 60 ms an epoch for the 784-400-20 VAE).
/// </summary>
internal sealed class EpochStart : IDisposable
{
    private Tensor[] model = [];
    private OptimizerSnapshot? optimizerState;

    public void Take(nn.Module module, TrainingOptimizer optimizer)
    {
        using var noGrad = no_grad();
        var state = module.state_dict().Values.ToArray();
        if (model.Length != state.Length || model.Zip(state).Any(pair => !pair.First.shape.SequenceEqual(pair.Second.shape) || pair.First.dtype != pair.Second.dtype || pair.First.device != pair.Second.device))
        {
            Array.ForEach(model, copy => copy.Dispose());
            model = state.Select(tensor => tensor.clone().DetachFromDisposeScope()).ToArray();
        }
        else
        {
            for (int i = 0; i < state.Length; i++)
            {
                model[i].copy_(state[i]);
            }
        }

        optimizerState = optimizer.Snapshot(optimizerState);
    }

    public void Restore(nn.Module module, TrainingOptimizer optimizer)
    {
        using (no_grad())
        {
            var state = module.state_dict().Values.ToArray();
            for (int i = 0; i < state.Length; i++)
            {
                state[i].copy_(model[i]);
            }
        }

        optimizer.Restore(optimizerState!);
    }

    public void Dispose()
    {
        Array.ForEach(model, copy => copy.Dispose());
        optimizerState?.Dispose();
    }
}
