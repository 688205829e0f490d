using System;
using System.Linq;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>A VAE whose KL weight warms up over three epochs, so a continued run must carry the epoch count.</summary>
[Variational(LatentDim = 2, Likelihood = Likelihood.Gaussian, KlWarmupEpochs = 3)]
[Input(TinyData.Width)]
internal sealed partial class TinyWarmupVae
{
    [Dense(16), ReLU, Dropout(0.1)]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}

/// <summary>
/// A second <c>Fit</c> continues the first: the optimizer's state, the epoch count, the schedule, the warm-up and the
/// random state go on, so 2 epochs and 2 more give the parameters 4 give, bit for bit, and one history.
/// </summary>
public sealed class ContinuationTests : IDisposable
{
    private readonly Tensor data = TinyData.Create(128, seed: 60);
    private readonly Tensor validation = TinyData.Create(64, seed: 61);

    public void Dispose()
    {
        data.Dispose();
        validation.Dispose();
    }

    public static TheoryData<string> Optimizers => ["adam", "adamw", "sgd"];

    private static FitOptions Options(string optimizer, int epochs) => TinyData.Options(epochs) with
    {
        Optimizer = optimizer switch
        {
            "adam" => new AdamOptimizer(),
            "adamw" => new AdamWOptimizer { WeightDecay = 0.01 },
            _ => new SgdOptimizer { Momentum = 0.9 },
        },
        Schedule = new StepSchedule(StepEpochs: 3, Gamma: 0.5),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Two_epochs_and_two_more_train_exactly_as_four(string optimizer)
    {
        using var whole = new TinyWarmupVae(seed: 60);
        var four = whole.Fit(data, Options(optimizer, 4), validation);

        using var halves = new TinyWarmupVae(seed: 60);
        var first = halves.Fit(data, Options(optimizer, 2), validation);
        // Between the calls the caller may draw from libtorch's generator; the run's own random state comes back.
        randn(100).Dispose();

        var second = halves.Fit(data, Options(optimizer, 2), validation);

        TrainingAssert.SameParameters(whole, halves);
        TrainingAssert.SameHistory(four.Epochs, second.Epochs);
        Assert.Equal([1, 2], first.Epochs.Select(epoch => epoch.Epoch));
        Assert.Equal([1, 2, 3, 4], second.Epochs.Select(epoch => epoch.Epoch));
        Assert.Equal((2, 2), (second.ResumedEpochs, second.TrainedEpochs));
        // The warm-up and the schedule went on from epoch 3, not from 1 again.
        Assert.Equal([0.0, 1.0 / 3, 2.0 / 3, 1.0], second.Epochs.Select(epoch => epoch.Beta!.Value));
        Assert.Equal(four.LearningRates, second.LearningRates);
        Assert.Equal(0.005, second.Epochs[3].LearningRate, 12);
    }

    [Fact]
    public void Progress_reports_and_the_log_count_the_epochs_of_the_whole_run()
    {
        using var model = new TinyAutoencoder(seed: 62);
        model.Fit(data, TinyData.Options(epochs: 2));
        var progress = new RecordingProgress();
        var logger = new CapturingLogger();

        model.Fit(data, TinyData.Options(epochs: 3) with { Logger = logger }, progress: progress);

        Assert.Equal([3, 4, 5], progress.Epochs.Select(report => report.Epoch));
        Assert.All(progress.Reports, report => Assert.Equal(5, report.Epochs));
        var continued = logger.Single(TrainingEvents.Continued);
        Assert.Equal((2, 5), (continued.Value<int>("Epoch"), continued.Value<int>("Epochs")));
    }

    [Fact]
    public void ResetTraining_starts_afresh_from_the_parameters_the_model_holds()
    {
        using var model = new TinyAutoencoder(seed: 63);
        model.Fit(data, TinyData.Options(epochs: 2));
        using var copy = new TinyAutoencoder(seed: 99);
        copy.load_state_dict(model.state_dict());

        model.ResetTraining();
        var again = model.Fit(data, TinyData.Options(epochs: 2));
        var fresh = copy.Fit(data, TinyData.Options(epochs: 2));

        Assert.Equal([1, 2], again.Epochs.Select(epoch => epoch.Epoch));
        Assert.Equal(0, again.ResumedEpochs);
        TrainingAssert.SameHistory(fresh.Epochs, again.Epochs);
        TrainingAssert.SameParameters(copy, model);
    }

    [Fact]
    public void Another_optimizer_is_refused_naming_both_and_the_run_can_still_continue()
    {
        using var model = new TinyAutoencoder(seed: 64);
        model.Fit(data, TinyData.Options(epochs: 1));
        var before = TrainingAssert.Snapshot(model);

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options(epochs: 1) with { Optimizer = new SgdOptimizer() }));

        Assert.Contains("AdamOptimizer", error.Message, StringComparison.Ordinal);
        Assert.Contains("SgdOptimizer", error.Message, StringComparison.Ordinal);
        Assert.Contains("ResetTraining()", error.Message, StringComparison.Ordinal);
        TrainingAssert.Unchanged(before, model);
        Assert.Equal([1, 2], model.Fit(data, TinyData.Options(epochs: 1)).Epochs.Select(epoch => epoch.Epoch));
    }

    [Fact]
    public void A_run_that_throws_leaves_nothing_to_continue_and_the_next_starts_at_epoch_one()
    {
        using var model = new TinyAutoencoder(seed: 65);
        model.Fit(data, TinyData.Options(epochs: 1));
        using (GradientPoison.OnForward(model, 2))
        {
            Assert.Throws<TrainingDivergedException>(() => model.Fit(data, TinyData.Options(epochs: 1)));
        }

        Assert.Equal([1], model.Fit(data, TinyData.Options(epochs: 1)).Epochs.Select(epoch => epoch.Epoch));
    }

    [Fact]
    public void A_continued_run_trains_at_least_one_epoch_after_early_stopping_ended_the_last()
    {
        using var model = new TinyAutoencoder(seed: 66);
        var options = TinyData.Options(epochs: 10) with { EarlyStopping = new EarlyStopping(Patience: 1, MinDelta: 1e9, RestoreBestWeights: false) };
        var stopped = model.Fit(data, options, validation);
        Assert.Equal((TrainingStopReason.EarlyStopping, 2), (stopped.StopReason, stopped.Epochs.Count));

        var more = model.Fit(data, options, validation);

        Assert.Equal([1, 2, 3], more.Epochs.Select(epoch => epoch.Epoch));
        Assert.Equal(TrainingStopReason.EarlyStopping, more.StopReason);
    }
}
