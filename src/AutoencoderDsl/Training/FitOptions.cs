using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// How <c>Fit</c> trains. Every option is checked, with an <see cref="ArgumentOutOfRangeException"/> or
/// <see cref="ArgumentException"/> naming it, before any work.
/// </summary>
public sealed record FitOptions
{
    /// <summary>
    /// The number of passes over the training data; at least 1. A <c>Fit</c> that continues the model's last one trains
    /// this many more; one that resumes from an existing <see cref="CheckpointPath"/> (the file wins over the model's
    /// last run) counts the epochs the checkpoint holds, so the same call run again after a crash finishes the run it began.
    /// </summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Examples per mini-batch (the last batch of an epoch may be smaller); at least 1.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>The optimizer's step size (the peak for <see cref="OneCycleSchedule"/>); positive and finite.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The optimizer; <see cref="AdamOptimizer"/> unless set.</summary>
    public OptimizerChoice Optimizer { get; init; } = new AdamOptimizer();

    /// <summary>How the learning rate changes over the run; constant when null.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Stops when the validation loss stops improving, and can restore the best epoch's parameters; off when null.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>
    /// When no validation data is given, the share of the training data held out as validation data (the same
    /// examples for a given <see cref="Seed"/>); in [0, 1), 0 for none.
    /// </summary>
    public double ValidationSplit { get; init; }

    /// <summary>
    /// Seeds libtorch's global generator at the start of <c>Fit</c> (dropout, the VAE's noise and declared corruption
    /// draw from it) and, combined with the epoch, the order of the examples: the same seed gives the same run. A
    /// <c>Fit</c> that continues the model's last one takes that run's random state back instead.
    /// </summary>
    public long Seed { get; init; }

    /// <summary>Whether each epoch visits the examples in a fresh random order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// A corruption of your own: maps each clean input batch to the batch the model sees, while the clean batch stays
    /// the target; it must keep the batch's shape and element type. Validation inputs are corrupted too. A model
    /// declared with <c>[Denoising]</c> adds its own corruption after this one.
    /// </summary>
    public Func<Tensor, Tensor>? Corrupt { get; init; }

    /// <summary>
    /// When set, a checkpoint is written atomically to this file after every epoch, and a run that finds the file
    /// resumes from it: parameters, optimizer state, libtorch's CPU random state and the history, so the resumed run
    /// matches an uninterrupted one on the CPU. The file records the options and a fingerprint of the data it was
    /// trained with; resuming with others is an error unless <see cref="ResumeDespiteChanges"/> is set.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Resumes from a checkpoint trained with other options or data, continuing with these options.</summary>
    public bool ResumeDespiteChanges { get; init; }

    /// <summary>
    /// When set, rescales the gradients so that their global L2 norm is at most this value; positive and finite.
    /// This bounds SGD's steps; Adam's, AdamW's and RMSprop's steps do not grow with the gradient, so it does little there.
    /// </summary>
    public double? MaxGradientNorm { get; init; }

    /// <summary>The device to train on: the model and every batch move there. The model's own device (the CPU unless moved) when null.</summary>
    public Device? Device { get; init; }

    /// <summary>
    /// The element type the training passes run in: <see cref="TrainingPrecision.Float32"/>, the default, or
    /// <see cref="TrainingPrecision.BFloat16"/> (mixed precision on the CPU: float32 master weights, see there).
    /// </summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Float32;

    /// <summary>libtorch's intra-op threads while training, restored afterwards; libtorch's setting (the number of cores) when null.</summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Threads that read and assemble the batches of a data set given as a <see cref="torch.utils.data.Dataset"/> (an image
    /// folder, a memory-mapped array), beside the training thread: half the cores, from 1 to 4, by default. Tensors in
    /// memory need none. The batches and their order do not depend on it.
    /// </summary>
    public int DataWorkers { get; init; } = DefaultDataWorkers;

    /// <summary>
    /// How many batches of a data set may be assembled ahead of training, at most (at least <see cref="DataWorkers"/> are):
    /// the memory a data set costs is about this many batches, whatever its size.
    /// </summary>
    public int PrefetchBatches { get; init; } = 4;

    /// <summary>The default of <see cref="DataWorkers"/>.</summary>
    internal static int DefaultDataWorkers => Math.Clamp(Environment.ProcessorCount / 2, 1, 4);

    /// <summary>How a data set is read under these options.</summary>
    internal DataLoading Loading => new(DataWorkers, Math.Max(PrefetchBatches, DataWorkers));

    /// <summary>
    /// Receives structured events of the run (<see cref="TrainingEvents"/>: start, every epoch with every loss term, resume,
    /// early stopping, rollback after divergence, skipped files, the end); nothing is logged when null, the default.
    /// </summary>
    public ILogger? Logger { get; init; }

