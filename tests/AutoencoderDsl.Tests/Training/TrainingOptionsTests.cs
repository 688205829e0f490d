using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Tests.Models;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>The knobs of <c>Fit</c>: each optimizer, schedule and stopping rule does what it says, and is recorded.</summary>
public sealed class TrainingOptionsTests
{
    public static TheoryData<OptimizerChoice, double> Optimizers => new()
    {
        { new AdamOptimizer(), 1e-2 },
        { new AdamWOptimizer(), 1e-2 },
        { new SgdOptimizer { Momentum = 0.9, Nesterov = true }, 1e-2 },
        { new RmsPropOptimizer(), 1e-3 },
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Every_optimizer_trains(OptimizerChoice optimizer, double learningRate)
    {
        using var model = new TinyAutoencoder(seed: 1);
        using var data = TinyData.Create(256, seed: 1);
        var before = model.Evaluate(data).Total;

        model.Fit(data, TinyData.Options(epochs: 8) with { Optimizer = optimizer, LearningRate = learningRate });

        var after = model.Evaluate(data).Total;
        Assert.True(after < 0.7 * before, $"{optimizer}: {before} -> {after}");
    }

    [Fact]
    public void Weight_decay_shrinks_the_weights()
    {
        using var plain = new TinyAutoencoder(seed: 2);
        using var decayed = new TinyAutoencoder(seed: 2);
        using var data = TinyData.Create(128, seed: 2);

        plain.Fit(data, TinyData.Options(epochs: 10) with { Optimizer = new SgdOptimizer { Momentum = 0.9 } });
        decayed.Fit(data, TinyData.Options(epochs: 10) with { Optimizer = new SgdOptimizer { Momentum = 0.9, WeightDecay = 0.1 } });

        Assert.True(Norm(decayed) < 0.9 * Norm(plain), $"{Norm(decayed)} vs {Norm(plain)}");
    }

    [Fact]
    public void Bad_settings_are_named_before_any_work()
    {
        using var model = new TinyAutoencoder(seed: 3);
        using var data = TinyData.Create(32, seed: 3);

        Assert.Equal("Nesterov", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(data, TinyData.Options() with { Optimizer = new SgdOptimizer { Nesterov = true } })).ParamName);
        Assert.Equal("Beta2", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(data, TinyData.Options() with { Optimizer = new AdamOptimizer { Beta2 = 1 } })).ParamName);
        Assert.Equal("Gamma", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(data, TinyData.Options() with { Schedule = new StepSchedule(2, Gamma: 0) })).ParamName);
        Assert.Equal("Patience", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(data, TinyData.Options() with { EarlyStopping = new EarlyStopping(Patience: 0) })).ParamName);
        Assert.Equal("ValidationSplit", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(data, TinyData.Options() with { ValidationSplit = 1 })).ParamName);
        Assert.Equal("Threads", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(data, TinyData.Options() with { Threads = 0 })).ParamName);
        Assert.Contains("give validation data or set ValidationSplit", Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options() with { EarlyStopping = new EarlyStopping() })).Message, StringComparison.Ordinal);
        Assert.Contains("not both", Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options() with { ValidationSplit = 0.2 }, validation: data)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_schedule_is_recorded_epoch_by_epoch()
    {
        using var model = new TinyAutoencoder(seed: 4);
        using var data = TinyData.Create(64, seed: 4);

        var history = model.Fit(data, TinyData.Options(epochs: 5) with { LearningRate = 0.01, Schedule = new StepSchedule(StepEpochs: 2, Gamma: 0.5) });

        Assert.Equal([0.01, 0.01, 0.005, 0.005, 0.0025], history.LearningRates.Select(rate => Math.Round(rate, 10)));
    }

    [Fact]
    public void Cosine_warms_up_linearly_then_anneals_to_its_floor()
    {
        var cosine = new CosineSchedule(WarmupEpochs: 2, MinimumFactor: 0.1);
        const int Batches = 4, Epochs = 6;

        Assert.Equal(0.125, cosine.Factor(1, 0, Batches, Epochs, []), 12);
        Assert.Equal(1.0, cosine.Factor(2, 3, Batches, Epochs, []), 12);
        Assert.Equal(1.0, cosine.Factor(3, 0, Batches, Epochs, []), 12);
        Assert.Equal(0.55, cosine.Factor(5, 0, Batches, Epochs, []), 12);
        Assert.True(cosine.Factor(6, 3, Batches, Epochs, []) < 0.12);
    }

    [Fact]
    public void One_cycle_rises_to_the_peak_and_falls_far_below_the_start()
    {
        var cycle = new OneCycleSchedule();
        const int Batches = 10, Epochs = 10;
        var factors = Enumerable.Range(1, Epochs).SelectMany(epoch => Enumerable.Range(0, Batches).Select(batch => cycle.Factor(epoch, batch, Batches, Epochs, []))).ToList();

        Assert.Equal(1.0 / 25, factors[0], 12);
        Assert.Equal(1.0, factors.Max(), 3);
        Assert.InRange(factors.IndexOf(factors.Max()), 28, 31);
        Assert.Equal(1.0 / 25 / 1e4, factors[^1], 12);
    }

    [Fact]
    public void Reduce_on_plateau_cuts_the_rate_after_its_patience()
    {
        var plateau = new ReduceOnPlateauSchedule(ReductionFactor: 0.5, Patience: 2, MinDelta: 0.01);
        var losses = new[] { 10.0, 9.0, 9.0, 8.995, 7.0, 7.0, 7.0 };
        var history = losses.Select((loss, index) => new EpochSummary(index + 1, Metrics(loss), Metrics(loss), TimeSpan.Zero)).ToList();

        var factors = Enumerable.Range(0, history.Count + 1).Select(count => plateau.Factor(count + 1, 0, 1, 10, history.Take(count).ToList())).ToList();

        Assert.Equal([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25], factors);
    }

    [Fact]
    public void Early_stopping_stops_after_its_patience_and_restores_the_best_weights()
    {
        using var model = new TinyAutoencoder(seed: 5);
        using var train = TinyData.Create(32, seed: 5);
        using var unseen = TinyData.Create(256, seed: 6) * 3;

        // Few examples, an unrelated validation set and a large step: the validation loss soon stops improving.
        var history = model.Fit(train, TinyData.Options(epochs: 60) with { LearningRate = 0.05, EarlyStopping = new EarlyStopping(Patience: 3) }, validation: unseen);

        var best = history.Epochs.MinBy(epoch => epoch.Validation!.Total)!;
        Assert.Equal(TrainingStopReason.EarlyStopping, history.StopReason);
        Assert.True(history.Epochs.Count < 60);
        Assert.Equal(best.Epoch, history.BestEpoch);
        Assert.Equal(best.Epoch + 3, history.Last.Epoch);
        Assert.True(history.RestoredBestWeights);
        Assert.Equal(best.Validation!.Total, model.Evaluate(unseen).Total, 4);
    }

    [Fact]
    public void A_validation_split_is_held_out_of_training()
    {
        using var model = new TinyAutoencoder(seed: 7);
        using var data = TinyData.Create(100, seed: 7);
        var batches = new List<int>();
        var progress = new RecordingProgress(report => batches.Add(report.Batches));

        var history = model.Fit(data, TinyData.Options(epochs: 2) with { ValidationSplit = 0.2 }, progress: progress);

        Assert.All(history.Epochs, epoch => Assert.NotNull(epoch.Validation));
        Assert.All(batches, count => Assert.Equal(3, count));
    }

    [Fact]
    public void A_callback_can_stop_training()
    {
        using var model = new TinyAutoencoder(seed: 8);
        using var data = TinyData.Create(64, seed: 8);
        var seen = new List<int>();
        var stopAtTwo = new EpochCallback((epoch, history) =>
        {
            seen.Add(history.Count);
            return epoch.Epoch == 2 ? TrainingDecision.Stop : TrainingDecision.Continue;
        });

        var history = model.Fit(data, TinyData.Options(epochs: 5) with { Callbacks = [stopAtTwo] });

        Assert.Equal(2, history.Epochs.Count);
        Assert.Equal(TrainingStopReason.Callback, history.StopReason);
        Assert.Equal([1, 2], seen);
    }

    [Fact]
    public void Threads_apply_while_training_and_are_restored()
    {
        using var model = new TinyAutoencoder(seed: 9);
        using var data = TinyData.Create(64, seed: 9);
        int before = get_num_threads();
        var during = new List<int>();

        model.Fit(data, TinyData.Options(epochs: 1) with { Threads = 1 }, progress: new RecordingProgress(_ => during.Add(get_num_threads())));

        Assert.All(during, threads => Assert.Equal(1, threads));
        Assert.Equal(before, get_num_threads());
    }

    [Fact]
    public void Progress_reports_examples_per_second_and_a_time_left_that_runs_down_to_zero()
    {
        using var model = new TinyAutoencoder(seed: 10);
        using var data = TinyData.Create(128, seed: 10);
        var progress = new RecordingProgress();

        model.Fit(data, TinyData.Options(epochs: 3), progress: progress);

        var batches = progress.Reports.Where(report => report.Kind == TrainingProgressKind.Batch).ToList();
        Assert.All(batches, report => Assert.True(report.ExamplesPerSecond > 0));
        Assert.True(batches[0].TimeLeft > TimeSpan.Zero);
        Assert.Equal(TimeSpan.Zero, batches[^1].TimeLeft);
        Assert.True(batches[^2].TimeLeft <= batches[0].TimeLeft);
    }

    [CudaFact]
    public void Training_on_a_CUDA_device_moves_the_model_and_every_batch_there()
    {
        using var model = new TinyAutoencoder(seed: 11);
        using var data = TinyData.Create(64, seed: 11);

        var history = model.Fit(data, TinyData.Options(epochs: 2) with { Device = CUDA });

        Assert.All(model.parameters(), parameter => Assert.Equal(DeviceType.CUDA, parameter.device_type));
        Assert.True(double.IsFinite(history.Last.Train.Total));
    }

    private static double Norm(nn.Module module) =>
        Math.Sqrt(module.parameters().Sum(parameter => parameter.square().sum().item<float>()));

    private static LossMetrics Metrics(double total) => new(new Dictionary<string, double> { [LossMetrics.TotalName] = total, [LossMetrics.ReconstructionName] = total });
}

/// <summary>A fact that runs only where a CUDA device is present, and says plainly that it skipped elsewhere.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!cuda.is_available())
        {
            Skip = "No CUDA device here (TorchSharp-cpu or no GPU): the CUDA test did not run.";
        }
    }
}
