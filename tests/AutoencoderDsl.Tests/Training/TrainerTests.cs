using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

public sealed class TrainerTests
{
    [Fact]
    public void Fit_reduces_the_loss_well_below_the_untrained_model()
    {
        using var data = TinyData.Create(256, seed: 1);
        using var model = new TinyAutoencoder(seed: 1);
        var before = model.Evaluate(data);

        var history = model.Fit(data, TinyData.Options(epochs: 8));

        var after = model.Evaluate(data);
        Assert.True(after.Total < 0.5 * before.Total, $"Untrained {before}; trained {after}.");
        Assert.True(history.Last.Train.Total < 0.5 * history.Epochs[0].Train.Total, history.ToString());
    }

    [Fact]
    public void History_has_one_finite_entry_per_epoch_with_every_term()
    {
        using var data = TinyData.Create(128, seed: 2);
        using var validation = TinyData.Create(64, seed: 3);
        using var model = new TinyVae(seed: 2);

        var history = model.Fit(data, TinyData.Options(epochs: 3), validation);

        Assert.Equal([1, 2, 3], history.Epochs.Select(epoch => epoch.Epoch));
        foreach (var epoch in history.Epochs)
        {
            Assert.Equal([LossMetrics.TotalName, LossMetrics.ReconstructionName, LossMetrics.KlName], epoch.Train.Terms.Keys);
            Assert.All(epoch.Train.Terms.Values.Concat(epoch.Validation!.Terms.Values), value => Assert.True(double.IsFinite(value)));
            Assert.True(epoch.Duration > TimeSpan.Zero);
        }
    }

    [Fact]
    public void The_same_seed_gives_bit_identical_runs()
    {
        using var data = TinyData.Create(128, seed: 4);
        using var validation = TinyData.Create(32, seed: 5);
        using var first = new TinyVae(seed: 3);
        using var second = new TinyVae(seed: 3);
        var options = TinyData.Options() with { Corrupt = x => x + 0.1 * randn_like(x) };

        var firstHistory = first.Fit(data, options, validation);
        var secondHistory = second.Fit(data, options, validation);

        TrainingAssert.SameHistory(firstHistory.Epochs, secondHistory.Epochs);
        TrainingAssert.SameParameters(first, second);
    }

    [Fact]
    public void A_different_seed_gives_a_different_run()
    {
        using var data = TinyData.Create(128, seed: 4);
        using var first = new TinyAutoencoder(seed: 3);
        using var second = new TinyAutoencoder(seed: 3);

        var firstHistory = first.Fit(data, TinyData.Options());
        var secondHistory = second.Fit(data, TinyData.Options() with { Seed = 8 });

        Assert.NotEqual(firstHistory.Last.Train.Total, secondHistory.Last.Train.Total);
    }

    [Fact]
    public void Progress_reports_every_batch_then_each_epoch()
    {
        using var data = TinyData.Create(100, seed: 6);
        using var model = new TinyAutoencoder(seed: 4);
        var progress = new RecordingProgress();

        var history = model.Fit(data, TinyData.Options(epochs: 3), progress: progress);

        // 100 examples in batches of 32: 32, 32, 32 and 4.
        Assert.Equal(3 * 5, progress.Reports.Count);
        for (int epoch = 1; epoch <= 3; epoch++)
        {
            var reports = progress.Reports.Skip((epoch - 1) * 5).ToList();
            Assert.Equal([1, 2, 3, 4], reports.Take(4).Select(report => report.Batch));
            Assert.All(reports.Take(4), report =>
            {
                Assert.Equal(TrainingProgressKind.Batch, report.Kind);
                Assert.Equal((epoch, 3, 4), (report.Epoch, report.Epochs, report.Batches));
                Assert.True(double.IsFinite(report.Train.Total) && report.ExamplesPerSecond > 0);
            });

            var end = reports[4];
            Assert.Equal(TrainingProgressKind.Epoch, end.Kind);
            Assert.Equal(epoch, end.Epoch);
            Assert.Equal(history.Epochs[epoch - 1].Train.Terms, end.Train.Terms);

            // The epoch mean weighs each batch by its size, so the small last batch counts for 4 of 100.
            var batchMean = reports.Take(4).Zip(new[] { 32, 32, 32, 4 }).Sum(pair => pair.First.Train.Total * pair.Second) / 100;
            Assert.Equal(batchMean, end.Train.Total, precision: 9);
        }
    }

