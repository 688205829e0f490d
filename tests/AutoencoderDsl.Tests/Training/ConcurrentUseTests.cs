using System;
using System.IO;
using System.Threading;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>
/// A model is not thread-safe, and says so: while one thread trains it, another thread's inference or second
/// <c>Fit</c> is refused with an error naming what runs (it used to switch the running fit to evaluation mode, or fail in
/// autograd), while the training thread itself may still use it. A checkpoint belongs to the run that writes it.
/// </summary>
public sealed class ConcurrentUseTests : IDisposable
{
    private readonly Tensor data = TinyData.Create(128, seed: 50);
    private readonly TemporaryFolder folder = new();

    public void Dispose()
    {
        data.Dispose();
        folder.Dispose();
    }

    [Fact]
    public void Inference_and_a_second_fit_from_another_thread_and_a_nested_fit_are_refused_while_a_fit_runs()
    {
        using var model = new TinyAutoencoder(seed: 50);
        Exception? reconstruct = null;
        Exception? fit = null;
        bool trainingMode = false;
        Tensor? sameThread = null;
        Exception? nested = null;
        var progress = new RecordingProgress(report =>
        {
            if (report is { Kind: TrainingProgressKind.Batch, Epoch: 1, Batch: 2 })
            {
                reconstruct = OnAnotherThread(() => model.Reconstruct(data).Dispose());
                fit = OnAnotherThread(() => model.Fit(data, TinyData.Options(epochs: 1)));
                sameThread = model.Reconstruct(data);
                trainingMode = model.training;
                nested = Record.Exception(() => model.Fit(data, TinyData.Options(epochs: 1)));
            }
        });

        model.Fit(data, TinyData.Options(epochs: 2), progress: progress);

        var refused = Assert.IsType<InvalidOperationException>(reconstruct);
        Assert.Contains("Fit is running on another thread", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Reconstruct was refused", refused.Message, StringComparison.Ordinal);
        Assert.Contains("not thread-safe", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Fit was refused", Assert.IsType<InvalidOperationException>(fit).Message, StringComparison.Ordinal);
        Assert.NotNull(sameThread);
        sameThread!.Dispose();
        Assert.True(trainingMode, "The training thread's own inference restores training mode.");
        Assert.Contains("Fit was called while Fit runs on this same thread", Assert.IsType<InvalidOperationException>(nested).Message, StringComparison.Ordinal);

        // Released once the fit returns.
        Assert.Null(OnAnotherThread(() => model.Reconstruct(data).Dispose()));
    }

    [Fact]
    public void Two_runs_cannot_write_one_checkpoint()
    {
        var checkpoint = folder.File("shared.ckpt");
        using var first = new TinyAutoencoder(seed: 51);
        using var second = new TinyAutoencoder(seed: 52);
        IOException? refused = null;
        var progress = new RecordingProgress(report =>
        {
            if (report is { Kind: TrainingProgressKind.Batch, Epoch: 2, Batch: 1 })
            {
                refused = Assert.Throws<IOException>(() => second.Fit(data, TinyData.Options(epochs: 3) with { CheckpointPath = checkpoint }));
            }
        });

        first.Fit(data, TinyData.Options(epochs: 3) with { CheckpointPath = checkpoint }, progress: progress);

        Assert.NotNull(refused);
        Assert.Contains($"The checkpoint '{checkpoint}' is in use by another training run", refused!.Message, StringComparison.Ordinal);
        Assert.Equal(3, second.Fit(data, TinyData.Options(epochs: 3) with { CheckpointPath = checkpoint }).ResumedEpochs);
    }

    private static Exception? OnAnotherThread(Action action)
    {
        Exception? caught = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception exception)
            {
                caught = exception;
            }
        });
        thread.Start();
        thread.Join();
        return caught;
    }
}
