using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Data;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>
/// <see cref="FitOptions.Logger"/>: the events a run logs, each with its stable ID and its values as structured
/// properties that agree with the history <c>Fit</c> returns.
/// </summary>
public sealed class LoggingTests(ITestOutputHelper output) : IDisposable
{
    private readonly Tensor data = TinyData.Create(128, seed: 50);
    private readonly Tensor validation = TinyData.Create(64, seed: 51);
    private readonly TemporaryFolder folder = new();

    public void Dispose()
    {
        data.Dispose();
        validation.Dispose();
        folder.Dispose();
    }

    [Fact]
    public void Every_epoch_is_one_event_carrying_every_loss_term_the_learning_rate_beta_and_speed()
    {
        var logger = new CapturingLogger();
        using var model = new TinyVae(seed: 50);

        var history = model.Fit(data, TinyData.Options(epochs: 3) with { Logger = logger }, validation);
        logger.Events.ForEach(entry => output.WriteLine($"{entry.Level} {entry.Id}: {entry.Message}"));

        Assert.Equal([TrainingEvents.Started, TrainingEvents.EpochCompleted, TrainingEvents.EpochCompleted, TrainingEvents.EpochCompleted, TrainingEvents.Finished], logger.Events.Select(entry => entry.Id.Id));
        Assert.Equal(["Started", "EpochCompleted", "Finished"], logger.Events.Select(entry => entry.Id.Name).Distinct());
        var epochs = logger.Events.Where(entry => entry.Id.Id == TrainingEvents.EpochCompleted).ToArray();
        for (int i = 0; i < epochs.Length; i++)
        {
            var logged = epochs[i];
            var summary = history.Epochs[i];
            Assert.Equal(LogLevel.Information, logged.Level);
            Assert.Equal(summary.Epoch, logged.Value<int>("Epoch"));
            Assert.Equal(3, logged.Value<int>("Epochs"));
            Assert.Equal(summary.Train.Terms, logged.Value<LossMetrics>("Train").Terms);
            Assert.Equal(summary.Validation!.Terms, logged.Value<LossMetrics>("Validation").Terms);
            Assert.Equal(["kl", "reconstruction", "total"], logged.Value<LossMetrics>("Train").Terms.Keys.Order());
            Assert.Equal(summary.LearningRate, logged.Value<double>("LearningRate"));
            Assert.Equal(summary.Beta, logged.Value<double?>("Beta"));
            Assert.Equal(summary.Duration.TotalSeconds, logged.Value<double>("Seconds"));
            Assert.True(logged.Value<double>("ExamplesPerSecond") > 0);
            Assert.StartsWith($"Epoch {i + 1}/3: {summary.Train}; validation {summary.Validation}; learning rate 0.01, β 1; ", logged.Message, StringComparison.Ordinal);
        }

        var started = logger.Events[0];
        Assert.Equal(("TinyVae", 128L, 32), (started.Value<string>("Model"), started.Value<long>("Examples"), started.Value<int>("BatchSize")));
        var finished = logger.Events[^1];
        Assert.Equal((TrainingStopReason.Completed, 3), (finished.Value<TrainingStopReason>("StopReason"), finished.Value<int>("TrainedEpochs")));
    }

    [Fact]
    public void Nothing_is_logged_by_default_and_a_disabled_level_builds_no_epoch_event()
    {
        Assert.Null(new FitOptions().Logger);
        var logger = new CapturingLogger(LogLevel.Warning);
        using var model = new TinyAutoencoder(seed: 52);

        model.Fit(data, TinyData.Options(epochs: 2) with { Logger = logger });

        Assert.Empty(logger.Events);
        Assert.True(logger.Asked > 0);
    }

    [Fact]
    public void Early_stopping_and_restoring_the_best_epoch_are_logged()
    {
        var logger = new CapturingLogger();
        using var model = new TinyAutoencoder(seed: 53);
        // No improvement can be as large as MinDelta, so epoch 1 stays the best and the run stops after epoch 3.
        var options = TinyData.Options(epochs: 10) with { Logger = logger, EarlyStopping = new EarlyStopping(Patience: 2, MinDelta: 1e9) };

        var history = model.Fit(data, options, validation);

        Assert.Equal(TrainingStopReason.EarlyStopping, history.StopReason);
        var stopped = logger.Single(TrainingEvents.EarlyStopped);
        Assert.Equal((3, 2, 1), (stopped.Value<int>("Epoch"), stopped.Value<int>("Patience"), stopped.Value<int>("BestEpoch")));
        Assert.Equal(history.Epochs[0].Validation!.Total, stopped.Value<double>("BestLoss"));
        Assert.Equal(1, logger.Single(TrainingEvents.BestWeightsRestored).Value<int>("BestEpoch"));
        Assert.Equal(TrainingStopReason.EarlyStopping, logger.Single(TrainingEvents.Finished).Value<TrainingStopReason>("StopReason"));
    }

