using System;
using System.Diagnostics;
using AutoencoderDsl.Data;
using AutoencoderDsl.PyTorch;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Tests.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Interop;

/// <summary>The exported train.py with DistributedDataParallel: two processes learn what one does with the same total batch.</summary>
public sealed class DistributedTrainingTests(ITestOutputHelper output)
{
    [Fact]
    public void TwoProcessesOverGlooTrainAsWellAsOneAndTheWeightsComeBack()
    {
        if (!PythonTorch.Available(output))
        {
            return;
        }

        using var folder = new TemporaryFolder();
        using var train = TestData.RealOrBuiltIn(training: true, count: 3000);
        using var test = TestData.RealOrBuiltIn(training: false, count: 1000);
        using var initial = new SmallVae(seed: 51);
        var export = initial.ExportPyTorch(folder.Path);
        NpyFile.Write(train.Images, folder.File("train.npy"));
        double untrained = initial.Evaluate(test.Images).Total;

        double TestLossAfter(int processes)
        {
            var weights = folder.File($"trained-{processes}.pt");
            var clock = Stopwatch.StartNew();
            var log = PythonTorch.Run(
                export.TrainScript,
                TimeSpan.FromMinutes(4),
                "--model", nameof(SmallVae), "--weights", export.Weights, "--data", folder.File("train.npy"), "--out", weights,
                "--epochs", "3", "--batch-size", "64", "--processes", processes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--master-port", (29600 + processes).ToString(System.Globalization.CultureInfo.InvariantCulture), "--seed", "52");
            using var trained = new SmallVae();
            trained.LoadPyTorch(weights);
            double loss = trained.Evaluate(test.Images).Total;
            output.WriteLine($"{processes} process(es), {clock.Elapsed.TotalSeconds:F1} s:\n{log.TrimEnd()}\ntest loss {loss:F2} nats (untrained {untrained:F2})");
            return loss;
        }

        double one = TestLossAfter(1);
        double two = TestLossAfter(2);

        Assert.True(one < 0.8 * untrained, $"one process left the test loss at {one} (untrained {untrained})");
        Assert.True(Math.Abs(two - one) < 0.03 * one, $"two processes reached a test loss of {two}, one process {one}");
    }
}
