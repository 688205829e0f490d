using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Imaging;
using AutoencoderDsl.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Imaging;

public sealed class LatentScatterTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Save_DrawsEveryClassInItsColourOnWhite()
    {
        string path = folder.File("latent.png");
        using var scope = NewDisposeScope();
        // Twelve classes on a circle: labels 10 and 11 reuse the first two colours.
        using var labels = arange(1200, dtype: ScalarType.Int64) % 12;
        using var angle = labels.to(ScalarType.Float32) * (2 * Math.PI / 12);
        using var points = stack([cos(angle) * 3 + 1, sin(angle) * 3 - 2], 1) + randn(1200, 2) * 0.2;

        LatentScatter.Save(points, labels, path);

        var png = PngReader.Load(path);
        Assert.Equal((800, 800, 2), (png.Width, png.Height, (int)png.ColorType));
        var colours = Colours(png);
        Assert.All(LatentScatter.Palette, colour => Assert.Contains(colour, colours));
        Assert.Equal((255, 255, 255), colours[0]);
        Assert.Contains(((byte)64, (byte)64, (byte)64), colours);
    }

    [Fact]
    public void Save_HonoursTheSize_AndCopesWithASinglePoint()
    {
        string path = folder.File("one.png");
        using var points = tensor(new[] { 0.5f, -0.5f }, [1, 2]);
        using var labels = tensor(new[] { 3L });

        LatentScatter.Save(points, labels, path, size: 100);

        var png = PngReader.Load(path);
        Assert.Equal((100, 100), (png.Width, png.Height));
        Assert.Contains(LatentScatter.Palette[3], Colours(png));
    }

    [Fact]
    public void Save_KeepsOneScaleForBothAxes()
    {
        string path = folder.File("wide.png");
        // Points spread 100 wide but 1 high must lie on one row band, not fill the square.
        using var points = stack([linspace(-50, 50, 101), linspace(-0.5, 0.5, 101)], 1);
        using var labels = zeros(101, dtype: ScalarType.Int64);

        LatentScatter.Save(points, labels, path, size: 200);

        var colours = Colours(PngReader.Load(path));
        var rowsWithDots = Enumerable.Range(0, 200)
            .Where(y => Enumerable.Range(0, 200).Any(x => colours[y * 200 + x] == LatentScatter.Palette[0]))
            .ToArray();
        Assert.InRange(rowsWithDots.Length, 1, 8);
    }

    [Fact]
    public void Save_RejectsMismatchedOrNonFiniteInput()
    {
        using var points = zeros(4, 2);
        using var threeLabels = zeros(3, dtype: ScalarType.Int64);
        using var floatLabels = zeros(4);
        using var labels = zeros(4, dtype: ScalarType.Int64);
        using var flat = zeros(4, 3);
        using var withNaN = tensor(new[] { 0f, 0f, float.NaN, 1f, 2f, float.PositiveInfinity, 0f, 0f }, [4, 2]);

        Assert.Contains("but got [3] of type Int64", Assert.Throws<ArgumentException>(() => LatentScatter.Save(points, threeLabels, folder.File("a.png"))).Message);
        Assert.Contains("but got [4] of type Float32", Assert.Throws<ArgumentException>(() => LatentScatter.Save(points, floatLabels, folder.File("a.png"))).Message);
        Assert.Contains("but got [4, 3] of type Float32", Assert.Throws<ArgumentException>(() => LatentScatter.Save(flat, labels, folder.File("a.png"))).Message);
        Assert.StartsWith("2 of the 8 coordinates are NaN or infinite.", Assert.Throws<ArgumentException>(() => LatentScatter.Save(withNaN, labels, folder.File("a.png"))).Message);
        Assert.Empty(System.IO.Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Save_LeavesNoTensorBehind_AndTheInputIntact()
    {
        using var points = randn(50, 2);
        using var labels = randint(0, 10, [50]);

        // Inside an outer scope, any tensor Save created and did not dispose would count as live.
        using (NewDisposeScope())
        {
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            LatentScatter.Save(points, labels, folder.File("leak.png"));
            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        Assert.False(points.IsInvalid);
        Assert.False(labels.IsInvalid);
    }

    private static List<(byte R, byte G, byte B)> Colours(PngReader png)
    {
        byte[] pixels = png.Pixels();
        return Enumerable.Range(0, pixels.Length / 3).Select(i => (pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2])).ToList();
    }
}
