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
        var files = trained.ExportOnnx(folder.Path);
        using var encoder = new InferenceSession(files.Encoder);
        using var decoder = new InferenceSession(files.Decoder);
        double worstEncoder = 0, worstDecoder = 0;
        foreach (int size in new[] { 1, 3, 8 })
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator((ulong)size);
            var batch = model.Batch(size, generator);
            var labels = model.Classes > 0 ? randint(0, model.Classes, [size], generator: generator) : null;
            var codes = randn([size, trained.Spec.LatentDim], generator: generator);

            var encoded = Run(encoder, "x", batch, labels);
            var expectedCode = model.Embed(trained, batch, labels);
            worstEncoder = Math.Max(worstEncoder, MaxDifference(expectedCode, encoded[trained.Spec.Latent.StateDictNames[0]]));
            var decoded = Run(decoder, "z", codes, labels);
            worstDecoder = Math.Max(worstDecoder, MaxDifference(model.Decode(trained, codes, labels), decoded["output"]));
        }

        output.WriteLine($"{name}: largest difference from TorchSharp over batches of 1, 3 and 8 — encoder {worstEncoder:E2}, decoder {worstDecoder:E2}");
        Assert.True(worstEncoder <= Tolerance, $"the encoder differs by {worstEncoder}");
        Assert.True(worstDecoder <= Tolerance, $"the decoder differs by {worstDecoder}");
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
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(inputName, new OrtTensors.DenseTensor<float>(input.contiguous().data<float>().ToArray(), input.shape.Select(dim => (int)dim).ToArray())) };
        if (labels is not null)
        {
            inputs.Add(NamedOnnxValue.CreateFromTensor("labels", new OrtTensors.DenseTensor<long>(labels.data<long>().ToArray(), [(int)labels.shape[0]])));
        }

        using var results = session.Run(inputs);
        return results.ToDictionary(
            result => result.Name,
            result =>
            {
                var values = result.AsTensor<float>();
                return tensor(values.ToArray(), values.Dimensions.ToArray().Select(dim => (long)dim).ToArray());
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
