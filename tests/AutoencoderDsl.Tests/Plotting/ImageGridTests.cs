using System;
using System.Linq;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Tests.Data;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Plotting;

public sealed class ImageGridTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    /// <summary>The red channel of every pixel, row by row.</summary>
    internal static byte[] Reds(SKBitmap bitmap) =>
        Enumerable.Range(0, bitmap.Height).SelectMany(y => Enumerable.Range(0, bitmap.Width).Select(x => bitmap.GetPixel(x, y).Red)).ToArray();

    [Theory]
    [InlineData(10, null, 2, (4 * 30) + 2, (3 * 30) + 2)]
    [InlineData(10, 5, 2, (5 * 30) + 2, (2 * 30) + 2)]
    [InlineData(10, 10, 0, 10 * 28, 28)]
    [InlineData(1, null, 3, 31 + 3, 31 + 3)]
    public void TheGridIsSizedByCountColumnsAndPadding(int count, int? columns, int padding, int width, int height)
    {
        using var images = rand(count, 1, 28, 28);

        ImageGrid.Save(images, folder.File("grid.png"), columns, padding);

        using var png = SKBitmap.Decode(folder.File("grid.png"));
        Assert.Equal((width, height), (png.Width, png.Height));
    }

    [Fact]
    public void EachImageSitsInItsCellClampedAndPaddedInGrey()
    {
        // Three 2×2 images in two columns: constant 0.5, a clamped ramp, and all NaN (drawn black).
        using var images = tensor(new float[] { 0.5f, 0.5f, 0.5f, 0.5f, -1f, 0.25f, 0.75f, 2f, float.NaN, float.NaN, float.NaN, float.NaN }, [3, 2, 2]);

        ImageGrid.Save(images, folder.File("cells.png"), columns: 2, padding: 1);

        using var png = SKBitmap.Decode(folder.File("cells.png"));
        byte g = ImageGrid.Padding.Red;
        byte[] expected =
        [
            g, g, g, g, g, g, g,
            g, 128, 128, g, 0, 64, g,
            g, 128, 128, g, 191, 255, g,
            g, g, g, g, g, g, g,
            g, 0, 0, g, g, g, g,
            g, 0, 0, g, g, g, g,
            g, g, g, g, g, g, g,
        ];
        Assert.Equal(expected, Reds(png));
    }

    [Fact]
    public void EachPixelIsEnlargedIntoABlock()
    {
        using var images = tensor(new float[] { 0f, 1f }, [1, 1, 2]);

        ImageGrid.Save(images, folder.File("scaled.png"), columns: 1, padding: 1, scale: 2);

        using var png = SKBitmap.Decode(folder.File("scaled.png"));
        byte g = ImageGrid.Padding.Red;
        Assert.Equal([g, g, g, g, g, g, g, 0, 0, 255, 255, g, g, 0, 0, 255, 255, g, g, g, g, g, g, g], Reds(png));
    }

    [Fact]
    public void ThreeChannelsAreColour()
    {
        using var red = zeros(1, 3, 2, 2);
        red[0, 0].fill_(1);

        ImageGrid.Save(red, folder.File("rgb.png"), padding: 0);

        using var png = SKBitmap.Decode(folder.File("rgb.png"));
        Assert.All(Enumerable.Range(0, 4), index => Assert.Equal(new SKColor(255, 0, 0), png.GetPixel(index % 2, index / 2)));
    }

    [Fact]
    public void RowLabelsAndATitleWidenTheGridAndAreDrawn()
    {
        using var images = ones(4, 1, 8, 8);

        ImageGrid.Save(images, folder.File("plain.png"), columns: 2, padding: 1);
        ImageGrid.Save(images, folder.File("labelled.png"), columns: 2, padding: 1, rowLabels: ["noisy 9.3 dB", "denoised 18.5 dB"], title: "PSNR");

        using var plain = SKBitmap.Decode(folder.File("plain.png"));
        using var labelled = SKBitmap.Decode(folder.File("labelled.png"));
        Assert.True(labelled.Width > plain.Width + 40 && labelled.Height > plain.Height + 10);
        var labelArea = Enumerable.Range(0, 40).SelectMany(x => Enumerable.Range(24, 20).Select(y => labelled.GetPixel(x, y)));
        Assert.Contains(labelArea, pixel => pixel.Red < 128);
        Assert.Throws<ArgumentException>(() => ImageGrid.Save(images, folder.File("bad.png"), columns: 2, rowLabels: ["a", "b", "c"]));
    }

    [Theory]
    [InlineData(new long[] { 4, 784 })]
    [InlineData(new long[] { 4, 2, 28, 28 })]
    [InlineData(new long[] { 0, 1, 28, 28 })]
    public void AShapeItCannotDrawIsNamed(long[] shape)
    {
        using var images = zeros(shape);

        var error = Assert.Throws<ArgumentException>(() => ImageGrid.Save(images, folder.File("bad.png")));

        Assert.Contains($"but got [{string.Join(", ", shape)}] of type Float32.", error.Message);
    }

    [Fact]
    public void NoTensorIsLeftBehindAndTheInputIsIntact()
    {
        using var images = rand(5, 1, 8, 8);
        double sum = images.sum().ToDouble();
        using (NewDisposeScope())
        {
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            ImageGrid.Save(images, folder.File("leak.png"));
            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        Assert.Equal(sum, images.sum().ToDouble());
    }
}
