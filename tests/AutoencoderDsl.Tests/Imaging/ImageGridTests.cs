using System;
using AutoencoderDsl.Imaging;
using AutoencoderDsl.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Imaging;

public sealed class ImageGridTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData(10, null, 2, 4 * 30 + 2, 3 * 30 + 2)]
    [InlineData(10, 5, 2, 5 * 30 + 2, 2 * 30 + 2)]
    [InlineData(10, 10, 0, 10 * 28, 28)]
    [InlineData(1, null, 3, 31 + 3, 31 + 3)]
    [InlineData(16, null, 1, 4 * 29 + 1, 4 * 29 + 1)]
    public void Save_SizesTheGridFromCountColumnsAndPadding(int count, int? columns, int padding, int width, int height)
    {
        string path = folder.File("grid.png");
        using var images = rand(count, 1, 28, 28);

        ImageGrid.Save(images, path, columns, padding);

        var png = PngReader.Load(path);
        Assert.Equal((width, height), (png.Width, png.Height));
        Assert.Equal(0, png.ColorType);
    }

    [Fact]
    public void Save_PlacesEachImageInItsCell_ClampsValues_AndPadsInGray()
    {
        string path = folder.File("cells.png");
        // Three 2×2 images in two columns: constant 0.5, a clamped ramp, and all NaN.
        using var images = tensor(new float[] { 0.5f, 0.5f, 0.5f, 0.5f, -1f, 0.25f, 0.75f, 2f, float.NaN, float.NaN, float.NaN, float.NaN }, [3, 2, 2]);

        ImageGrid.Save(images, path, columns: 2, padding: 1);

        var png = PngReader.Load(path);
        Assert.Equal((7, 7), (png.Width, png.Height));
        const byte G = ImageGrid.PaddingGray;
        byte[] expected =
        [
            G, G, G, G, G, G, G,
            G, 128, 128, G, 0, 64, G,
            G, 128, 128, G, 191, 255, G,
            G, G, G, G, G, G, G,
            G, 0, 0, G, G, G, G,
            G, 0, 0, G, G, G, G,
            G, G, G, G, G, G, G,
        ];
        Assert.Equal(expected, png.Pixels());
    }

    [Fact]
    public void Save_EnlargesEachPixelIntoABlock()
    {
        string path = folder.File("scaled.png");
        // One 1×2 image (black, white) at scale 2 with padding 1.
        using var images = tensor(new float[] { 0f, 1f }, [1, 1, 2]);

        ImageGrid.Save(images, path, columns: 1, padding: 1, scale: 2);

        var png = PngReader.Load(path);
        Assert.Equal((6, 4), (png.Width, png.Height));
        const byte G = ImageGrid.PaddingGray;
        byte[] expected =
        [
            G, G, G, G, G, G,
            G, 0, 0, 255, 255, G,
            G, 0, 0, 255, 255, G,
            G, G, G, G, G, G,
        ];
        Assert.Equal(expected, png.Pixels());
    }

    [Fact]
    public void Save_WritesRgbForThreeChannels()
    {
        string path = folder.File("rgb.png");
        using var red = zeros(1, 3, 2, 2);
        red[0, 0].fill_(1);

        ImageGrid.Save(red, path, padding: 0);

        var png = PngReader.Load(path);
        Assert.Equal(2, png.ColorType);
        Assert.Equal([255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0], png.Pixels());
    }

    [Theory]
    [InlineData(new long[] { 4, 784 })]
    [InlineData(new long[] { 4, 2, 28, 28 })]
    [InlineData(new long[] { 0, 1, 28, 28 })]
    [InlineData(new long[] { 2, 1, 1, 28, 28 })]
    public void Save_NamesTheShapeItCannotDraw(long[] shape)
    {
        using var images = zeros(shape);

        var error = Assert.Throws<ArgumentException>(() => ImageGrid.Save(images, folder.File("bad.png")));

        Assert.Contains($"but got [{string.Join(", ", shape)}] of type Float32.", error.Message);
    }

    [Fact]
    public void Save_RejectsIntegerImages()
    {
        using var images = zeros([2, 1, 4, 4], ScalarType.Byte);

        var error = Assert.Throws<ArgumentException>(() => ImageGrid.Save(images, folder.File("bad.png")));

        Assert.Contains("but got [2, 1, 4, 4] of type Byte.", error.Message);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Save_LeavesNoTensorBehind_AndTheInputIntact(ScalarType type)
    {
        using var images = rand(5, 1, 8, 8, dtype: type);
        double sum = images.sum().ToDouble();

        // Inside an outer scope, any tensor Save created and did not dispose would count as live.
        using (NewDisposeScope())
        {
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            ImageGrid.Save(images, folder.File("leak.png"));
            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        Assert.False(images.IsInvalid);
        Assert.Equal(sum, images.sum().ToDouble());
    }
}
