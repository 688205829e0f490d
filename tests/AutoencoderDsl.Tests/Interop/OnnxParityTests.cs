using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Onnx;
using AutoencoderDsl.Tests.Data;
using Microsoft.ML.OnnxRuntime;
using OrtTensors = Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using Tensor = TorchSharp.torch.Tensor;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Interop;

/// <summary>ONNX Runtime running the exported graphs against TorchSharp running the model, for every layer kind and part.</summary>
public sealed class OnnxParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Theory]
    [MemberData(nameof(InteropCase.Names), MemberType = typeof(InteropCase))]
    public void OnnxRuntimeGivesWhatTheModelGivesForBatchesOfSeveralSizes(string name)
    {
        var model = InteropCase.All[name];
        using var folder = new TemporaryFolder();
        var (trained, _) = model.Trained(seed: 7);
        using var __ = trained;
        dynamic typed = trained;
        var files = trained.ExportOnnx(folder.Path);
        using var encoder = new InferenceSession(files.Encoder);
        using var decoder = new InferenceSession(files.Decoder);
        using var whole = new InferenceSession(files.Autoencoder);
        double worstEncoder = 0, worstDecoder = 0, worstCode = 0, worstReconstruction = 0;
        long differentIndices = 0, indices = 0;
        foreach (int size in new[] { 1, 3, 8 })
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator((ulong)size);
            var batch = model.Batch(size, generator);
            var labels = model.Classes > 0 ? randint(0, model.Classes, [size], generator: generator) : null;
            var codes = model.DecoderInput(trained, size, generator);

            // The encoder graph's first output is what Encode gives: a code (a VAE's mean), or code indices.
            var encoded = Run(encoder, "x", batch, labels)[encoder.OutputMetadata.Keys.First()];
            if (model.Indices is { } encode)
            {
                differentIndices += PyTorchParityTests.DifferentIndices(encode(trained, batch), encoded);
                indices += encoded.numel();
            }
            else
            {
                worstEncoder = Math.Max(worstEncoder, MaxDifference(model.Embed(trained, batch, labels), encoded));
            }

            var decoded = Run(decoder, trained.Spec.Latent.OnnxDecoderInput.Name, codes, labels);
            worstDecoder = Math.Max(worstDecoder, MaxDifference(model.Decode(trained, codes, labels), decoded["output"]));
            var both = Run(whole, "x", batch, labels);
            worstCode = Math.Max(worstCode, MaxDifference(model.Embed(trained, batch, labels), both["code"]));
            Tensor reconstructed = labels is null ? typed.Reconstruct(batch) : typed.Reconstruct(batch, labels);
            worstReconstruction = Math.Max(worstReconstruction, MaxDifference(reconstructed, both["reconstruction"]));
        }

        output.WriteLine($"{name}: largest difference from TorchSharp over batches of 1, 3 and 8 — "
            + (model.Indices is null ? $"encoder {worstEncoder:E2}" : $"encoder {differentIndices} of {indices} code indices differ")
            + $", decoder {worstDecoder:E2}, whole model's code {worstCode:E2} and reconstruction {worstReconstruction:E2}");
        Assert.True(worstEncoder <= Tolerance, $"the encoder differs by {worstEncoder}");
        Assert.Equal(0, differentIndices);
        Assert.True(worstDecoder <= Tolerance, $"the decoder differs by {worstDecoder}");
        Assert.True(worstCode <= Tolerance, $"the whole model's code differs by {worstCode}");
        Assert.True(worstReconstruction <= Tolerance, $"the whole model's reconstruction differs by {worstReconstruction}");
    }

    [Fact]
    public void AVectorQuantizedModelsGraphsTakeAndGiveInt64CodeIndicesOnItsGrid()
    {
        using var folder = new TemporaryFolder();
        using var vq = new FeatureMapVq(seed: 9);
        vq.eval();
        var files = vq.ExportOnnx(folder.Path);
        using var encoder = new InferenceSession(files.Encoder);
        using var decoder = new InferenceSession(files.Decoder);

        var indices = Assert.Single(encoder.OutputMetadata);
        var input = Assert.Single(decoder.InputMetadata);

        Assert.Equal("indices", indices.Key);
        Assert.Equal(typeof(long), indices.Value.ElementType);
        Assert.Equal([-1, 4, 4], indices.Value.Dimensions);
        Assert.Equal("indices", input.Key);
        Assert.Equal(typeof(long), input.Value.ElementType);
        Assert.Equal([-1, 4, 4], input.Value.Dimensions);
    }

    [Fact]
    public void AVariationalEncoderGivesTheLogVarianceToo()
    {
        using var folder = new TemporaryFolder();
        using var vae = new FeatureMapVae(seed: 8);
        vae.eval();
        var files = vae.ExportOnnx(folder.Path);
        using var encoder = new InferenceSession(files.Encoder);
        using var scope = NewDisposeScope();
        var batch = rand(4, 1, 12, 12);

        var encoded = Run(encoder, "x", batch, null);
        using var expected = vae.Encode(batch);

        Assert.Equal(["mean", "log_var"], encoder.OutputMetadata.Keys);
        Assert.True(MaxDifference(expected.LogVar, encoded["log_var"]) <= Tolerance);
    }

    private static Dictionary<string, Tensor> Run(InferenceSession session, string inputName, Tensor input, Tensor? labels)
    {
        var dims = input.shape.Select(dim => (int)dim).ToArray();
        var inputs = new List<NamedOnnxValue>
        {
            input.dtype == ScalarType.Int64
                ? NamedOnnxValue.CreateFromTensor(inputName, new OrtTensors.DenseTensor<long>(input.contiguous().data<long>().ToArray(), dims))
                : NamedOnnxValue.CreateFromTensor(inputName, new OrtTensors.DenseTensor<float>(input.contiguous().data<float>().ToArray(), dims)),
        };
        if (labels is not null)
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("labels", new OrtTensors.DenseTensor<long>(labels.data<long>().ToArray(), [(int)labels.shape[0]])));
        }

        using var results = session.Run(inputs);
        return results.ToDictionary(
            result => result.Name,
            result => result.Value switch
            {
                OrtTensors.Tensor<long> values => tensor(values.ToArray(), values.Dimensions.ToArray().Select(dim => (long)dim).ToArray()),
                _ => tensor(result.AsTensor<float>().ToArray(), result.AsTensor<float>().Dimensions.ToArray().Select(dim => (long)dim).ToArray()),
            });
    }

    private static double MaxDifference(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        return (expected.to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().item<double>();
    }
}

