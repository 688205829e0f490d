using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>How <c>Fit</c> trains: Adam on shuffled mini-batches, with optional denoising, clipping and checkpoints.</summary>
public sealed record FitOptions
{
    /// <summary>The number of passes over the training data, counting epochs restored from a checkpoint; at least 1.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Examples per mini-batch (the last batch of an epoch may be smaller); at least 1.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's step size; positive and finite.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// Seeds libtorch's global generator at the start of <c>Fit</c> (dropout and the VAE's noise draw from it)
    /// and, combined with the epoch, the order of the examples: the same seed gives the same run.
    /// </summary>
    public long Seed { get; init; }

    /// <summary>Whether each epoch visits the examples in a fresh random order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// For a denoising autoencoder: maps each clean input batch to the corrupted batch the model sees, while the
    /// clean batch stays the target. Temporaries it creates are released with the batch.
    /// </summary>
    public Func<Tensor, Tensor>? Corrupt { get; init; }

    /// <summary>
    /// When set, a checkpoint is written atomically to this file after every epoch, and a run that finds the file
    /// resumes from it: parameters, Adam's moments, libtorch's CPU random state and the history, so the resumed run
    /// matches an uninterrupted one on the CPU. The other options, the learning rate included, come from this instance.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>When set, rescales the gradients so that their global L2 norm is at most this value; positive and finite.</summary>
    public double? MaxGradientNorm { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        RequirePositiveFinite(LearningRate, nameof(LearningRate));
        if (MaxGradientNorm is double maxNorm)
        {
            RequirePositiveFinite(maxNorm, nameof(MaxGradientNorm));
        }

        if (CheckpointPath is not null && string.IsNullOrWhiteSpace(CheckpointPath))
        {
            throw new ArgumentOutOfRangeException(nameof(CheckpointPath), CheckpointPath, "The checkpoint path must not be blank; leave it null to disable checkpoints.");
        }
    }

    private static void RequirePositiveFinite(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite.");
        }
    }
}
