using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Data;
using AutoencoderDsl.IO;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// Trains and evaluates any <see cref="ITrainableAutoencoder"/>. Every input is checked before the first batch; every
/// batch runs in its own dispose scope, so only parameters and optimizer state outlive it.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// What each model's last completed <c>Fit</c> left for the next one to continue from, kept beside the model (not in
    /// it, so any <see cref="ITrainableAutoencoder"/> continues) for as long as the model lives.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<nn.Module, TrainingContinuation> Continuations = new();

    /// <summary>
    /// Forgets what <paramref name="model"/>'s earlier <c>Fit</c> calls leave for the next to continue (the optimizer's
    /// state, the epoch count and the history, the random state), so that its next <c>Fit</c> starts from epoch 1 with a
    /// new optimizer, from the parameters the model holds now.
    /// </summary>
    public static void ResetTraining(ITrainableAutoencoder model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Continuations.Remove(model.Module, out var continuation))
        {
            continuation.Dispose();
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
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var module = model.Module;
        if (!module.parameters().Any())
        {
            throw new ArgumentException("The model has no parameters to train.", nameof(model));
        }

        train.RequireUsable(model, "train");
        validation?.RequireUsable(model, "validation");

        bool split = options.ValidationSplit > 0;
        if (split && validation is not null)
        {
            throw new ArgumentException("Give validation data or a ValidationSplit, not both.", nameof(options));
        }

        if (options.CheckpointPath is string path)
        {
            AtomicFile.RequireWritable(path, "checkpoint");
        }

        if (options.EarlyStopping is not null && validation is null && !split)
        {
            throw new ArgumentException("Early stopping watches the validation loss; give validation data or set ValidationSplit.", nameof(options));
        }

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
                    RequireBFloat16Trainable(module);
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

    /// <summary>Refuses a model that <see cref="TrainingPrecision.BFloat16"/> cannot keep float32 masters of in the flat Adam buffer.</summary>
    private static void RequireBFloat16Trainable(nn.Module module)
    {
        var parameters = module.parameters().ToArray();
        if (parameters.FirstOrDefault(parameter => parameter.device_type != DeviceType.CPU) is { } elsewhere)
        {
            throw new ArgumentException(
                $"Precision = BFloat16 is mixed precision for the CPU, but the model's parameters are on {elsewhere.device}; move the model to the CPU, or leave Precision at Float32.",
                "options");
        }

        if (parameters.FirstOrDefault(parameter => parameter.dtype != ScalarType.Float32) is { } other)
        {
            throw new ArgumentException(
                $"Precision = BFloat16 trains a float32 model against float32 master weights, but this model's parameters are {other.dtype}; convert the model to float32, or leave Precision at Float32.",
                "options");
        }

        // Measured with `dotnet run --project tests/AutoencoderDsl.Benchmarks -c Release -- bf16-check`.
        if (module.modules().FirstOrDefault(layer => layer is Convolution or PatchConvolution) is { } convolution)
        {
            throw new ArgumentException(
                $"Precision = BFloat16 does not train convolutional models: libtorch 2.10's bfloat16 CPU convolutions are wrong when a layer has fewer than 16 output channels (a quarter of the output off), and an image decoder ends in one; this model has a {convolution.GetName()}. Leave Precision at Float32 for it.",
                "options");
        }

        if (module.named_buffers().Select(buffer => buffer.name).FirstOrDefault() is string buffer)
        {
            throw new ArgumentException(
                $"Precision = BFloat16 does not train models with running statistics, such as BatchNorm's: the bfloat16 copy would keep and update them in bfloat16, but this model has '{buffer}'. Leave Precision at Float32 for it.",
                "options");
        }

        if (parameters.Any(parameter => !parameter.requires_grad))
        {
            throw new ArgumentException(
                "Precision = BFloat16 keeps every parameter's float32 master in one flat Adam buffer, but some of this model's parameters are frozen (requires_grad is false); unfreeze them, or leave Precision at Float32.",
                "options");
        }
    }

    /// <summary>
    /// The mean of each loss term over <paramref name="data"/>, weighted by batch size, in evaluation mode and without
    /// gradients; the model's previous mode is restored afterwards.
    /// </summary>
    /// <param name="model">The model to score.</param>
    /// <param name="data">The examples, and the labels of a class-conditional model.</param>
    /// <param name="batchSize">Examples per forward pass; at least 1.</param>
    public static LossMetrics Evaluate(ITrainableAutoencoder model, TrainingData data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        data.RequireUsable(model, "data");
        using var use = ExclusiveUse.Enter(model.Module, nameof(Evaluate));
        return NativeErrors.Guard(() => Evaluate(model, data, batchSize, corrupt: null, "data"));
    }

    private static LossMetrics Evaluate(ITrainableAutoencoder model, TrainingData data, int batchSize, Func<Tensor, Tensor>? corrupt, string name, DataLoading? loading = null, CancellationToken cancellationToken = default)
    {
        var module = model.Module;
        var device = module.parameters().First().device;
        long count = data.Count;
        bool wasTraining = module.training;
        var globalDraws = model.Draws;
        using var draws = EvaluationDraws(device);
        model.Draws = draws;
        module.eval();
        try
        {
            using var noGrad = no_grad();
            using var terms = new TermAccumulator(device: null);
            using var reader = data.Open(order: null, batchSize, device, TrainingData.Rules(model), name, loading ?? new FitOptions().Loading);
            for (long start = 0; start < count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int size = (int)Math.Min(batchSize, count - start);
                using var batch = reader.Next(size, cancellationToken);
                terms.Add(model.ComputeLoss(Corrupted(corrupt, batch.Examples), batch.Examples, batch.Labels), size);
            }

            return terms.Mean();
        }
        finally
        {
            module.train(wasTraining);
            model.Draws = globalDraws;
        }
    }

    /// <summary>
    /// The generator of the posterior draws an evaluation makes, seeded the same way every time, so the same model and
    /// data give the same figures and the caller's global random state does not move.
    /// </summary>
    internal static Generator EvaluationDraws(Device device) => new(EvaluationSeed, device);

    /// <summary>The seed of <see cref="EvaluationDraws"/>.</summary>
    private const ulong EvaluationSeed = 0x5EED;

    /// <summary>Holds out the last <paramref name="share"/> of a seeded permutation of the data as validation data.</summary>
    private static (TrainingData Train, TrainingData Validation) Split(TrainingData data, double share, long seed)
    {
        long count = data.Count;
        long held = Math.Max(1, (long)Math.Round(count * share));
        if (held >= count)
        {
            throw new ArgumentException($"ValidationSplit {share} of {count} examples leaves none to train on.", "options");
        }

        using var generator = new Generator(unchecked((ulong)seed), CPU);
        using var order = randperm(count, generator: generator);
        using var trainRows = order.narrow(0, 0, count - held);
        using var heldRows = order.narrow(0, count - held, held);
        return (data.Take(trainRows), data.Take(heldRows));
    }

    /// <summary>The batch through <see cref="FitOptions.Corrupt"/>, which must keep its shape and element type.</summary>
    private static Tensor Corrupted(Func<Tensor, Tensor>? corrupt, Tensor clean)
    {
        if (corrupt is null)
        {
            return clean;
        }

        var corrupted = corrupt(clean) ?? throw new ArgumentException("FitOptions.Corrupt returned null; return the corrupted batch.", "options");
        if (!corrupted.shape.SequenceEqual(clean.shape) || corrupted.dtype != clean.dtype)
        {
            throw new ArgumentException(
                $"FitOptions.Corrupt must return a batch like its input, {clean.dtype} {Shapes.Format(clean.shape)}, but returned {corrupted.dtype} {Shapes.Format(corrupted.shape)}.",
                "options");
        }

        return corrupted;
    }

    private static double PerSecond(long examples, TimeSpan elapsed) =>
        elapsed > TimeSpan.Zero ? examples / elapsed.TotalSeconds : 0;

    /// <summary>The state one <c>Fit</c> call shares across its epochs.</summary>
    private sealed class TrainingRun
    {
        private readonly ITrainableAutoencoder model;
        private readonly nn.Module module;
        private readonly TrainingData train;
        private readonly TrainingData? validation;
        private readonly FitOptions options;
        private readonly IProgress<TrainingProgress>? progress;
        private readonly CancellationToken cancellationToken;
        private Parameter[] parameters;

        /// <summary>The parameters the passes run on: <see cref="parameters"/>, or their bfloat16 working copy while an epoch trains in <see cref="TrainingPrecision.BFloat16"/>.</summary>
        private Parameter[] passParameters;
        private readonly Device device;
        private readonly TrainingSignature? signature;
        private readonly Stopwatch runClock = new();
        private readonly EpochStart epochStart = new();
        private readonly ExampleRules rules;
        private readonly ILogger log;
        private readonly TrainingContinuation? continuation;
        private readonly NativeMemory? freedMemory;
        private double? firstBatchLoss;
        private long batchesRun;

        /// <summary>
        /// On an accelerator the loss terms stay on the device and the optimizer skips a non-finite batch's step by
        /// itself, so a batch never waits for the host; the terms are read when a report or the epoch's end needs them.
        /// </summary>
        private readonly bool deferReads;

        /// <summary>How often a deferred run reads its terms for a batch report.</summary>
        private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(0.5);

        public TrainingRun(ITrainableAutoencoder model, TrainingData train, TrainingData? validation, bool validationIsSplit, FitOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, TrainingContinuation? continuation)
        {
            this.continuation = continuation;
            freedMemory = options.ReleaseFreedMemory ? new NativeMemory() : null;
            // Continuing, Epochs counts the epochs this call trains; resuming from a checkpoint, the epochs of the whole run.
            TotalEpochs = (continuation?.History.Count ?? 0) + options.Epochs;
            this.model = model;
            module = model.Module;
            this.train = train;
            this.validation = validation;
            this.options = options;
            this.progress = progress;
            this.cancellationToken = cancellationToken;
            parameters = module.parameters().ToArray();
            passParameters = parameters;
            device = parameters[0].device;
            Examples = train.Count;
            Batches = checked((int)((Examples + options.BatchSize - 1) / options.BatchSize));
            signature = options.CheckpointPath is null ? null : TrainingSignature.Of(options, train, validation, validationIsSplit);
            deferReads = options.DeferLossReads || device.type != DeviceType.CPU;
            rules = TrainingData.Rules(model);
            log = options.Logger ?? NullLogger.Instance;
        }

        private long Examples { get; }

        /// <summary>The epoch the run ends at: <see cref="FitOptions.Epochs"/>, after the epochs of the call it continues, if any.</summary>
        private int TotalEpochs { get; }

        private int Batches { get; }

        /// <summary>Trains, and returns the history and what a next call continues from.</summary>
        public (TrainingHistory History, TrainingContinuation Next) Run()
        {
            using var optimizer = options.Optimizer.Create(parameters, options.LearningRate);
            using var rollback = epochStart;
            using var shuffler = new Generator(0, CPU);
            var history = new List<EpochSummary>();
            byte[]? bestWeights = null;
            TrainingLog.Started(log, model.GetType().Name, Examples, TotalEpochs, options.BatchSize, options.Seed);
            if (train.Source?.Skipped is { Count: > 0 } skipped)
            {
                TrainingLog.FilesSkipped(log, skipped.Count, skipped);
            }

            if (continuation is not null)
            {
                // Restored as a checkpoint would be, from memory, so the run goes on as if it had never stopped.
                continuation.Restore(optimizer);
                history.AddRange(continuation.History);
                bestWeights = continuation.BestWeights;
                TrainingLog.Continued(log, history.Count, TotalEpochs);
            }
            else
            {
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
                }
                else if (FirstNonFinite(module) is string nonFinite)
                {
                    throw new ArgumentException(
                        $"The model's '{nonFinite}' holds non-finite values (NaN or infinity), so training cannot start from it; it may come from a run that diverged. Build a new model, or load a file saved before the divergence.",
                        "model");
                }
            }

            int resumed = history.Count;
            if (resumed > 0 && continuation is null)
            {
                TrainingLog.Resumed(log, options.CheckpointPath!, resumed, options.Epochs);
            }

            var stop = TrainingStopReason.Completed;
            runClock.Start();
            // A continued call trains at least one epoch before early stopping may end it again.
            for (int epoch = history.Count + 1; epoch <= TotalEpochs && !(StopsEarly(history) && (continuation is null || history.Count > resumed)); epoch++)
            {
                var clock = Stopwatch.StartNew();
                var learningRate = RateOf(epoch, 0, history);
                LossMetrics trainMetrics;
                try
                {
                    trainMetrics = TrainEpoch(epoch, history, optimizer, shuffler);
                }
                catch (OperationCanceledException cancelled) when (cancellationToken.IsCancellationRequested && cancelled.CancellationToken == cancellationToken)
                {
                    TrainingLog.Cancelled(log, epoch, history.Count);
                    throw new TrainingCanceledException(
                        history.Count == 0 ? null : new TrainingHistory(history.ToList(), resumed, TrainingStopReason.Cancelled, options.EarlyStopping?.Track(history).BestEpoch, restoredBest: false),
                        cancellationToken,
                        cancelled);
                }

                var validationMetrics = validation is null ? null : Evaluate(model, validation, options.BatchSize, options.Corrupt, "validation", options.Loading, cancellationToken);
                var duration = clock.Elapsed;
                var summary = new EpochSummary(epoch, trainMetrics, validationMetrics, duration)
                {
                    LossWeights = model.Spec.LossTerms.ToDictionary(term => term.Name, term => term.WeightAt(epoch)),
                    LearningRate = learningRate,
                };
                history.Add(summary);
                TrainingLog.EpochCompleted(
                    log, epoch, TotalEpochs, trainMetrics, validationMetrics, learningRate, summary.Beta, duration.TotalSeconds, PerSecond(Examples, duration));

                if (options.EarlyStopping is { RestoreBestWeights: true } early && early.Track(history).BestEpoch == epoch)
                {
                    bestWeights = Snapshot(module);
                }

                if (options.CheckpointPath is not null)
                {
                    Checkpoint.Write(options.CheckpointPath, module, optimizer, history, signature!, bestWeights);
                }

                freedMemory?.ReleaseIfGrown();

                progress?.Report(new TrainingProgress(
                    TrainingProgressKind.Epoch, epoch, TotalEpochs, Batches, Batches, trainMetrics, validationMetrics,
                    PerSecond(Examples, duration), duration, TimeLeft(epoch, Batches)));

                if (options.Callbacks.Any(callback => callback.OnEpochEnd(summary, history) == TrainingDecision.Stop))
                {
                    stop = TrainingStopReason.Callback;
                    break;
                }
            }

            int? bestEpoch = null;
            bool restoredBest = false;
            if (options.EarlyStopping is { } stopping)
            {
                bestEpoch = stopping.Track(history).BestEpoch;
                if (stop == TrainingStopReason.Completed && StopsEarly(history))
                {
                    stop = TrainingStopReason.EarlyStopping;
                    TrainingLog.EarlyStopped(log, history[^1].Epoch, stopping.Patience, history[bestEpoch.Value - 1].Validation!.Total, bestEpoch.Value);
                }

                if (stopping.RestoreBestWeights && bestWeights is not null && bestEpoch != history[^1].Epoch)
                {
                    ModelFile.Read(module, bestWeights, "the best epoch's weights");
                    restoredBest = true;
                    TrainingLog.BestWeightsRestored(log, bestEpoch!.Value);
                }
            }

            TrainingLog.Finished(log, stop, history.Count - resumed, runClock.Elapsed.TotalSeconds, history.Count);

            return (
                new TrainingHistory(history, resumed, stop, bestEpoch, restoredBest) { Skipped = train.Source?.Skipped ?? [] },
                TrainingContinuation.Take(history, optimizer, options.Optimizer, bestWeights, reuse: continuation?.OptimizerState));
        }

        /// <summary>The name of the first parameter or floating-point buffer (a running statistic) holding a NaN or an infinity, read in one transfer; null when all are finite.</summary>
        private static string? FirstNonFinite(nn.Module module)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var named = module.named_parameters().Select(parameter => (parameter.name, Value: (Tensor)parameter.parameter))
                .Concat(module.named_buffers().Where(buffer => is_floating_point(buffer.buffer)).Select(buffer => (buffer.name, Value: buffer.buffer)))
                .ToArray();
            var finite = stack(named.Select(entry => entry.Value.isfinite().all()).ToArray()).cpu().data<bool>().ToArray();
            int first = Array.IndexOf(finite, false);
            return first < 0 ? null : named[first].name;
        }

        private bool StopsEarly(IReadOnlyList<EpochSummary> history) =>
            options.EarlyStopping is { } stopping && history.Count > 0 && stopping.Track(history).Waited >= stopping.Patience;

        /// <summary>Trains one epoch (numbered from 1) and returns its mean loss terms.</summary>
        private LossMetrics TrainEpoch(int epoch, IReadOnlyList<EpochSummary> completed, TrainingOptimizer optimizer, Generator shuffler)
        {
            // A diverged epoch is rolled back whole: to the state the last checkpoint holds, which is the last one that trained without diverging.
            epochStart.Take(module, optimizer);
            module.train();
            model.Epoch = epoch;
            try
            {
                // Seeding per epoch makes the order a function of (Seed, epoch), so a resumed run needs no shuffler state.
                using var order = options.Shuffle ? Permutation(shuffler, unchecked(options.Seed + epoch)) : null;
                bool deferred = deferReads && optimizer.SkipsOnDevice;
                using var terms = new TermAccumulator(deferred ? device : null);
                using var reader = train.Open(order, options.BatchSize, device, rules, "train", options.Loading);
                ToWorkingCopy(optimizer);
                var clock = Stopwatch.StartNew();
                var lastReport = TimeSpan.Zero;
                long seen = 0;
                for (int batch = 1; batch <= Batches; batch++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    TrainBatch(epoch, batch, completed, optimizer, reader, terms, seen);
                    seen += Math.Min(options.BatchSize, Examples - seen);
                    batchesRun++;
                    if (batch % NativeMemory.BatchesBetweenChecks == 0)
                    {
                        freedMemory?.ReleaseIfGrown();
                    }

                    bool report = progress is not null && (!deferred || batch == Batches || clock.Elapsed - lastReport >= ReportInterval);
                    if (deferred && (report || batch == Batches) && terms.Synchronise() is { } diverged)
                    {
                        throw Diverged(epoch, diverged.Batch, diverged.Total, completed, optimizer);
                    }

                    if (report)
                    {
                        lastReport = clock.Elapsed;
                        progress!.Report(new TrainingProgress(
                            TrainingProgressKind.Batch, epoch, TotalEpochs, batch, Batches, terms.Latest(), null,
                            PerSecond(seen, clock.Elapsed), clock.Elapsed, TimeLeft(epoch, batch)));
                    }
                }

                ToMasters(optimizer);

                // What the next epoch starts from, a checkpoint holds and a rollback restores must be finite: finite
                // gradients can still step a parameter, or a forward pass a running statistic, past the float range.
                if (FirstNonFinite(module) is string nonFinite)
                {
                    throw Diverged(epoch, Batches, terms.Latest().Total, completed, optimizer, nonFinite);
                }

                return terms.Mean();
            }
            finally
            {
                ToMasters(optimizer);
                model.Epoch = null;
            }
        }

        /// <summary>
        /// In <see cref="TrainingPrecision.BFloat16"/>, converts the model to bfloat16 for an epoch's passes, its
        /// parameters views into the optimizer's bfloat16 copy of the float32 masters. Once an epoch, so validation,
        /// checkpoints and rollbacks between epochs see the float32 model.
        /// </summary>
        private void ToWorkingCopy(TrainingOptimizer optimizer)
        {
            if (options.Precision != TrainingPrecision.BFloat16 || !ReferenceEquals(passParameters, parameters))
            {
                return;
            }

            module.to(ScalarType.BFloat16);
            passParameters = module.parameters().ToArray();
            ((FlatAdam)optimizer).AttachWorkingCopy(passParameters, ScalarType.BFloat16);
        }

        /// <summary>Ends <see cref="ToWorkingCopy"/>: the model back in float32, its parameters views into the float32 masters; nothing when it is there already.</summary>
        private void ToMasters(TrainingOptimizer optimizer)
        {
            if (ReferenceEquals(passParameters, parameters))
            {
                return;
            }

            module.to(ScalarType.Float32);
            parameters = module.parameters().ToArray();
            passParameters = parameters;
            ((FlatAdam)optimizer).DetachWorkingCopy(parameters);
        }

        /// <summary>One optimizer step on the batch starting at <paramref name="seen"/>, its temporaries released with its scope.</summary>
        private void TrainBatch(int epoch, int batch, IReadOnlyList<EpochSummary> completed, TrainingOptimizer optimizer, IBatchReader reader, TermAccumulator terms, long seen)
        {
            using var scope = NewDisposeScope();
            optimizer.LearningRate = RateOf(epoch, batch - 1, completed);
            int size = (int)Math.Min(options.BatchSize, Examples - seen);
            using var examples = reader.Next(size, cancellationToken);
            var clean = examples.Examples;
            var input = Corrupted(options.Corrupt, clean);
            // A bfloat16 working copy takes a bfloat16 batch; the loss compares its output with the float32 one.
            var loss = model.ComputeLoss(ReferenceEquals(passParameters, parameters) ? input : input.to(ScalarType.BFloat16), clean, examples.Labels);
            optimizer.ZeroGrad();
            loss.Total.backward();
            if (options.MaxGradientNorm is double maxNorm)
            {
                nn.utils.clip_grad_norm_(passParameters, maxNorm);
            }

            // A non-finite gradient under a finite loss would step the parameters to NaN unseen, so both are checked
            // before the step, and read together.
            var gradientsFinite = options.CheckGradients ? optimizer.GradientsFinite() : null;
            if (terms.Deferred)
            {
                var finite = terms.AddOnDevice(loss, size, batch, gradientsFinite);
                // The first batch's loss is read once a run, for the advice a divergence gives.
                firstBatchLoss ??= loss.Total.item<float>();
                optimizer.Step(finite);
            }
            else
            {
                var (total, finite) = terms.Add(loss, size, gradientsFinite);
                firstBatchLoss ??= total;
                if (!finite)
                {
                    throw Diverged(epoch, batch, total, completed, optimizer);
                }

                optimizer.Step();
            }
        }

        /// <summary>
        /// Returns the model and optimizer to the epoch's start, and the exception that says why and what to do: the
        /// batch's total loss was not finite, or its gradient was not (the total is finite), or after the epoch's last
        /// step the parameter or buffer <paramref name="nonFinite"/> was not.
        /// </summary>
        private TrainingDivergedException Diverged(int epoch, int batch, double total, IReadOnlyList<EpochSummary> completed, TrainingOptimizer optimizer, string? nonFinite = null)
        {
            // The rollback restores the float32 model, whose parameters are the masters.
            ToMasters(optimizer);
            epochStart.Restore(module, optimizer);
            var diverged = new TrainingDivergedException(new DivergenceFacts(
                epoch,
                batch,
                total,
                RateOf(epoch, batch - 1, completed),
                options.Optimizer.UsualLearningRate,
                options.Optimizer.StepScalesWithGradient,
                completed.Count > 0 ? options.CheckpointPath : null,
                firstBatchLoss,
                completed.Count > 0 ? completed[^1].Train.Total : null,
                nonFinite));
            TrainingLog.Diverged(log, epoch, batch, total, RateOf(epoch, batch - 1, completed), diverged.Message);
            return diverged;
        }

        private double RateOf(int epoch, int batch, IReadOnlyList<EpochSummary> completed) =>
            options.LearningRate * (options.Schedule?.Factor(epoch, batch, Batches, TotalEpochs, completed) ?? 1);

        /// <summary>The rest of the run at the pace of the batches trained so far in this call.</summary>
        private TimeSpan TimeLeft(int epoch, int batch)
        {
            long left = ((long)(TotalEpochs - epoch) * Batches) + (Batches - batch);
            return batchesRun == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(runClock.Elapsed.Ticks / batchesRun * left);
        }

        private Tensor Permutation(Generator shuffler, long seed)
        {
            using var scope = NewDisposeScope();
            shuffler.manual_seed(seed);
            return randperm(Examples, generator: shuffler).to(train.Examples?.device ?? CPU).MoveToOuterDisposeScope();
        }

        private static byte[] Snapshot(nn.Module module)
        {
            var image = new MemoryStream();
            ModelFile.Write(module, image);
            return image.ToArray();
        }
    }

    /// <summary>
    /// The model and optimizer at the start of an epoch, in memory, to roll a diverged epoch back: copies of every
    /// parameter and buffer and of the optimizer's state, made once and overwritten epoch after epoch (writing them out
    /// as a model file took 20 to 60 ms an epoch for the 784-400-20 VAE).
    /// </summary>
    private sealed class EpochStart : IDisposable
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

    /// <summary>
    /// Keeps each loss term's example-weighted sum over an epoch. Read on the host, every batch's terms are read once;
    /// deferred (given a device), the sums, the last batch's terms and the first non-finite batch stay on the device
    /// until <see cref="Synchronise"/> reads them in one transfer.
    /// </summary>
    private sealed class TermAccumulator(Device? device) : IDisposable
    {
        private string[] names = [];
        private double[] latest = [];
        private double[] sums = [];
        private int totalIndex;
        private long examples;
        private long deviceExamples;
        private Tensor? deviceSums;
        private Tensor? deviceLatest;

        // The number of the first batch whose total or gradients were not finite (+∞ while there is none), and its total.
        private Tensor? firstBad;
        private Tensor? badTotal;

        public bool Deferred => device is not null;

        /// <summary>
        /// Records a batch of <paramref name="size"/> examples, reading its terms and any <paramref name="gradientsFinite"/>
        /// in one transfer, and returns its total loss and whether both the total and the gradients are finite.
        /// </summary>
        public (double Total, bool Finite) Add(ModelLoss loss, long size, Tensor? gradientsFinite = null)
        {
            Start(loss);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var values = gradientsFinite is null ? Values(loss) : cat([Values(loss), gradientsFinite.to(float64).reshape(1)]);
            var host = values.cpu().data<double>().ToArray();
            for (int i = 0; i < latest.Length; i++)
            {
                latest[i] = host[i];
                sums[i] += latest[i] * size;
            }

            examples += size;
            double total = latest[totalIndex];
            return (total, double.IsFinite(total) && (gradientsFinite is null || host[^1] != 0));
        }

        /// <summary>
        /// Records batch number <paramref name="batch"/> on the device and returns whether its total and its gradients
        /// (<paramref name="gradientsFinite"/>) are finite, as a boolean scalar there.
        /// </summary>
        public Tensor AddOnDevice(ModelLoss loss, long size, int batch, Tensor? gradientsFinite)
        {
            Start(loss);
            if (deviceSums is null)
            {
                // Created inside a batch's dispose scope, they must outlive it: this accumulator disposes them.
                deviceSums = zeros(names.Length, float64, device!).DetachFromDisposeScope();
                deviceLatest = zeros(names.Length, float64, device!).DetachFromDisposeScope();
                firstBad = full(1, double.PositiveInfinity, float64, device!).DetachFromDisposeScope();
                badTotal = zeros(1, float64, device!).DetachFromDisposeScope();
            }

            using var noGrad = no_grad();
            var values = Values(loss);
            deviceSums.add_(values, alpha: size);
            deviceLatest!.copy_(values);
            var total = values.narrow(0, totalIndex, 1);
            var finite = gradientsFinite is null ? total.isfinite() : total.isfinite().logical_and(gradientsFinite);
            var first = finite.logical_not().logical_and(firstBad!.isinf());
            firstBad.copy_(where(first, full_like(firstBad, batch), firstBad));
            badTotal!.copy_(where(first, total, badTotal));
            deviceExamples += size;
            return finite.squeeze();
        }

        /// <summary>The batch's terms in double precision, in <see cref="names"/>' order, on their device.</summary>
        private static Tensor Values(ModelLoss loss) =>
            stack(loss.Terms.Select(term => term.Value.detach().reshape(1)).ToArray()).to(float64).flatten();

        /// <summary>Reads what the device holds; returns the first batch whose total or gradients were not finite, if one was.</summary>
        public (int Batch, double Total)? Synchronise()
        {
            if (deviceSums is null)
            {
                return null;
            }

            using var scope = NewDisposeScope();
            var host = cat([deviceSums, deviceLatest!, firstBad!, badTotal!]).cpu().data<double>().ToArray();
            int count = names.Length;
            Array.Copy(host, 0, sums, 0, count);
            Array.Copy(host, count, latest, 0, count);
            examples = deviceExamples;
            return double.IsFinite(host[2 * count]) ? ((int)host[2 * count], host[(2 * count) + 1]) : null;
        }

        public void Dispose()
        {
            deviceSums?.Dispose();
            deviceLatest?.Dispose();
            firstBad?.Dispose();
            badTotal?.Dispose();
        }

        private void Start(ModelLoss loss)
        {
            if (names.Length == 0)
            {
                names = loss.Terms.Select(term => term.Key).ToArray();
                totalIndex = Array.IndexOf(names, LossMetrics.TotalName);
                latest = new double[names.Length];
                sums = new double[names.Length];
            }
        }

        /// <summary>The terms of the last batch.</summary>
        public LossMetrics Latest() => Metrics(latest, 1);

        /// <summary>The mean of each term per example so far.</summary>
        public LossMetrics Mean() => Metrics(sums, examples);

        private LossMetrics Metrics(double[] values, double divisor)
        {
            var terms = new Dictionary<string, double>(names.Length);
            for (int i = 0; i < names.Length; i++)
            {
                terms[names[i]] = values[i] / divisor;
            }

            return new LossMetrics(terms);
        }
    }
}
