using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.PyTorch;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Interop;

/// <summary>A model the parity tests exercise, with its typed calls.</summary>
/// <param name="Name">The class name.</param>
/// <param name="Create">Builds it with a seed.</param>
/// <param name="Batch">Data it accepts: a batch of <c>count</c> examples from a generator.</param>
/// <param name="Classes">The classes of a conditional model; 0 otherwise.</param>
/// <param name="Decode">Its <c>Decode</c>.</param>
/// <param name="Embed">Its <c>Embed</c>.</param>
/// <param name="Loss">Its <c>Loss</c>.</param>
public sealed record InteropCase(
    string Name,
    Func<long, AutoencoderModel> Create,
    Func<long, Generator, Tensor> Batch,
    int Classes,
    Func<AutoencoderModel, Tensor, Tensor?, Tensor> Decode,
    Func<AutoencoderModel, Tensor, Tensor?, Tensor> Embed,
    Func<AutoencoderModel, Tensor, Tensor?, ModelLoss> Loss)
{
    /// <summary>What <see cref="Decode"/> takes for <c>count</c> examples, when not standard-normal codes <c>[count, LatentDim]</c>.</summary>
    public Func<long, Generator, Tensor>? Codes { get; init; }

    /// <summary>A vector-quantized model's <c>Encode</c>: code indices, which the twin and the encoder graph must give exactly.</summary>
    public Func<AutoencoderModel, Tensor, Tensor>? Indices { get; init; }


    public static IReadOnlyDictionary<string, InteropCase> All { get; } = new InteropCase[]
    {
        new("VectorLayersAe", seed => new VectorLayersAe(seed), (n, g) => randn([n, 12], generator: g), 0,
            (m, z, l) => ((VectorLayersAe)m).Decode(z), (m, x, l) => ((VectorLayersAe)m).Embed(x), (m, x, l) => ((VectorLayersAe)m).Loss(x)),
        new("FeatureMapVae", seed => new FeatureMapVae(seed), (n, g) => rand([n, 1, 12, 12], generator: g), 0,
            (m, z, l) => ((FeatureMapVae)m).Decode(z), (m, x, l) => ((FeatureMapVae)m).Embed(x), (m, x, l) => ((FeatureMapVae)m).Loss(x)),
        new("SequenceCvae", seed => new SequenceCvae(seed), (n, g) => randn([n, 2, 16], generator: g), 3,
            (m, z, l) => ((SequenceCvae)m).Decode(z, l!), (m, x, l) => ((SequenceCvae)m).Embed(x, l!), (m, x, l) => ((SequenceCvae)m).Loss(x, l!)),
        new("ResidualAe", seed => new ResidualAe(seed), (n, g) => randn([n, 2, 8, 8], generator: g), 0,
            (m, z, l) => ((ResidualAe)m).Decode(z), (m, x, l) => ((ResidualAe)m).Embed(x), (m, x, l) => ((ResidualAe)m).Loss(x)),
        new("SparseScaleAe", seed => new SparseScaleAe(seed), (n, g) => randn([n, 6], generator: g), 0,
            (m, z, l) => ((SparseScaleAe)m).Decode(z), (m, x, l) => ((SparseScaleAe)m).Embed(x), (m, x, l) => ((SparseScaleAe)m).Loss(x)),
        new("MaskedL1Ae", seed => new MaskedL1Ae(seed), (n, g) => rand([n, 6], generator: g), 0,
            (m, z, l) => ((MaskedL1Ae)m).Decode(z), (m, x, l) => ((MaskedL1Ae)m).Embed(x), (m, x, l) => ((MaskedL1Ae)m).Loss(x)),
        new("VectorVqAe", seed => new VectorVqAe(seed), (n, g) => randn([n, 6], generator: g), 0,
            (m, z, l) => ((VectorVqAe)m).Decode(z), (m, x, l) => ((VectorVqAe)m).Embed(x), (m, x, l) => ((VectorVqAe)m).Loss(x))
        {
            Codes = (n, g) => randint(0, VectorVqAe.Codes, [n], generator: g),
            Indices = (m, x) => ((VectorVqAe)m).Encode(x),
        },
        new("FeatureMapVq", seed => new FeatureMapVq(seed), (n, g) => rand([n, 1, 8, 8], generator: g), 0,
            (m, z, l) => ((FeatureMapVq)m).Decode(z), (m, x, l) => ((FeatureMapVq)m).Embed(x), (m, x, l) => ((FeatureMapVq)m).Loss(x))
        {
            Codes = (n, g) => randint(0, FeatureMapVq.Codes, [n, 4, 4], generator: g),
            Indices = (m, x) => ((FeatureMapVq)m).Encode(x),
        },
        new("SequenceVq", seed => new SequenceVq(seed), (n, g) => randn([n, 2, 16], generator: g), 0,
            (m, z, l) => ((SequenceVq)m).Decode(z), (m, x, l) => ((SequenceVq)m).Embed(x), (m, x, l) => ((SequenceVq)m).Loss(x))
        {
            Codes = (n, g) => randint(0, SequenceVq.Codes, [n, 8], generator: g),
            Indices = (m, x) => ((SequenceVq)m).Encode(x),
        },
    }.ToDictionary(model => model.Name);

    public static TheoryData<string> Names => [.. All.Keys];

    /// <summary>Inputs for <see cref="Decode"/>: <see cref="Codes"/>'s, or standard-normal codes <c>[count, LatentDim]</c>.</summary>
    public Tensor DecoderInput(AutoencoderModel model, long count, Generator generator) =>
        Codes?.Invoke(count, generator) ?? randn([count, model.Spec.LatentDim], generator: generator);

    /// <summary>The model trained for two epochs on 256 examples, so batch norms have running statistics, in evaluation mode.</summary>
    public (AutoencoderModel Model, Tensor? Labels) Trained(long seed)
    {
        var model = Create(seed);
        using var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        var train = Batch(256, generator);
        var labels = Classes > 0 ? randint(0, Classes, [256], generator: generator) : null;
        Trainer.Fit(model, new TrainingData(train, labels), new FitOptions { Epochs = 2, BatchSize = 32, Seed = seed }, validation: null, progress: null, cancellationToken: default);
        model.eval();
        return (model, Classes > 0 ? randint(0, Classes, [5], generator: generator).MoveToOuterDisposeScope() : null);
    }
}

