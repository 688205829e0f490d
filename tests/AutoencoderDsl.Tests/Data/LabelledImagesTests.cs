using System;
using AutoencoderDsl.Data;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Data;

public sealed class LabelledImagesTests
{
    [Fact]
    public void Take_CopiesTheFirstExamples()
    {
        using var set = SyntheticShapes.Generate(30, seed: 5);

        using var first = set.Take(12);

        Assert.Equal(12, first.Count);
        Assert.Equal(set.Images[..12].data<float>().ToArray(), first.Images.data<float>().ToArray());
        Assert.Equal(set.Labels[..12].data<long>().ToArray(), first.Labels.data<long>().ToArray());
        Assert.Same(set.ClassNames, first.ClassNames);
        first.Images.zero_();
        Assert.NotEqual(0f, set.Images[..12].sum().item<float>());
    }

    [Fact]
    public void Split_CoversEveryExampleOnce()
    {
        using var set = SyntheticShapes.Generate(30, seed: 5);

        var (first, remainder) = set.Split(20);
        using (first)
        using (remainder)
        {
            Assert.Equal(20, first.Count);
            Assert.Equal(10, remainder.Count);
            Assert.Equal(set.Labels[20..].data<long>().ToArray(), remainder.Labels.data<long>().ToArray());
            Assert.Equal(set.Images[20..].data<float>().ToArray(), remainder.Images.data<float>().ToArray());
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(31)]
    public void Take_And_Split_RejectCountsOutOfRange(int count)
    {
        using var set = SyntheticShapes.Generate(30, seed: 5);

        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => set.Take(count)).ParamName);
        Assert.Equal("firstCount", Assert.Throws<ArgumentOutOfRangeException>(() => set.Split(count)).ParamName);
    }

    [Fact]
    public void Constructor_NamesTheWrongShapes()
    {
        using var flat = zeros(4, 784);
        using var images = zeros(4, 1, 28, 28);
        using var labels = zeros(5, dtype: ScalarType.Int64);

        var badImages = Assert.Throws<ArgumentException>(() => new LabelledImages(flat, labels, ["a"]));
        var badLabels = Assert.Throws<ArgumentException>(() => new LabelledImages(images, labels, ["a"]));

        Assert.StartsWith("Expected images of shape [N, C, H, W] and type Float32 but got [4, 784] of type Float32.", badImages.Message);
        Assert.StartsWith("Expected labels of shape [4] and type Int64 to match images [4, 1, 28, 28] but got [5] of type Int64.", badLabels.Message);
    }
}
