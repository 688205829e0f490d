using System;
using System.IO;
using TorchSharp;

namespace AutoencoderDsl.Training;

// Where a run starts: the model's last Fit, a checkpoint, or the seed.
internal sealed partial class TrainingRun
{
    /// <summary>
    /// Restores what the run goes on from (the continuation of the model's last <c>Fit</c> from memory, else the
    /// checkpoint on disk over the seeded random state, else the seed alone) and returns how many epochs it holds.
    /// </summary>
    private int Resume(TrainingOptimizer optimizer)
    {
        if (continuation is not null)
        {
            // Restored as a checkpoint would be, from memory, so the run goes on as if it had never stopped.
            continuation.Restore(optimizer);
            history.AddRange(continuation.History);
            bestWeights = continuation.BestWeights;
            TrainingLog.Continued(log, history.Count, TotalEpochs);
            return history.Count;
        }

        // A checkpoint's random state, restored below, replaces this.
        torch.manual_seed(options.Seed);
        if (options.CheckpointPath is string path && File.Exists(path))
        {
            // The caller's model and optimizer, to put back if the checkpoint holds a diverged state.
            epochStart.Take(module, optimizer);
            var restored = Checkpoint.Restore(path, module, optimizer, signature!, options.ResumeDespiteChanges);
            if (FirstNonFinite(module) is string diverged)
            {
                epochStart.Restore(module, optimizer);
                throw new InvalidDataException(
                    $"The checkpoint '{path}' holds non-finite values in '{diverged}': it was written by a run that had already diverged, and would diverge again at once. Delete it, or give another CheckpointPath, to train from the start; the model was left as it was.");
            }

            if (restored.History.Count > options.Epochs)
            {
                epochStart.Restore(module, optimizer);
                throw new ArgumentException(
                    $"The checkpoint '{path}' already holds {restored.History.Count} epochs, more than Epochs = {options.Epochs}, which counts them; ask for Epochs = {restored.History.Count + 1} or more to train on, or use another CheckpointPath; the model was left as it was.",
                    "options");
            }

            history.AddRange(restored.History);
            bestWeights = restored.BestWeights;
            if (history.Count > 0)
            {
                TrainingLog.Resumed(log, path, history.Count, options.Epochs);
            }
        }
        else if (FirstNonFinite(module) is string nonFinite)
        {
            throw new ArgumentException(
                $"The model's '{nonFinite}' holds non-finite values (NaN or infinity), so training cannot start from it; it may come from a run that diverged. Build a new model, or load a file saved before the divergence.",
                "model");
        }

        return history.Count;
    }
}