/// <summary>The emitted PyTorch twin against the generated model: same weights, same outputs, same loss, both ways.</summary>
public sealed class PyTorchParityTests(ITestOutputHelper output)
{
    private const double OutputTolerance = 1e-5;

    [Theory]
    [MemberData(nameof(InteropCase.Names), MemberType = typeof(InteropCase))]
    public void TheTwinLoadsTheWeightsStrictlyAndAgreesBothWays(string name)
    {
        if (!PythonTorch.Available(output))
        {
            return;
        }

        var model = InteropCase.All[name];
        using var folder = new TemporaryFolder();
        var (trained, labels) = model.Trained(seed: 3);
        using var _ = trained;
        using var scope = NewDisposeScope();
        using var generator = new Generator(4);
        var codes = model.DecoderInput(trained, 5, generator);
        var batch = model.Batch(5, generator);
        trained.ExportPyTorch(folder.Path);
        NpyFile.Write(codes, folder.File("codes.npy"));
        NpyFile.Write(batch, folder.File("batch.npy"));
        if (labels is not null)
        {
            NpyFile.Write(labels, folder.File("labels.npy"));
        }

        // A VAE's loss draws its codes from Draws; the twin is handed the same standard-normal draw.
        if (trained.Spec.Latent is AutoencoderDsl.Parts.GaussianLatent)
        {
            NpyFile.Write(randn([5, trained.Spec.LatentDim], generator: new Generator(11)), folder.File("noise.npy"));
            ((ITrainableAutoencoder)trained).Draws = new Generator(11);
        }

        var loss = model.Loss(trained, batch, labels);
        ((ITrainableAutoencoder)trained).Draws = null;
        PythonTorch.Run(PythonTorch.Script("twin_check.py"), TimeSpan.FromMinutes(2), folder.Path, name);

        double decoded = MaxDifference(model.Decode(trained, codes, labels), NpyFile.Read(folder.File("decoded.npy")));
        double embedded = MaxDifference(model.Embed(trained, batch, labels), NpyFile.Read(folder.File("embedded.npy")));
        var expected = loss.Terms.Select(term => (double)term.Value.item<float>()).ToArray(); // the total first, then each term
        var actual = NpyFile.Read(folder.File("losses.npy")).data<double>().ToArray();
        long differentIndices = model.Indices is { } encode ? DifferentIndices(encode(trained, batch), NpyFile.Read(folder.File("indices.npy"))) : 0;
        trained.LoadPyTorch(folder.File("perturbed.pt"));
        double back = MaxDifference(model.Decode(trained, codes, labels), NpyFile.Read(folder.File("decoded-perturbed.npy")));

        output.WriteLine($"{name}: largest differences — decoded {decoded:E2}, embedded {embedded:E2}, after PyTorch's perturbed weights came back {back:E2}; "
            + (model.Indices is null ? string.Empty : $"{differentIndices} code indices differ; ")
            + $"loss .NET [{string.Join(", ", expected.Select(value => value.ToString("G7")))}] PyTorch [{string.Join(", ", actual.Select(value => value.ToString("G7")))}]");
        Assert.True(decoded <= OutputTolerance, $"decoded outputs differ by {decoded}");
        Assert.True(embedded <= OutputTolerance, $"codes differ by {embedded}");
        Assert.True(back <= OutputTolerance, $"after loading PyTorch's weights, decoded outputs differ by {back}");
        Assert.Equal(0, differentIndices);
        Assert.Equal(expected.Length, actual.Length);
        for (int index = 0; index < expected.Length; index++)
        {
            Assert.True(Math.Abs(expected[index] - actual[index]) <= 1e-4 * Math.Max(1, Math.Abs(expected[index])), $"loss entry {index}: .NET {expected[index]}, PyTorch {actual[index]}");
        }
    }

