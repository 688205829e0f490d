using System;
using System.Linq;
using AutoencoderDsl.Tests.Interop;
using AutoencoderDsl.Tests.Training;
using AutoencoderDsl.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Models;

/// <summary>A model whose only convolutions are those inside a residual block.</summary>
[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
[Input(1, 4, 4)]
public partial class ResidualOnlyAe
{
    [ResidualBlock2d(2), Flatten]
    public partial Sequential Encoder { get; }

    [Dense(16), Unflatten(1, 4, 4)]
    public partial Sequential Decoder { get; }
}

/// <summary>The runtime's <see cref="ResidualBlock"/> inside generated models: its names, its checks, and what refuses it.</summary>
public sealed class ResidualBlockTests
{
    [Fact]
    public void TheBlocksChildrenAreNamedAsInPyTorchWithASkipOnlyWhereTheChannelsChange()
    {
        using var model = new ResidualAe(seed: 1);
        var names = model.state_dict().Keys.ToList();
        string[] Norm(string prefix) => [.. new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" }.Select(name => $"{prefix}.{name}")];

        // encoder.0 takes 2 channels to 4, encoder.1 keeps 4.
        string[] expected = ["encoder.0.conv1.weight", .. Norm("encoder.0.norm1"), "encoder.0.conv2.weight", .. Norm("encoder.0.norm2"), "encoder.0.skip.0.weight", .. Norm("encoder.0.skip.1")];
        Assert.Equal(expected.Order(StringComparer.Ordinal), names.Where(name => name.StartsWith("encoder.0.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(names, name => name.StartsWith("encoder.1.skip", StringComparison.Ordinal));
        Assert.Contains("encoder.1.conv2.weight", names);
    }

    [Fact]
    public void ABatchOfTheWrongRankIsRefusedNamingTheShapeExpected()
    {
        using var block = new ResidualBlock(2, 3, 4);
        using var example = rand(3, 8, 8);

        var error = Assert.Throws<ArgumentException>(() => block.call(example));

        Assert.StartsWith("ResidualBlock2d takes a batch [N, C, H, W], but got a tensor of shape [3, 8, 8].", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BFloat16RefusesAModelWhoseOnlyConvolutionsAreInsideAResidualBlock()
    {
        using var model = new ResidualOnlyAe(seed: 1);
        using var data = rand(8, 1, 4, 4);

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options() with { Precision = TrainingPrecision.BFloat16 }));

        Assert.Contains("does not train convolutional models", error.Message, StringComparison.Ordinal);
        Assert.Contains("Conv2d", error.Message, StringComparison.Ordinal);
        Assert.All(model.parameters(), parameter => Assert.Equal(ScalarType.Float32, parameter.dtype));
    }
}