    [Fact]
    public void A_resumed_run_says_where_it_resumed_from()
    {
        var checkpoint = folder.File("run.ckpt");
        using (var first = new TinyAutoencoder(seed: 54))
        {
            first.Fit(data, TinyData.Options(epochs: 1) with { CheckpointPath = checkpoint });
        }

        var logger = new CapturingLogger();
        using var model = new TinyAutoencoder(seed: 54);
        var history = model.Fit(data, TinyData.Options(epochs: 2) with { CheckpointPath = checkpoint, Logger = logger });

        var resumed = logger.Single(TrainingEvents.Resumed);
        Assert.Equal((checkpoint, 1, 2), (resumed.Value<string>("CheckpointPath"), resumed.Value<int>("Epoch"), resumed.Value<int>("Epochs")));
        Assert.Equal([2], logger.Events.Where(entry => entry.Id.Id == TrainingEvents.EpochCompleted).Select(entry => entry.Value<int>("Epoch")));
        Assert.Equal(1, history.ResumedEpochs);
    }

    [Fact]
    public void A_divergence_is_a_warning_that_says_the_model_was_rolled_back()
    {
        var logger = new CapturingLogger();
        using var model = new TinyAutoencoder(seed: 55);
        using var poison = GradientPoison.OnForward(model, 6);

        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(data, TinyData.Options(epochs: 3) with { Logger = logger }));

        var diverged = logger.Single(TrainingEvents.Diverged);
        Assert.Equal(LogLevel.Warning, diverged.Level);
        Assert.Equal((2, 2), (diverged.Value<int>("Epoch"), diverged.Value<int>("Batch")));
        Assert.Equal(error.Message, diverged.Value<string>("Advice"));
        Assert.Contains("rolled back to the start of epoch 2", diverged.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Events, entry => entry.Id.Id == TrainingEvents.Finished);
    }

    [Fact]
    public void Skipped_files_are_a_warning_naming_them_and_cancellation_is_logged()
    {
        var logger = new CapturingLogger();
        using var model = new TinyAutoencoder(seed: 56);
        using var skipping = new SkippingDataset(data, ["/data/broken.png: it is truncated", "/data/empty.png: empty (0 bytes)"]);
        using var cancellation = new CancellationTokenSource();
        var options = TinyData.Options(epochs: 3) with { Logger = logger, Callbacks = [new CancelAfterFirstEpoch(cancellation)] };

        Assert.Throws<TrainingCanceledException>(() => model.Fit(skipping, options, cancellationToken: cancellation.Token));

        var skipped = logger.Single(TrainingEvents.FilesSkipped);
        Assert.Equal(LogLevel.Warning, skipped.Level);
        Assert.Equal(2, skipped.Value<int>("Count"));
        Assert.Equal(skipping.Skipped, skipped.Value<IReadOnlyList<string>>("Files"));
        Assert.Contains("/data/broken.png: it is truncated", skipped.Message, StringComparison.Ordinal);
        var cancelled = logger.Single(TrainingEvents.Cancelled);
        Assert.Equal((2, 1), (cancelled.Value<int>("Epoch"), cancelled.Value<int>("CompletedEpochs")));
    }

    private sealed class CancelAfterFirstEpoch(CancellationTokenSource source) : ITrainingCallback
    {
        public TrainingDecision OnEpochEnd(EpochSummary epoch, IReadOnlyList<EpochSummary> history)
        {
            source.Cancel();
            return TrainingDecision.Continue;
        }
    }

    /// <summary>Tensors in memory presented as a data set that reports files it left out, as an image folder does.</summary>
    private sealed class SkippingDataset(Tensor examples, IReadOnlyList<string> skipped) : utils.data.Dataset, IExampleSource
    {
        public override long Count => examples.shape[0];

        public string Fingerprint => "skipping test set";

        public IReadOnlyList<string>? ClassNames => null;

        public IReadOnlyList<string> Skipped => skipped;

        public string? Origin(long index) => null;

        public override Dictionary<string, Tensor> GetTensor(long index) => new() { [DataKeys.Data] = examples[index].clone() };
    }
}

/// <summary>Keeps every event with its structured properties, as a structured logging provider sees them.</summary>
internal sealed class CapturingLogger(LogLevel minimum = LogLevel.Trace) : ILogger
{
    public List<Entry> Events { get; } = [];

    /// <summary>How often the trainer asked whether a level is enabled.</summary>
    public int Asked { get; private set; }

    public Entry Single(int id) => Assert.Single(Events, entry => entry.Id.Id == id);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel)
    {
        Asked++;
        return logLevel >= minimum;
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var properties = Assert.IsAssignableFrom<IEnumerable<KeyValuePair<string, object?>>>(state).ToDictionary(pair => pair.Key, pair => pair.Value);
        Events.Add(new Entry(logLevel, eventId, formatter(state, exception), properties));
    }

    public sealed record Entry(LogLevel Level, EventId Id, string Message, IReadOnlyDictionary<string, object?> Properties)
    {
        public T Value<T>(string name) => Assert.IsAssignableFrom<T>(Properties[name]);
    }
}
