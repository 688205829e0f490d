using System.Diagnostics;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Models;

// The example, compiled by the real generator. `using TorchSharp.Modules;` brings TorchSharp's own Conv2d and
// ConvTranspose2d classes into scope: the attribute names must still bind to the DSL's attributes.

/// <summary>A convolutional β-VAE for 28 × 28 images.</summary>
[Variational(LatentDim = 16, Beta = 4)]
[Input(1, 28, 28)]
public partial class ConvBetaVae
{
    [Conv2d(32, Kernel = 4, Stride = 2, Padding = 1), ReLU,
     Conv2d(64, Kernel = 4, Stride = 2, Padding = 1), ReLU, Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(64 * 7 * 7), ReLU, Unflatten(64, 7, 7),
     ConvTranspose2d(32, Kernel = 4, Stride = 2, Padding = 1), ReLU,
     ConvTranspose2d(1, Kernel = 4, Stride = 2, Padding = 1), Sigmoid]
    public partial Sequential Decoder { get; }
}

/// <summary>The convolutional β-VAE: the shapes it promises, the layers it builds, and that it learns.</summary>
public sealed class ConvBetaVaeTests(ITestOutputHelper output)
{
    [Fact]
    public void ConstantsDescribeTheDeclaration()
    {
        Assert.Equal([1L, 28, 28], ConvBetaVae.InputShape.ToArray());
        Assert.Equal(16, ConvBetaVae.LatentDim);
        Assert.Equal(4.0, ConvBetaVae.Beta);
    }

    [Fact]
    public void ConvolutionsHaveTheDeclaredKernels()
    {
        using var vae = new ConvBetaVae(seed: 1);
        var parameters = vae.state_dict();

        Assert.Equal([32L, 1, 4, 4], parameters["encoder.0.weight"].shape);
        Assert.Equal([64L, 32, 4, 4], parameters["encoder.2.weight"].shape);
        Assert.Equal([256L, 3136], parameters["encoder.5.weight"].shape);
        Assert.Equal([64L, 32, 4, 4], parameters["decoder.5.weight"].shape);
        Assert.Equal([32L, 1, 4, 4], parameters["decoder.7.weight"].shape);
    }

    [Fact]
    public void OutputsHaveTheShapeOfTheInput()
    {
        using var scope = NewDisposeScope();
        using var vae = new ConvBetaVae(seed: 2);
        var x = rand(5, 1, 28, 28);

        Assert.Equal([5L, 1, 28, 28], vae.forward(x).Reconstruction.shape);
        Assert.Equal([5L, 1, 28, 28], vae.Reconstruct(x).shape);
        Assert.Equal([7L, 1, 28, 28], vae.Sample(7).shape);
        Assert.Equal([5L, 16], vae.Encode(x).Mean.shape);
        Assert.Equal([5L, 16], vae.Embed(x).shape);
    }

    [Fact]
    public void AShortTrainingRunLowersTheLoss()
    {
        using var data = SyntheticShapes.Generate(512, seed: 3);
        using var vae = new ConvBetaVae(seed: 4);

        var before = vae.Evaluate(data.Images);
        var clock = Stopwatch.StartNew();
        vae.Fit(data.Images, new FitOptions { Epochs = 2, BatchSize = 64, Seed = 5 });
        var after = vae.Evaluate(data.Images);

        output.WriteLine($"512 images, 2 epochs in {clock.Elapsed.TotalSeconds:F1} s; loss {before} -> {after}");
        Assert.True(after.Total < 0.7 * before.Total, $"loss went from {before.Total} to {after.Total}");
    }
}
