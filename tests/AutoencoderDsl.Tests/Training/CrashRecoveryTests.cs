using System;
using System.Diagnostics;
using System.IO;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using Xunit.Abstractions;

namespace AutoencoderDsl.Tests.Training;

/// <summary>
/// Resuming after a real crash: a child process training with a checkpoint is killed with SIGKILL in the middle of an
/// epoch, started again with the same checkpoint, and ends with the same history, to the last bit, and the same
/// parameters as a run that was never interrupted.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private const int Epochs = 3;
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_run_killed_mid_epoch_resumes_to_the_same_history_and_parameters()
    {
        var straight = Worker("straight", pause: 0);
        Assert.Equal(0, straight.WaitForExitCode());

        var crashed = Worker("crashed", pause: 15);
        string? line;
        while ((line = crashed.Process.StandardOutput.ReadLine()) is not null && line != "batch 2 6")
        {
        }

        Assert.Equal("batch 2 6", line);
        crashed.Process.Kill(entireProcessTree: true);
        crashed.Process.WaitForExit();
        Assert.NotEqual(0, crashed.Process.ExitCode);
        Assert.True(File.Exists(folder.File("crashed.ckpt")), "epoch 1's checkpoint survives the kill");
        Assert.False(File.Exists(folder.File("crashed.history")));

        var resumed = Worker("crashed", pause: 0);
        Assert.Equal(0, resumed.WaitForExitCode());

        var expected = File.ReadAllLines(folder.File("straight.history"));
        var actual = File.ReadAllLines(folder.File("crashed.history"));
        output.WriteLine("uninterrupted: " + expected[^1]);
        output.WriteLine("killed at epoch 2, batch 6, then resumed: " + actual[^1]);
        Assert.Equal(expected, actual);
        Assert.Equal(File.ReadAllBytes(folder.File("straight.safetensors")), File.ReadAllBytes(folder.File("crashed.safetensors")));
        Assert.Contains("resumed 1", resumed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_another_process_trains_with_is_refused_until_that_process_dies()
    {
        var held = Worker("held", pause: 200);
        string? line = held.Process.StandardOutput.ReadLine();
        Assert.Equal("batch 1 1", line);
        var checkpoint = folder.File("held.ckpt");
        using var data = TinyData.Create(128, seed: 60);
        using var model = new TinyAutoencoder(seed: 60);
        var options = TinyData.Options(epochs: 1) with { CheckpointPath = checkpoint };

        var error = Assert.Throws<IOException>(() => model.Fit(data, options));

        output.WriteLine(error.Message);
        Assert.Contains($"The checkpoint '{checkpoint}' is in use by another training run", error.Message, StringComparison.Ordinal);
        held.Process.Kill(entireProcessTree: true);
        held.Process.WaitForExit();

        // The operating system released the killed run's lock; its checkpoint, if it wrote one, is another model's.
        File.Delete(checkpoint);
        Assert.Equal(1, model.Fit(data, options).TrainedEpochs);
    }

    private Run Worker(string name, int pause)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "AutoencoderDsl.CrashWorker.dll"), folder.File(name + ".ckpt"), folder.File(name), Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), pause.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        return new Run(Process.Start(start)!);
    }

    private sealed class Run(Process process)
    {
        public Process Process { get; } = process;

        public string Output { get; private set; } = string.Empty;

        public int WaitForExitCode()
        {
            Output = Process.StandardOutput.ReadToEnd();
            var errors = Process.StandardError.ReadToEnd();
            Process.WaitForExit();
            Assert.True(Process.ExitCode == 0, $"the worker failed ({Process.ExitCode}): {errors}");
            return Process.ExitCode;
        }
    }
}
