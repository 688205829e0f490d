using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Data;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Data;

public sealed class SyntheticShapesTests(ITestOutputHelper output)
{
    [Fact]
    public void Generate_HasTheDocumentedShapeAndTypes()
    {
        using var set = SyntheticShapes.Generate(count: 12, seed: 1, size: 20);

        Assert.Equal(12, set.Count);
        Assert.Equal([12L, 1, 20, 20], set.Images.shape);
        Assert.Equal(ScalarType.Float32, set.Images.dtype);
        Assert.Equal([12L], set.Labels.shape);
        Assert.Equal(ScalarType.Int64, set.Labels.dtype);
        Assert.Equal(10, set.ClassNames.Count);
        Assert.Equal(set.ClassNames.Count, set.ClassNames.Distinct().Count());
    }

    [Fact]
    public void Generate_IsDeterministicPerSeed()
    {
        using var first = SyntheticShapes.Generate(200, seed: 42);
        using var again = SyntheticShapes.Generate(200, seed: 42);
        using var other = SyntheticShapes.Generate(200, seed: 43);

        Assert.Equal(first.Images.data<float>().ToArray(), again.Images.data<float>().ToArray());
        Assert.Equal(first.Labels.data<long>().ToArray(), again.Labels.data<long>().ToArray());
        Assert.NotEqual(first.Images.data<float>().ToArray(), other.Images.data<float>().ToArray());
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(25)]
    public void Generate_BalancesTheClasses(int count)
    {
        using var set = SyntheticShapes.Generate(count, seed: 7);

        long[] perClass = set.Labels.bincount(null, 10).data<long>().ToArray();

        Assert.All(perClass, n => Assert.InRange(n, count / 10, (count + 9) / 10));
    }

    [Fact]
    public void Generate_DrawsLightShapesOnABlackBackground()
    {
        using var set = SyntheticShapes.Generate(500, seed: 3);
        float[] pixels = set.Images.data<float>().ToArray();

        Assert.All(pixels, value => Assert.InRange(value, 0f, 1f));
        double background = pixels.Count(value => value == 0) / (double)pixels.Length;
        Assert.InRange(background, 0.5, 0.95);
        for (int image = 0; image < set.Count; image++)
        {
            float brightest = pixels.AsSpan(image * 784, 784).ToArray().Max();
            Assert.True(brightest >= 0.6f, $"Image {image} ({set.ClassNames[image % 10]}) peaks at {brightest}.");
        }
    }

    [Fact]
    public void Generate_ClassesAreTellableApartByTheirMeanImage()
    {
        using var scope = NewDisposeScope();
        using var train = SyntheticShapes.Generate(2000, seed: 1);
        using var test = SyntheticShapes.Generate(1000, seed: 2);
        var centroids = stack(Enumerable.Range(0, 10)
            .Select(label => train.Images[train.Labels == label].mean([0]).flatten())
            .ToArray());

        var distances = cdist(test.Images.flatten(1), centroids);
        double accuracy = (distances.argmin(1) == test.Labels).to(ScalarType.Float32).mean().item<float>();

        // Chance is 0.1; a nearest-mean classifier does far better, so an autoencoder has structure to find.
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Nearest-mean accuracy: {accuracy:F3}"));
        Assert.True(accuracy > 0.5, $"Nearest-mean accuracy is only {accuracy}.");
    }

    [Theory]
    [InlineData(-1, 28)]
    [InlineData(10, 7)]
    public void Generate_RejectsBadArguments(int count, int size)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticShapes.Generate(count, seed: 0, size));
    }
}