    [Fact]
    public void Evaluate_and_Fit_restore_the_previous_mode()
    {
        using var data = TinyData.Create(64, seed: 7);
        using var model = new TinyAutoencoder(seed: 5);

        model.train();
        model.Evaluate(data);
        Assert.True(model.training);

        model.eval();
        model.Evaluate(data);
        Assert.False(model.training);

        model.Fit(data, TinyData.Options(epochs: 1));
        Assert.False(model.training);
    }

    [Fact]
    public void Evaluate_is_deterministic_in_eval_mode_and_weights_batches_by_size()
    {
        using var data = TinyData.Create(100, seed: 8);
        using var model = new TinyAutoencoder(seed: 6);

        var whole = model.Evaluate(data, batchSize: 100);
        var batched = model.Evaluate(data, batchSize: 32);

        // Dropout is off in eval mode, so only float rounding separates the two.
        Assert.Equal(whole.Total, batched.Total, precision: 3);
    }

    [Fact]
    public void Corrupt_changes_the_input_but_not_the_target()
    {
        using var data = TinyData.Create(128, seed: 9);
        using var clean = new TinyAutoencoder(seed: 7);
        using var denoising = new TinyAutoencoder(seed: 7);
        long[]? corruptedShape = null;
        var options = TinyData.Options(epochs: 6);

        var cleanLoss = clean.Fit(data, options).Last.Train.Total;
        var zeroedLoss = denoising.Fit(data, options with
        {
            Corrupt = x =>
            {
                corruptedShape = x.shape;
                return zeros_like(x);
            },
        }).Last.Train.Total;

        // From zeroed inputs the model sees nothing, so at best it predicts the mean clean target: no better than the
        // best constant. Were the target zeroed too, the loss would fall towards 0; were the input left clean, it
        // would match the clean run.
        double bestConstant = 0.5 * (data - data.mean([0])).square().sum().item<float>() / data.shape[0];
        Assert.Equal([32L, TinyData.Width], corruptedShape!);
        Assert.True(zeroedLoss > 0.95 * bestConstant, $"zeroed inputs {zeroedLoss}, best constant {bestConstant}");
        Assert.True(cleanLoss < 0.6 * bestConstant, $"clean {cleanLoss}, best constant {bestConstant}");
    }

    [Fact]
    public void A_non_finite_loss_stops_training_naming_epoch_batch_and_value()
    {
        using var data = TinyData.Create(128, seed: 10);
        using var model = new TinyAutoencoder(seed: 8);
        int calls = 0;
        List<Tensor>? afterEpoch1 = null;
        var progress = new RecordingProgress(report =>
        {
            if (report is { Kind: TrainingProgressKind.Epoch, Epoch: 1 })
            {
                afterEpoch1 = TrainingAssert.Snapshot(model);
            }
        });

        // The 7th batch is batch 3 of epoch 2 (4 batches per epoch).
        var options = TinyData.Options() with { Corrupt = x => ++calls == 7 ? x * float.NaN : x };
        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(data, options, progress: progress));

        Assert.Equal((2, 3), (error.Epoch, error.Batch));
        Assert.Contains("epoch 2, batch 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);
        Assert.Contains("returned to its parameters and optimizer state at the end of epoch 1", error.Message, StringComparison.Ordinal);
        Assert.Null(error.LastCheckpoint);
        TrainingAssert.Unchanged(afterEpoch1!, model);
    }

    [Fact]
    public void A_huge_learning_rate_diverges()
    {
        using var data = TinyData.Create(128, seed: 11);
        using var model = new TinyAutoencoder(seed: 9);

        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(data, TinyData.Options(epochs: 5) with { LearningRate = 1e10 }));

