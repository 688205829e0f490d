using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// One <c>Fit</c> call: the state it shares across its epochs, and the epoch loop. The rest of the run lives beside this
/// file, each piece in its own: where it starts (<c>TrainingRun.Resume.cs</c>), one epoch
/// (<c>TrainingRun.Epoch.cs</c>), one step (<c>TrainingRun.Step.cs</c>), the bfloat16 working copy
/// (<c>TrainingRun.MixedPrecision.cs</c>), divergence (<c>TrainingRun.Divergence.cs</c>), early stopping
/// (<c>TrainingRun.EarlyStopping.cs</c>) and progress reports (<c>TrainingRun.Progress.cs</c>).
/// </summary>
internal sealed partial class TrainingRun
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
    private readonly bool validationIsSplit;
    private readonly TrainingContinuation? continuation;
    private readonly NativeMemory? freedMemory;
    private double? firstBatchLoss;
    private long batchesRun;

    /// <summary>Every epoch trained so far: those the run resumed or continued from, then its own.</summary>
    private readonly List<EpochSummary> history = [];

    /// <summary>The best epoch's weights, kept when early stopping restores them.</summary>
    private byte[]? bestWeights;

    /// <summary>
    /// On an accelerator the loss terms stay on the device and the optimizer skips a non-finite batch's step by
    /// itself, so a batch never waits for the host; the terms are read when a report or the epoch's end needs them.
    /// </summary>
    private readonly bool deferReads;

    public TrainingRun(ITrainableAutoencoder model, TrainingData train, TrainingData? validation, bool validationIsSplit, FitOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, TrainingContinuation? continuation)
    {
        this.continuation = continuation;
        this.validationIsSplit = validationIsSplit;
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
        TrainingLog.Started(log, model.GetType().Name, Examples, TotalEpochs, options.BatchSize, options.Seed);
        if (train.Source?.Skipped is { Count: > 0 } skipped)
        {
            TrainingLog.FilesSkipped(log, skipped.Count, skipped);
        }

        int resumed = Resume(optimizer);
        PrepareNeighbourhood();
        try
        {
            return TrainEpochs(optimizer, shuffler, resumed);
        }
        finally
        {
            ReleaseNeighbourhood();
        }
    }

    /// <summary>The epochs from the one after the history's last, to the end or a stop.</summary>
    private (TrainingHistory History, TrainingContinuation Next) TrainEpochs(TrainingOptimizer optimizer, Generator shuffler, int resumed)
    {
        var stop = TrainingStopReason.Completed;
        runClock.Start();
        for (int epoch = history.Count + 1; epoch <= TotalEpochs && !StopsBeforeNextEpoch(resumed); epoch++)
        {
            var clock = Stopwatch.StartNew();
            var learningRate = RateOf(epoch, 0);
            LossMetrics trainMetrics;
            CodebookUsage? codebook;
            try
            {
                (trainMetrics, codebook) = TrainEpoch(epoch, optimizer, shuffler);
            }
            catch (OperationCanceledException cancelled) when (cancellationToken.IsCancellationRequested && cancelled.CancellationToken == cancellationToken)
            {
                TrainingLog.Cancelled(log, epoch, history.Count);
                throw new TrainingCanceledException(
                    history.Count == 0 ? null : new TrainingHistory(history.ToList(), resumed, TrainingStopReason.Cancelled, options.EarlyStopping?.Track(history).BestEpoch, restoredBest: false),
                    cancellationToken,
                    cancelled);
            }

            var validationMetrics = validation is null ? null : Trainer.Evaluate(model, validation, options.BatchSize, options.Corrupt, "validation", options.Loading, cancellationToken);
            var duration = clock.Elapsed;
            var summary = new EpochSummary(epoch, trainMetrics, validationMetrics, duration)
            {
                LossWeights = model.Spec.LossTerms.ToDictionary(term => term.Name, term => term.WeightAt(epoch)),
                LearningRate = learningRate,
                Codebook = codebook,
            };
            history.Add(summary);
            TrainingLog.EpochCompleted(
                log, epoch, TotalEpochs, trainMetrics, validationMetrics, learningRate, summary.Beta, duration.TotalSeconds, PerSecond(Examples, duration));
            KeepIfBest(epoch);
            if (options.CheckpointPath is not null)
            {
                Checkpoint.Write(options.CheckpointPath, module, optimizer, history, signature!, bestWeights);
            }

            freedMemory?.ReleaseIfGrown();
            ReportEpoch(epoch, trainMetrics, validationMetrics, duration);
            if (options.Callbacks.Any(callback => callback.OnEpochEnd(summary, history) == TrainingDecision.Stop))
            {
                stop = TrainingStopReason.Callback;
                break;
            }
        }

        var (reason, bestEpoch, restoredBest) = EndEarlyStopping(stop);
        TrainingLog.Finished(log, reason, history.Count - resumed, runClock.Elapsed.TotalSeconds, history.Count);

        return (
            new TrainingHistory(history, resumed, reason, bestEpoch, restoredBest) { Skipped = train.Source?.Skipped ?? [] },
            TrainingContinuation.Take(history, optimizer, options.Optimizer, bestWeights, reuse: continuation?.OptimizerState));
    }

    /// <summary>The learning rate of batch <paramref name="batch"/> (from 0) of <paramref name="epoch"/> (from 1), under the schedule.</summary>
    private double RateOf(int epoch, int batch) =>
        options.LearningRate * (options.Schedule?.Factor(epoch, batch, Batches, TotalEpochs, history) ?? 1);
}
