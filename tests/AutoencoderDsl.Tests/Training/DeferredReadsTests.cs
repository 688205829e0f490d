using System;
using System.Linq;
using AutoencoderDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>
/// The path training takes on an accelerator, where no batch reads its loss on the host: the terms accumulate on the
/// device, the optimizer skips a non-finite step by a flag it never reads, and reports read everything at once. Run
/// here on the CPU through <see cref="FitOptions.DeferLossReads"/>.
/// </summary>
public sealed class DeferredReadsTests
{
    [Fact]
    public void The_history_matches_reading_every_batch()
    {
        using var data = TinyData.Create(160, seed: 21);
        using var validation = TinyData.Create(40, seed: 22);
        using var read = new TinyVae(seed: 20);
        using var deferred = new TinyVae(seed: 20);
        var progress = new RecordingProgress();

        var expected = read.Fit(data, TinyData.Options(epochs: 3), validation);
        var actual = deferred.Fit(data, TinyData.Options(epochs: 3) with { DeferLossReads = true }, validation, progress);

        foreach (var (e, a) in expected.Epochs.Zip(actual.Epochs))
        {
            foreach (var (name, value) in e.Train.Terms)
            {
                Assert.True(Math.Abs(value - a.Train.Terms[name]) <= 1e-4 * Math.Abs(value) + 1e-6, $"Epoch {e.Epoch}'s {name}: {value} read, {a.Train.Terms[name]} deferred.");
            }
        }

        // Batch reports come at most every half second, and always for an epoch's last batch.
        var batches = progress.Reports.Where(report => report.Kind == TrainingProgressKind.Batch).ToList();
        Assert.Equal(Enumerable.Range(1, 3), batches.Where(report => report.Batch == report.Batches).Select(report => report.Epoch));
        Assert.True(batches.Count < 3 * 5, $"{batches.Count} batch reports for 15 batches.");
        Assert.All(batches, report => Assert.True(double.IsFinite(report.Train.Total) && report.Train.Total > 0, "A report carries the last batch's terms."));
    }

    [Fact]
    public void A_non_finite_batch_is_named_and_never_stepped_on()
    {
        using var data = TinyData.Create(128, seed: 6);
        using var model = new TinyAutoencoder(seed: 8);
        int calls = 0;
        System.Collections.Generic.List<Tensor>? afterEpoch1 = null;

        // A callback rather than a progress handler: batch reports would read the terms whenever half a second had
        // passed, which on a busy machine can come at batch 3.
        var snapshot = new EpochCallback((epoch, _) =>
        {
            afterEpoch1 ??= TrainingAssert.Snapshot(model);
            return TrainingDecision.Continue;
        });

        // The 7th batch is batch 3 of epoch 2 (4 batches per epoch); batch 4 after it trains before the epoch's read.
        var options = TinyData.Options() with { Corrupt = x => ++calls == 7 ? x * float.NaN : x, DeferLossReads = true, Callbacks = [snapshot] };
        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(data, options));

        Assert.Equal((2, 3), (error.Epoch, error.Batch));
        Assert.True(double.IsNaN(error.Loss));
        Assert.Equal(8, calls);
        TrainingAssert.Unchanged(afterEpoch1!, model);
    }

    [Fact]
    public void A_skipped_step_leaves_parameters_and_moments_as_they_were()
    {
        using var model = new TinyVae(seed: 2);
        using var data = TinyData.Create(32, seed: 3);
        using var optimizer = new AdamOptimizer().Create(model.parameters().ToArray(), 1e-2);
        Assert.True(optimizer.SkipsOnDevice);
        Step(model, optimizer, data, apply: true);
        var weights = TrainingAssert.Snapshot(model);
        var state = new System.IO.MemoryStream();
        optimizer.Save(new System.IO.BinaryWriter(state));

        Step(model, optimizer, data * float.NaN, apply: false);

        TrainingAssert.Unchanged(weights, model);
        var after = new System.IO.MemoryStream();
        optimizer.Save(new System.IO.BinaryWriter(after));
        // The moments are unchanged; only the step count (8 bytes after the tag) moved.
        var (before, now) = (state.ToArray(), after.ToArray());
        Assert.Equal(before.Length, now.Length);
        Assert.Equal(1, Enumerable.Range(0, before.Length).Count(i => before[i] != now[i]));
    }

    private static void Step(TinyVae model, TrainingOptimizer optimizer, Tensor data, bool apply)
    {
        using var scope = NewDisposeScope();
        var loss = ((ITrainableAutoencoder)model).ComputeLoss(data, data, null).Total;
        optimizer.ZeroGrad();
        loss.backward();
        optimizer.Step(tensor(apply));
    }
}