    [Fact]
    public void AFileThatIsNotTorchSavesOrDoesNotMatchIsRefusedAndChangesNothing()
    {
        using var folder = new TemporaryFolder();
        using var model = new VectorLayersAe(seed: 1);
        using var other = new SparseScaleAe(seed: 2);
        model.Save(folder.File("model.safetensors"));
        other.SavePyTorch(folder.File("other.pt"));
        var before = model.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.clone());

        Assert.Contains("not in torch.save's zip format", Assert.Throws<InvalidDataException>(() => model.LoadPyTorch(folder.File("model.safetensors"))).Message);
        Assert.Contains("does not match this model", Assert.Throws<InvalidDataException>(() => model.LoadPyTorch(folder.File("other.pt"))).Message);
        Assert.Throws<FileNotFoundException>(() => model.LoadPyTorch(folder.File("missing.pt")));
        Assert.All(model.state_dict(), entry => Assert.True(entry.Value.equal(before[entry.Key]).all().item<bool>(), $"{entry.Key} changed"));
    }

    [Fact]
    public void WeightsSavedForPyTorchComeBackExactly()
    {
        using var folder = new TemporaryFolder();
        using var model = new FeatureMapVae(seed: 5);
        using var copy = new FeatureMapVae(seed: 6);

        model.SavePyTorch(folder.File("weights.pt"));
        copy.LoadPyTorch(folder.File("weights.pt"));

        Assert.All(model.state_dict(), entry => Assert.True(entry.Value.equal(copy.state_dict()[entry.Key]).all().item<bool>(), $"{entry.Key} differs"));
    }

    /// <summary>How many of the twin's code indices differ from the model's, after checking both are Int64 of one shape.</summary>
    internal static long DifferentIndices(Tensor expected, Tensor actual)
    {
        Assert.Equal(ScalarType.Int64, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        return expected.ne(actual).sum().item<long>();
    }

    private static double MaxDifference(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        return (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().item<double>();
    }
}