        Assert.False(double.IsFinite(error.Loss));
        Assert.Contains($"epoch {error.Epoch}, batch {error.Batch}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gradient_clipping_bounds_the_global_gradient_norm()
    {
        using var data = TinyData.Create(128, seed: 12);
        using var clipped = new TinyAutoencoder(seed: 10);
        using var free = new TinyAutoencoder(seed: 10);
        var options = TinyData.Options(epochs: 1);

        clipped.Fit(data, options with { MaxGradientNorm = 0.01 });
        free.Fit(data, options);

        // The optimizer leaves the last batch's gradients in place, after clipping.
        Assert.True(GradientNorm(free) > 0.1, "The unclipped gradients are too small for the test to mean anything.");
        Assert.True(GradientNorm(clipped) <= 0.01 * (1 + 1e-4), $"The clipped norm is {GradientNorm(clipped)}.");
    }

    [Fact]
    public void Cancellation_stops_between_batches()
    {
        using var data = TinyData.Create(128, seed: 13);
        using var model = new TinyAutoencoder(seed: 11);
        using var cancellation = new CancellationTokenSource();
        model.eval();
        var progress = new RecordingProgress(report =>
        {
            if (report is { Kind: TrainingProgressKind.Batch, Epoch: 2, Batch: 2 })
            {
                cancellation.Cancel();
            }
        });

        Assert.ThrowsAny<OperationCanceledException>(() => model.Fit(data, TinyData.Options(), progress: progress, cancellationToken: cancellation.Token));

        Assert.Equal((2, 2), (progress.Reports[^1].Epoch, progress.Reports[^1].Batch));
        Assert.False(model.training);
    }

    [Fact]
    public void Cancellation_carries_the_epochs_that_finished()
    {
        using var data = TinyData.Create(128, seed: 13);
        using var model = new TinyAutoencoder(seed: 11);
        using var cancellation = new CancellationTokenSource();
        var progress = new RecordingProgress(report =>
        {
            if (report is { Kind: TrainingProgressKind.Batch, Epoch: 3, Batch: 2 })
            {
                cancellation.Cancel();
            }
        });

        var error = Assert.Throws<TrainingCanceledException>(() => model.Fit(data, TinyData.Options(epochs: 4), progress: progress, cancellationToken: cancellation.Token));

        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.NotNull(error.History);
        Assert.Equal(TrainingStopReason.Cancelled, error.History!.StopReason);
        Assert.Equal([1, 2], error.History.Epochs.Select(epoch => epoch.Epoch));
        Assert.Equal(progress.Epochs.Select(report => report.Train), error.History.Epochs.Select(epoch => epoch.Train));
        Assert.Equal(2, error.History.TrainedEpochs);
    }

    [Fact]
    public void Cancellation_before_the_first_epoch_finishes_carries_no_history()
    {
        using var data = TinyData.Create(128, seed: 13);
        using var model = new TinyAutoencoder(seed: 11);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        var error = Assert.Throws<TrainingCanceledException>(() => model.Fit(data, TinyData.Options(), cancellationToken: cancellation.Token));

        Assert.Null(error.History);
        Assert.Contains("before its first epoch finished", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Live_tensor_count_stays_flat_across_epochs()
    {
        using var data = TinyData.Create(160, seed: 14);
        using var validation = TinyData.Create(40, seed: 15);
        using var folder = new Data.TemporaryFolder();
        using var model = new TinyVae(seed: 12);
        var liveAfterEpoch = new long[4];
        var liveAfterBatch = new long[4];
        var progress = new RecordingProgress(report =>
        {
            var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            if (report.Kind == TrainingProgressKind.Epoch)
            {
                liveAfterEpoch[report.Epoch] = live;
            }
            else if (report.Batch == 3)
            {
                liveAfterBatch[report.Epoch] = live;
            }
        });
        var options = TinyData.Options() with
        {
            Corrupt = x => x + 0.1 * randn_like(x),
            MaxGradientNorm = 5,
            CheckpointPath = folder.File("run.ckpt"),
        };
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        model.Fit(data, options, validation, progress);

        Assert.True(liveAfterEpoch[1] > 0, "The counter sees no tensors, so the comparison below would prove nothing.");
        Assert.Equal(liveAfterEpoch[1], liveAfterEpoch[3]);
        Assert.Equal(liveAfterBatch[1], liveAfterBatch[3]);
        // What the model keeps for its next Fit is all that outlives this one, and ResetTraining frees it.
        model.ResetTraining();
        Assert.Equal(liveBefore, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Evaluate_rejects_an_empty_data_set_and_a_bad_batch_size()
    {
        using var model = new TinyAutoencoder(seed: 13);
        using var empty = zeros(0, TinyData.Width);
        using var data = TinyData.Create(8, seed: 16);

        Assert.Throws<ArgumentException>(() => model.Evaluate(empty));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(data, batchSize: 0));
    }

    private static double GradientNorm(nn.Module module) =>
        Math.Sqrt(module.parameters().Sum(parameter => parameter.grad!.square().sum().item<float>()));
}