    /// <summary>Called after every epoch; any of them can stop training.</summary>
    public IReadOnlyList<ITrainingCallback> Callbacks { get; init; } = [];

    /// <summary>
    /// Hands the memory libtorch has freed back to the operating system (glibc's <c>malloc_trim</c>, on Linux) whenever
    /// the resident set has grown by more than 32 MiB since the last time, checked every 64 batches and after every
    /// epoch, so the resident memory a user watches stays flat instead of keeping the pages of every freed batch. On by
    /// default; it costs an epoch of a 784-400-20 VAE about 1.5 % (the pages released are faulted back in by the
    /// batches after), and it does nothing on other systems.
    /// </summary>
    public bool ReleaseFreedMemory { get; init; } = true;

    /// <summary>
    /// Keeps the loss terms on the device between reports even on the CPU, as training on an accelerator does, so that
    /// the tests run that path here.
    /// </summary>
    internal bool DeferLossReads { get; init; }

    /// <summary>
    /// Checks every batch's gradient for NaN and infinity before its step (the default). Off only in the benchmark
    /// that measures what the check costs.
    /// </summary>
    internal bool CheckGradients { get; init; } = true;

    /// <summary>Throws naming the first option out of range.</summary>
    internal void Validate()
    {
        Check.AtLeast(Epochs, 1, nameof(Epochs));
        Check.AtLeast(BatchSize, 1, nameof(BatchSize));
        Check.PositiveFinite(LearningRate, nameof(LearningRate));
        ArgumentNullException.ThrowIfNull(Optimizer, nameof(Optimizer));
        Optimizer.Validate();
        Schedule?.Validate();
        EarlyStopping?.Validate();
        ArgumentNullException.ThrowIfNull(Callbacks, nameof(Callbacks));
        if (!(ValidationSplit >= 0 && ValidationSplit < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ValidationSplit), ValidationSplit, "ValidationSplit must lie in [0, 1).");
        }

        if (MaxGradientNorm is double maxNorm)
        {
            Check.PositiveFinite(maxNorm, nameof(MaxGradientNorm));
        }

        Check.AtLeast(DataWorkers, 1, nameof(DataWorkers));
        Check.AtLeast(PrefetchBatches, 1, nameof(PrefetchBatches));
        if (Threads is int threads)
        {
            Check.AtLeast(threads, 1, nameof(Threads));
        }

        if (!Enum.IsDefined(Precision))
        {
            throw new ArgumentOutOfRangeException(nameof(Precision), Precision, $"Precision must be {nameof(TrainingPrecision.Float32)} or {nameof(TrainingPrecision.BFloat16)}.");
        }

        if (Precision == TrainingPrecision.BFloat16 && Optimizer is not (AdamOptimizer or AdamWOptimizer))
        {
            throw new ArgumentException(
                $"Precision = BFloat16 keeps its float32 master weights in the flat Adam buffer, so it trains with AdamOptimizer or AdamWOptimizer only, not {Optimizer.GetType().Name}; choose one of those, or leave Precision at Float32.",
                nameof(Precision));
        }

        if (Precision == TrainingPrecision.BFloat16 && Device is { } device && device.type != DeviceType.CPU)
        {
            throw new ArgumentException(
                $"Precision = BFloat16 is mixed precision for the CPU (bfloat16 matrix kernels), not for {device.type}; train on the CPU, or leave Precision at Float32 on {device.type}.",
                nameof(Precision));
        }

        if (CheckpointPath is not null && string.IsNullOrWhiteSpace(CheckpointPath))
        {
            throw new ArgumentOutOfRangeException(nameof(CheckpointPath), CheckpointPath, "The checkpoint path must not be blank; leave it null to disable checkpoints.");
        }
    }
}

/// <summary>The element type <c>Fit</c>'s forward and backward passes run in.</summary>
public enum TrainingPrecision
{
    /// <summary>Everything in float32, the model's own type.</summary>
    Float32,

    /// <summary>
    /// Mixed precision for CPUs with bfloat16 matrix instructions (AVX512-BF16, AMX): each epoch's forward and backward
    /// passes run on a bfloat16 copy of the model and a bfloat16 batch, while the loss is computed in float32 (the decoder's
    /// output and the latent code are cast before it) and Adam updates float32 master weights from the bfloat16 gradients.
    /// Between epochs (validation, checkpoints, the best weights) and after <c>Fit</c> the model holds the float32 masters.
    /// Needs <see cref="AdamOptimizer"/> or <see cref="AdamWOptimizer"/>, the CPU, and a model without convolutions
    /// (libtorch 2.10's bfloat16 CPU convolutions are wrong below 16 output channels) or running statistics (BatchNorm).
    /// On a CPU without bfloat16 instructions it is slower than <see cref="Float32"/>.
    /// </summary>
    BFloat16,
}