/// <summary>A layer no exporter knows, in a model assembled by hand, to hold the export's refusal to its message.</summary>
public sealed class OnnxUnknownLayerTests
{
    private sealed record Mystery(int Index) : AutoencoderDsl.Export.Layer(Index)
    {
        public override string Name => "Mystery";

        public override string PyTorch => "nn.Identity()";
    }

    private sealed class HandBuilt : AutoencoderModule
    {
        private static readonly ModelSpec HandSpec = new()
        {
            InputShape = [4],
            Latent = new AutoencoderDsl.Parts.DeterministicLatent(2),
            Likelihood = new AutoencoderDsl.Parts.GaussianLikelihood(),
            LossTerms = [new AutoencoderDsl.Parts.ReconstructionTerm()],
            Encoder = [new Mystery(0)],
            Decoder = [new AutoencoderDsl.Export.Linear(0, 2, 4)],
        };

        private readonly TorchSharp.Modules.Linear code = nn.Linear(4, 2);
        private readonly TorchSharp.Modules.Sequential decoder = nn.Sequential(("0", nn.Linear(2, 4)));

        public HandBuilt()
            : base(nameof(HandBuilt), HandSpec, seed: 1)
        {
            register_module("code", code);
            register_module("decoder", decoder);
        }

        protected override Tensor EncodeCore(Tensor x, Tensor? condition) => code.forward(x);

        protected override Tensor DecodeCore(Tensor z, Tensor? condition) => decoder.forward(z);
    }

    [Fact]
    public void ALayerWithoutAnOnnxFormIsNamedWithItsPosition()
    {
        using var folder = new TemporaryFolder();
        using var model = new HandBuilt();

        var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(folder.Path));

        Assert.StartsWith("ONNX export has no form for the encoder layer at position 0, Mystery", error.Message);
        Assert.Empty(System.IO.Directory.GetFiles(folder.Path));
    }
}
