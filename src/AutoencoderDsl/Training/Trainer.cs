using System;
using System.IO;
using System.Threading;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// Trains and evaluates any <see cref="ITrainableAutoencoder"/>. Every input is checked before the first batch; every
/// batch runs in its own dispose scope, so only parameters and optimizer state outlive it.
/// </summary>
public static partial class Trainer
{
    /// <summary>
    /// What each model's last completed <c>Fit</c> left for the next one to continue from, kept beside the model (not in
    /// it, so any <see cref="ITrainableAutoencoder"/> continues) for as long as the model lives.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<nn.Module, TrainingContinuation> Continuations = new();

    /// <summary>The neighbourhood graph of each model's last training data, which its next <c>Fit</c> on the same data reuses.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<nn.Module, NeighbourhoodData> Neighbourhoods = new();

    /// <summary>The graph <paramref name="module"/> kept from an earlier <c>Fit</c>, if it is of <paramref name="train"/> over <paramref name="k"/> neighbours.</summary>
    internal static NeighbourhoodData? CachedNeighbourhood(nn.Module module, TrainingData train, int k) =>
        Neighbourhoods.TryGetValue(module, out var kept) && kept.IsFor(train, k) ? kept : null;

    /// <summary>Keeps <paramref name="data"/> for <paramref name="module"/>'s next <c>Fit</c>, releasing the graph it replaces.</summary>
    internal static void KeepNeighbourhood(nn.Module module, NeighbourhoodData data)
    {
        if (Neighbourhoods.TryGetValue(module, out var kept) && !ReferenceEquals(kept, data))
        {
            kept.Dispose();
        }

        Neighbourhoods.AddOrUpdate(module, data);
    }

    /// <summary>
    /// Forgets what <paramref name="model"/>'s earlier <c>Fit</c> calls leave for the next to continue (the optimizer's
    /// state, the epoch count and the history, the random state), so that its next <c>Fit</c> starts from epoch 1 with a
    /// new optimizer, from the parameters the model holds now. The neighbourhood part's graph of the training data is
    /// released too, so a next <c>Fit</c> builds it again (after changing the training tensor's values in place, say).
    /// </summary>
    public static void ResetTraining(ITrainableAutoencoder model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Continuations.Remove(model.Module, out var continuation))
        {
            continuation.Dispose();
        }

        if (Neighbourhoods.Remove(model.Module, out var neighbourhood))
        {
            neighbourhood.Dispose();
        }
    }

    /// <summary>
    /// Trains <paramref name="model"/> on mini-batches of <paramref name="train"/> and returns one summary per epoch.
    /// The model's train/eval mode and libtorch's thread count are restored afterwards.
    /// </summary>
    /// <param name="model">The model to train, in place.</param>
    /// <param name="train">The training examples (and the labels of a class-conditional model); batches move to the training device.</param>
    /// <param name="options">The optimizer, schedule, stopping rules, checkpointing and the rest.</param>
    /// <param name="validation">Examples scored after every epoch, corrupted like the training inputs by <see cref="FitOptions.Corrupt"/>; optional.</param>
    /// <param name="progress">Receives a report after every batch and every epoch; optional.</param>
    /// <param name="cancellationToken">Checked before every batch; the last checkpoint stays valid.</param>
    /// <exception cref="TrainingDivergedException">
    /// A batch's total loss or gradient was not finite (no step is taken on it), or a parameter or buffer was not at the
    /// end of an epoch; the model is back at the start of that epoch, whose parameters are finite.
    /// </exception>
    /// <exception cref="TrainingCanceledException">
    /// Cancellation was requested; it carries the epochs that finished, and the model holds the last completed batch.
    /// </exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is damaged, belongs to another architecture, or holds non-finite parameters.</exception>
    /// <exception cref="InvalidOperationException">Another thread is using the model (a model is not thread-safe).</exception>
    /// <exception cref="IOException">Another run, in this process or another, holds the checkpoint.</exception>
    public static TrainingHistory Fit(
        ITrainableAutoencoder model,
        TrainingData train,
        FitOptions options,
        TrainingData? validation,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        FitChecks.Require(model, train, options, validation);
        var module = model.Module;
        bool split = options.ValidationSplit > 0;

        using var use = ExclusiveUse.Enter(module, "Fit", exclusive: true);
        using var checkpointLock = options.CheckpointPath is string locked ? CheckpointLock.Take(locked) : null;
        return NativeErrors.Guard(() =>
        {
            // No dispose scope around the run: tensors that progress handlers and callbacks create are the caller's.
            var held = split ? Split(train, options.ValidationSplit, options.Seed) : default;
            if (split)
            {
                (train, validation) = held;
            }

            int threads = get_num_threads();
            bool wasTraining = module.training;
            try
            {
                if (options.Threads is int wanted)
                {
                    set_num_threads(wanted);
                }

                if (options.Device is { } device)
                {
                    module.to(device);
                }

                if (options.Precision == TrainingPrecision.BFloat16)
                {
                    FitChecks.RequireBFloat16Trainable(module);
                }

                // Taken out before the run: a run that throws leaves none, and the next Fit starts afresh. A checkpoint
                // that exists decides instead, so a run with one behaves the same in this process and in the next.
                Continuations.Remove(module, out var continuation);
                if (options.CheckpointPath is string checkpoint && File.Exists(checkpoint))
                {
                    continuation?.Dispose();
                    continuation = null;
                }

                if (continuation is not null && continuation.Optimizer != options.Optimizer)
                {
                    Continuations.AddOrUpdate(module, continuation);
                    throw new ArgumentException(
                        $"The model's last Fit trained with {continuation.Optimizer} and this one asks for {options.Optimizer}: an optimizer's state cannot carry over to another. Pass the same optimizer to continue, or call ResetTraining() first to start afresh from the current parameters.",
                        nameof(options));
                }

                TrainingHistory history;
                TrainingContinuation next;
                try
                {
                    (history, next) = new TrainingRun(model, train, validation, split, options, progress, cancellationToken, continuation).Run();
                }
                catch
                {
                    continuation?.Dispose();
                    throw;
                }

                // The new continuation took over the old one's optimizer state (overwritten, not copied).
                Continuations.AddOrUpdate(module, next);
                return history;
            }
            finally
            {
                module.train(wasTraining);
                set_num_threads(threads);
                // Only the split's copies are ours to release; the caller's tensors stay theirs.
                held.Train?.ReleaseCopy();
                held.Validation?.ReleaseCopy();
            }
        });
    }
}
