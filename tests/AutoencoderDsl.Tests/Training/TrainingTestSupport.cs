using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>A small deterministic autoencoder written the way generated code is: layers plus the two hooks.</summary>
internal sealed class TinyAutoencoder : AutoencoderModule
{
    public const int InputSize = 8;
    private const int Hidden = 16;

    private readonly Linear encoderHidden;
    private readonly Dropout dropout;
    private readonly Linear code;
    private readonly Linear decoderHidden;
    private readonly Linear decoderOut;

    /// <param name="seed">Seeds the initial weights.</param>
    /// <param name="latentDim">The code width; a different width is a different architecture.</param>
    public TinyAutoencoder(long seed, int latentDim = 2)
        : base(nameof(TinyAutoencoder), new AutoencoderSpec([InputSize], latentDim, Likelihood.Gaussian, DecoderEmitsLogits: false), seed)
    {
        encoderHidden = nn.Linear(InputSize, Hidden);
        dropout = nn.Dropout(0.1);
        code = nn.Linear(Hidden, latentDim);
        decoderHidden = nn.Linear(latentDim, Hidden);
        decoderOut = nn.Linear(Hidden, InputSize);
        register_module("encoder_hidden", encoderHidden);
        register_module("dropout", dropout);
        register_module("code", code);
        register_module("decoder_hidden", decoderHidden);
        register_module("decoder_out", decoderOut);
    }

    protected override Tensor EncodeCore(Tensor x) => code.call(dropout.call(encoderHidden.call(x).relu()));

    protected override Tensor DecodeCore(Tensor z) => decoderOut.call(decoderHidden.call(z).relu());
}

/// <summary>A small VAE, so the reparameterisation noise and the KL term go through the trainer too.</summary>
internal sealed class TinyVae : VariationalAutoencoderModule
{
    private const int Hidden = 16;
    private const int Latent = 2;

    private readonly Linear encoderHidden;
    private readonly Linear mean;
    private readonly Linear logVar;
    private readonly Linear decoderHidden;
    private readonly Linear decoderOut;

    public TinyVae(long seed)
        : base(nameof(TinyVae), new AutoencoderSpec([TinyAutoencoder.InputSize], Latent, Likelihood.Gaussian, DecoderEmitsLogits: false, Beta: 1), seed)
    {
        encoderHidden = nn.Linear(TinyAutoencoder.InputSize, Hidden);
        mean = nn.Linear(Hidden, Latent);
        logVar = nn.Linear(Hidden, Latent);
        decoderHidden = nn.Linear(Latent, Hidden);
        decoderOut = nn.Linear(Hidden, TinyAutoencoder.InputSize);
        register_module("encoder_hidden", encoderHidden);
        register_module("mean", mean);
        register_module("log_var", logVar);
        register_module("decoder_hidden", decoderHidden);
        register_module("decoder_out", decoderOut);
    }

    protected override (Tensor Mean, Tensor LogVar) EncodeCore(Tensor x)
    {
        var h = encoderHidden.call(x).relu();
        return (mean.call(h), logVar.call(h));
    }

    protected override Tensor DecodeCore(Tensor z) => decoderOut.call(decoderHidden.call(z).relu());
}

internal static class TinyData
{
    /// <summary>
    /// <paramref name="count"/> examples of width 8 near a curved 2-D surface: a 2-D code explains them well, so a
    /// trained model's loss falls far below the untrained one. Drawn from a private generator, not the global one.
    /// </summary>
    public static Tensor Create(long count, long seed)
    {
        using var generator = new Generator((ulong)seed, CPU);
        using var scope = NewDisposeScope();
        var codes = randn([count, 2], generator: generator);
        var mixing = randn([2, TinyAutoencoder.InputSize], generator: generator);
        var noise = randn([count, TinyAutoencoder.InputSize], generator: generator);
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
