using System;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Models;

/// <summary>The typed API that the generator gives a declared class.</summary>
public sealed class GeneratedModelTests
{
    [Fact]
    public void ConstantsDescribeTheDeclaration()
    {
        Assert.Equal([1L, 28, 28], FashionVae.InputShape.ToArray());
        Assert.Equal(2, FashionVae.LatentDim);
        Assert.Equal(1.0, FashionVae.Beta);
        Assert.Equal(784, DeepAe.InputShape[0]);
        Assert.Equal(32, DeepAe.LatentDim);
    }

    [Fact]
    public void InferredShapesMatchWhatTheLayersProduce()
    {
        using var scope = NewDisposeScope();
        using var vae = new FashionVae(seed: 1);

        AssertLayerShapes(vae.Encoder, rand(3, 1, 28, 28), FashionVae.EncoderShapes);
        AssertLayerShapes(vae.Decoder, rand(3, FashionVae.LatentDim), FashionVae.DecoderShapes);
        Assert.Equal(FashionVae.InputShape.ToArray(), FashionVae.DecoderShapes[^1]);
    }

    /// <summary>Runs each child of <paramref name="stack"/> in turn; children are named by their declared positions.</summary>
    private static void AssertLayerShapes(TorchSharp.Modules.Sequential stack, Tensor input, System.Collections.Generic.IReadOnlyList<System.Collections.Generic.IReadOnlyList<long>> expected)
    {
        var current = input;
        foreach (var (name, layer) in stack.named_children())
        {
            current = ((nn.Module<Tensor, Tensor>)layer).forward(current);
            Assert.Equal(expected[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)], current.shape.Skip(1));
        }
    }

    [Fact]
    public void StateDictNamesFollowDeclaredPositions()
    {
        using var vae = new FashionVae(seed: 1);
        var names = vae.state_dict().Keys.ToArray();

        Assert.Equal(
            [
                "encoder.1.weight", "encoder.1.bias", "encoder.3.weight", "encoder.3.bias",
                "mean.weight", "mean.bias", "log_var.weight", "log_var.bias",
                "decoder.0.weight", "decoder.0.bias", "decoder.2.weight", "decoder.2.bias", "decoder.4.weight", "decoder.4.bias",
            ],
            names);
    }

    [Fact]
    public void EveryMethodReturnsTheDeclaredShapes()
    {
        using var scope = NewDisposeScope();
        using var vae = new FashionVae(seed: 1);
        var x = rand(5, 1, 28, 28);

        var code = vae.Encode(x);
        Assert.Equal([5L, 2], code.Mean.shape);
        Assert.Equal([5L, 2], code.LogVar.shape);
        Assert.Equal([5L, 1, 28, 28], vae.Decode(code.Mean).shape);
        var output = vae.forward(x);
        Assert.Equal([5L, 1, 28, 28], output.Reconstruction.shape);
        Assert.Equal([5L, 2], output.Code.shape);
        Assert.Equal([5L, 1, 28, 28], vae.Reconstruct(x).shape);
        Assert.Equal([5L, 2], vae.Embed(x).shape);
        Assert.Equal([7L, 1, 28, 28], vae.Sample(7).shape);
        Assert.Equal([4L, 1, 28, 28], vae.Interpolate(x[0], x[1], 4).shape);
        var loss = vae.Loss(x);
        Assert.Empty(loss.Total.shape);
        Assert.Empty(loss.Kl.shape);
    }

    [Fact]
    public void FusedSigmoidBoundsDecodedOutput()
    {
        using var scope = NewDisposeScope();
        using var vae = new FashionVae(seed: 2);
        var decoded = vae.Decode(randn(100, 2) * 10);

        Assert.True(decoded.min().item<float>() >= 0);
        Assert.True(decoded.max().item<float>() <= 1);
    }

    [Fact]
    public void EmbedIsThePosteriorMeanAndDeterministic()
    {
        using var scope = NewDisposeScope();
        using var vae = new FashionVae(seed: 3);
        vae.eval();
        var x = rand(3, 1, 28, 28);

        Assert.True(vae.Embed(x).allclose(vae.Encode(x).Mean, 0, 0));
        Assert.True(vae.Embed(x).allclose(vae.Embed(x), 0, 0));
    }

    [Fact]
    public void InterpolationStartsAndEndsAtTheReconstructions()
    {
        using var scope = NewDisposeScope();
        using var vae = new FashionVae(seed: 4);
        var x = rand(2, 1, 28, 28);

        var path = vae.Interpolate(x[0], x[1], 5);
        var reconstructions = vae.Reconstruct(x);

        Assert.True(path[0].allclose(reconstructions[0], atol: 1e-6));
        Assert.True(path[4].allclose(reconstructions[1], atol: 1e-6));
    }

    [Fact]
    public void InferenceRestoresTrainingMode()
    {
        using var scope = NewDisposeScope();
        using var ae = new DeepAe(seed: 5);
        ae.train();

        ae.Reconstruct(rand(4, 784));

        Assert.True(ae.training);
    }

    [Fact]
    public void WrongShapeNamesExpectedAndActual()
    {
        using var vae = new FashionVae(seed: 6);
        using var flat = rand(5, 784);

        var error = Assert.Throws<ArgumentException>(() => vae.Encode(flat));

        Assert.Contains("[N, 1, 28, 28]", error.Message);
        Assert.Contains("[5, 784]", error.Message);
    }

    [Fact]
    public void WrongCodeWidthNamesExpectedAndActual()
    {
        using var vae = new FashionVae(seed: 6);
        using var z = rand(5, 3);

        var error = Assert.Throws<ArgumentException>(() => vae.Decode(z));

        Assert.Contains("[N, 2]", error.Message);
        Assert.Contains("[5, 3]", error.Message);
    }

    [Fact]
    public void IntegerImagesAreRejectedWithAHint()
    {
        using var ae = new DeepAe(seed: 6);
        using var bytes = zeros(2, 784, dtype: ScalarType.Byte);

        var error = Assert.Throws<ArgumentException>(() => ae.Encode(bytes));

        Assert.Contains("floating-point", error.Message);
    }

    [Fact]
    public void SaveAndLoadRoundTrip()
    {
        using var scope = NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"adsl-{Guid.NewGuid():N}.bin");
        try
        {
            using var original = new FashionVae(seed: 7);
            original.Save(path);
            using var loaded = FashionVae.Load(path);
            var x = rand(3, 1, 28, 28);

            Assert.True(original.Reconstruct(x).allclose(loaded.Reconstruct(x), 0, 0));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SameSeedGivesSameWeights()
    {
        using var first = new DeepAe(seed: 11);
        using var second = new DeepAe(seed: 11);
        using var third = new DeepAe(seed: 12);

        var a = first.parameters().First();
        Assert.True(a.allclose(second.parameters().First(), 0, 0));
        Assert.False(a.allclose(third.parameters().First(), 0, 0));
    }
}
