using System;
using System.IO;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>
/// Resuming is exact, not approximate: the checkpoint carries the parameters, Adam's moments and step counts, and
/// libtorch's global random state (dropout, the VAE's noise, random corruption), while the shuffling order is a
/// function of the seed and the epoch. So a resumed run must match an uninterrupted one bit for bit.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly Tensor data = TinyData.Create(128, seed: 20);
    private readonly Tensor validation = TinyData.Create(32, seed: 21);
    private readonly TemporaryFolder folder = new();

    public void Dispose()
    {
        data.Dispose();
        validation.Dispose();
        folder.Dispose();
    }

    private static FitOptions Options(int epochs, string? checkpoint = null) =>
        TinyData.Options(epochs) with { Corrupt = x => x + 0.1 * randn_like(x), CheckpointPath = checkpoint };

    [Fact]
    public void Resuming_after_two_epochs_matches_four_epochs_straight()
    {
        using var straight = new TinyVae(seed: 20);
        var straightHistory = straight.Fit(data, Options(epochs: 4), validation);
        var checkpoint = folder.File("vae.ckpt");

        using (var interrupted = new TinyVae(seed: 20))
        {
            Assert.Equal(2, interrupted.Fit(data, Options(epochs: 2, checkpoint), validation).Epochs.Count);
        }

        // A differently initialised model: everything that matters must come from the checkpoint.
        using var resumed = new TinyVae(seed: 99);
        var progress = new RecordingProgress();
        var resumedHistory = resumed.Fit(data, Options(epochs: 4, checkpoint), validation, progress);

        Assert.Equal([3, 4], progress.Epochs.Select(report => report.Epoch));
        TrainingAssert.SameHistory(straightHistory.Epochs, resumedHistory.Epochs);
        TrainingAssert.SameParameters(straight, resumed);
    }

    [Fact]
    public void A_cancelled_run_resumes_from_its_last_completed_epoch()
    {
        using var straight = new TinyAutoencoder(seed: 21);
        var straightHistory = straight.Fit(data, Options(epochs: 4));
        var checkpoint = folder.File("ae.ckpt");
        using var cancellation = new CancellationTokenSource();
        var cancelInEpoch3 = new RecordingProgress(report =>
        {
            if (report is { Kind: TrainingProgressKind.Batch, Epoch: 3, Batch: 2 })
            {
                cancellation.Cancel();
            }
        });

        using (var cancelled = new TinyAutoencoder(seed: 21))
        {
            Assert.ThrowsAny<OperationCanceledException>(
                () => cancelled.Fit(data, Options(epochs: 4, checkpoint), progress: cancelInEpoch3, cancellationToken: cancellation.Token));
        }

        using var resumed = new TinyAutoencoder(seed: 21);
        var resumedHistory = resumed.Fit(data, Options(epochs: 4, checkpoint));

        TrainingAssert.SameHistory(straightHistory.Epochs, resumedHistory.Epochs);
        TrainingAssert.SameParameters(straight, resumed);
    }

    [Fact]
    public void A_finished_checkpoint_returns_its_history_without_training()
    {
        var checkpoint = folder.File("done.ckpt");
        using var model = new TinyAutoencoder(seed: 22);
        var history = model.Fit(data, Options(epochs: 2, checkpoint));
        var snapshot = TrainingAssert.Snapshot(model);
        var progress = new RecordingProgress();

        var again = model.Fit(data, Options(epochs: 2, checkpoint), progress: progress);

        Assert.Empty(progress.Reports);
        TrainingAssert.SameHistory(history.Epochs, again.Epochs);
        TrainingAssert.Unchanged(snapshot, model);
    }

    [Fact]
    public void Divergence_leaves_the_last_checkpoint_untouched_and_names_it()
    {
        var checkpoint = folder.File("diverged.ckpt");
        byte[]? afterEpoch2 = null;
        var progress = new RecordingProgress(report =>
        {
            if (report is { Kind: TrainingProgressKind.Epoch, Epoch: 2 })
            {
                afterEpoch2 = File.ReadAllBytes(checkpoint);
            }
        });
        int calls = 0;
        var options = Options(epochs: 4, checkpoint) with { Corrupt = x => ++calls == 10 ? x * float.NaN : x };
        using var model = new TinyAutoencoder(seed: 23);

        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(data, options, progress: progress));

        Assert.Equal((3, 2), (error.Epoch, error.Batch));
        Assert.Equal(checkpoint, error.LastCheckpoint);
        Assert.Contains($"The checkpoint '{checkpoint}' holds the same state and was left untouched", error.Message, StringComparison.Ordinal);
        Assert.Equal(afterEpoch2, File.ReadAllBytes(checkpoint));
        // Beside the checkpoint only its run's lock file, which stays, empty.
        Assert.Equal([Path.GetFileName(checkpoint), Path.GetFileName(checkpoint) + ".lock"], Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_checkpoint_of_another_architecture_is_rejected_before_anything_changes()
    {
        var checkpoint = folder.File("wide.ckpt");
        using (var wide = new TinyWideAutoencoder(seed: 24))
        {
            wide.Fit(data, Options(epochs: 1, checkpoint));
        }

        using var narrow = new TinyAutoencoder(seed: 24);
        var snapshot = TrainingAssert.Snapshot(narrow);

        var error = Assert.Throws<InvalidDataException>(() => narrow.Fit(data, Options(epochs: 2, checkpoint)));

        Assert.Contains(checkpoint, error.Message, StringComparison.Ordinal);
        Assert.Contains("'code.weight' has shape [3, 16] in the file but [2, 16] in the model", error.Message, StringComparison.Ordinal);
        TrainingAssert.Unchanged(snapshot, narrow);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.98)]
    public void A_truncated_checkpoint_is_rejected_naming_the_file(double keptFraction)
    {
        var checkpoint = folder.File("truncated.ckpt");
        using var model = new TinyAutoencoder(seed: 25);
        model.Fit(data, Options(epochs: 1, checkpoint));
        var bytes = File.ReadAllBytes(checkpoint);
        File.WriteAllBytes(checkpoint, bytes[..(int)(bytes.Length * keptFraction)]);

        var error = Assert.Throws<InvalidDataException>(() => model.Fit(data, Options(epochs: 2, checkpoint)));

        Assert.Contains(checkpoint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_rejected_naming_the_file()
    {
        var modelFile = folder.File("model.bin");
        using var model = new TinyAutoencoder(seed: 26);
        model.Save(modelFile);

        var error = Assert.Throws<InvalidDataException>(() => model.Fit(data, Options(epochs: 1, modelFile)));

        Assert.Contains($"'{modelFile}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not an AutoencoderDsl checkpoint", error.Message, StringComparison.Ordinal);
    }
}
