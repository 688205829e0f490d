using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Tests.Training;
using AutoencoderDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Determinism;

/// <summary>Every layer kind whose CPU kernels run on several threads: convolutions of few channels, batch norm, 2-D dropout, a KL warm-up.</summary>
[Variational(LatentDim = 4, KlWarmupEpochs = 2)]
[Input(1, 12, 12)]
internal sealed partial class ThreadedConvVae
{
    [Conv2d(4, 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2), Dropout2d(0.1), Conv2d(8, 3, Stride = 2, Padding = 2, Dilation = 2), Flatten]
    public partial Sequential Encoder { get; }

    [Dense(8 * 3 * 3), ReLU, Unflatten(8, 3, 3), Upsample(2), ConvTranspose2d(4, 4, Stride = 2, Padding = 1), ReLU, AvgPool2d(3, 1), Conv2d(1, 3, Padding = 2), Sigmoid]
    public partial Sequential Decoder { get; }
}

/// <summary>A plain MLP VAE with dropout, trained on two threads like every other model.</summary>
[Variational(LatentDim = 2)]
[Input(1, 12, 12)]
internal sealed partial class ThreadedMlpVae
{
    [Flatten, Dense(64), ReLU, Dropout(0.1), Dense(32), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(32), ReLU, Dense(144), Sigmoid, Unflatten(1, 12, 12)]
    public partial Sequential Decoder { get; }
}

/// <summary>
/// "The same seed, data and thread count give the same history and parameters, bit for bit": each model is fitted
/// several times in one process on two threads and every loss term of every epoch and every parameter must be equal.
/// </summary>
public sealed class DeterminismTests
{
    private const int Runs = 4;

    [Fact]
    public void AConvolutionalVaeGivesTheSameHistoryAndParametersOnTwoThreads() =>
        AssertRepeatable(() => new ThreadedConvVae(seed: 3), (model, data, options) => model.Fit(data, options));

    [Fact]
    public void AnMlpVaeGivesTheSameHistoryAndParametersOnTwoThreads() =>
        AssertRepeatable(() => new ThreadedMlpVae(seed: 3), (model, data, options) => model.Fit(data, options));

    private static void AssertRepeatable<TModel>(System.Func<TModel> create, System.Func<TModel, Tensor, FitOptions, TrainingHistory> fit)
        where TModel : nn.Module
    {
        using var data = Images(384, seed: 11);
        var options = new FitOptions { Epochs = 3, BatchSize = 32, Seed = 5, Threads = 2, ValidationSplit = 0.25 };
        var first = Fit(create, fit, data, options);
        for (int run = 1; run < Runs; run++)
        {
            var again = Fit(create, fit, data, options);
            Assert.Equal(first.History, again.History);
            Assert.Equal(first.Parameters.Keys, again.Parameters.Keys);
            foreach (var (name, values) in first.Parameters)
            {
                Assert.True(values.SequenceEqual(again.Parameters[name]), $"run {run + 1}: parameter {name} differs from the first run's");
            }
        }
    }

    private static (List<string> History, Dictionary<string, float[]> Parameters) Fit<TModel>(
        System.Func<TModel> create, System.Func<TModel, Tensor, FitOptions, TrainingHistory> fit, Tensor data, FitOptions options)
        where TModel : nn.Module
    {
        using var model = create();
        var history = fit(model, data, options);
        // Round-trip strings ("R") are exact: two doubles print alike only if they are equal.
        var epochs = history.Epochs
            .SelectMany(epoch => new[] { epoch.Train }.Concat(epoch.Validation is { } v ? [v] : [])
                .SelectMany(metrics => metrics.Terms.Select(term => $"{epoch.Epoch} {term.Key} {term.Value:R}")))
            .ToList();
        var parameters = model.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.to(float32).data<float>().ToArray());
        return (epochs, parameters);
    }

    /// <summary>Blobs on a dark field, values in [0, 1], drawn from a private generator.</summary>
    private static Tensor Images(long count, long seed)
    {
        using var generator = new Generator((ulong)seed, CPU);
        using var scope = NewDisposeScope();
        var blobs = nn.functional.avg_pool2d(rand([count, 1, 14, 14], generator: generator), 3, stride: 1);
        return ((blobs - 0.35) * 3).clamp(0, 1).MoveToOuterDisposeScope();
    }
}
