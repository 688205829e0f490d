using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>A small deterministic autoencoder, with dropout so the trainer's seeding of libtorch matters.</summary>
[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
[Input(TinyData.Width)]
internal sealed partial class TinyAutoencoder
{
    [Dense(16), ReLU, Dropout(0.1)]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}

/// <summary><see cref="TinyAutoencoder"/> with a wider code: a different architecture.</summary>
[Autoencoder(LatentDim = 3, Likelihood = Likelihood.Gaussian)]
[Input(TinyData.Width)]
internal sealed partial class TinyWideAutoencoder
{
    [Dense(16), ReLU, Dropout(0.1)]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}

/// <summary>A small VAE, so the reparameterisation noise and the KL term go through the trainer too.</summary>
[Variational(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
[Input(TinyData.Width)]
internal sealed partial class TinyVae
{
    [Dense(16), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}

internal static class TinyData
{
    /// <summary>The width of one example.</summary>
    public const int Width = 8;

    /// <summary>
    /// <paramref name="count"/> examples of width 8 near a curved 2-D surface: a 2-D code explains them well, so a
    /// trained model's loss falls far below the untrained one. Drawn from a private generator, not the global one.
    /// </summary>
    public static Tensor Create(long count, long seed)
    {
        using var generator = new Generator((ulong)seed, CPU);
        using var scope = NewDisposeScope();
        var codes = randn([count, 2], generator: generator);
        var mixing = randn([2, Width], generator: generator);
        var noise = randn([count, Width], generator: generator);
        return (codes.matmul(mixing).tanh() * 2 + 0.05 * noise).MoveToOuterDisposeScope();
    }

    /// <summary>Small and quick: 4 batches per epoch, the last one partial.</summary>
    public static FitOptions Options(int epochs = 3) => new()
    {
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = 1e-2,
        Seed = 7,
    };
}

/// <summary>Records every report synchronously on the training thread (unlike <see cref="Progress{T}"/>), optionally reacting to it.</summary>
internal sealed class RecordingProgress(Action<TrainingProgress>? onReport = null) : IProgress<TrainingProgress>
{
    public List<TrainingProgress> Reports { get; } = [];

    public IEnumerable<TrainingProgress> Epochs => Reports.Where(report => report.Kind == TrainingProgressKind.Epoch);

    public void Report(TrainingProgress value)
    {
        Reports.Add(value);
        onReport?.Invoke(value);
    }
}

internal static class TrainingAssert
{
    /// <summary>Same epochs and bit-identical loss terms; durations are wall-clock and may differ.</summary>
    public static void SameHistory(IReadOnlyList<EpochSummary> expected, IReadOnlyList<EpochSummary> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Epoch, actual[i].Epoch);
            Assert.Equal(expected[i].Train.Terms, actual[i].Train.Terms);
            Assert.Equal(expected[i].Validation?.Terms, actual[i].Validation?.Terms);
        }
    }

    public static void SameParameters(nn.Module expected, nn.Module actual)
    {
        var expectedParameters = expected.named_parameters().ToList();
        var actualParameters = actual.named_parameters().ToList();
        Assert.Equal(expectedParameters.Select(p => p.name), actualParameters.Select(p => p.name));
        foreach (var ((name, e), (_, a)) in expectedParameters.Zip(actualParameters))
        {
            Assert.True(e.equal(a).all().item<bool>(), $"Parameter '{name}' differs.");
        }
    }

    /// <summary>Copies of the current parameter values, to compare against after an operation that must not change them.</summary>
    public static List<Tensor> Snapshot(nn.Module module) =>
        module.parameters().Select(parameter => parameter.detach().clone()).ToList();

    public static void Unchanged(List<Tensor> snapshot, nn.Module module)
    {
        foreach (var (before, now) in snapshot.Zip(module.parameters()))
        {
            Assert.True(before.equal(now).all().item<bool>(), "A parameter changed.");
        }
    }
}
