using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AutoencoderDsl.Data;
using AutoencoderDsl.Images;
using AutoencoderDsl.Tests.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Images;

public sealed class ImageFolderTests : IDisposable
{
    private const float Byte = 1f / 255;

    private readonly TemporaryFolder folder = new();
    private readonly TemporaryFolder cacheFolder = new();

    /// <summary>Decoding each time, as most tests check it; the cache tests compare the cache with it.</summary>
    private static ImageFolderOptions Decoding { get; } = new() { Cache = false };

    public void Dispose()
    {
        folder.Dispose();
        cacheFolder.Dispose();
    }

    [Fact]
    public void Open_ReadsEveryFormatAndColourModeWithClassesInOrdinalOrder()
    {
        ImageFiles.Write(folder.File("Zebra/a.png"), ImageFiles.Grey(5, 7, (x, y) => (byte)(x * 40)));
        ImageFiles.Write(folder.File("Zebra/b.jpg"), ImageFiles.Colour(9, 6, (x, y) => new SKColor(200, 30, 30)));
        ImageFiles.Write(folder.File("Zebra/nested/c.bmp"), ImageFiles.Colour(8, 8, (x, y) => new SKColor(0, 0, 255)));
        ImageFiles.Write(folder.File("apple/d.gif"), ImageFiles.Colour(10, 10, (x, y) => (x + y) % 2 == 0 ? SKColors.Red : SKColors.Green));
        ImageFiles.Write(folder.File("apple/e.webp"), ImageFiles.Colour(8, 12, (x, y) => new SKColor(10, 200, 10, 128)));
        ImageFiles.Write(folder.File("apple/F.PNG"), ImageFiles.Colour(3, 3, (x, y) => SKColors.White));
        File.WriteAllText(folder.File("apple/README.txt"), "notes");
        File.WriteAllText(folder.File("Zebra/.DS_Store"), "finder");
        ImageFiles.Write(folder.File("Zebra/._a.png"), ImageFiles.Grey(2, 2, (x, y) => 0));

        using var images = ImageFolder.Open(folder.Path, [3L, 8, 8], Decoding);

        Assert.Equal(["Zebra", "apple"], images.ClassNames);
        Assert.Equal(6, images.Count);
        Assert.Equal(3, images.IgnoredFiles);
        Assert.Empty(images.Skipped);
        Assert.Equal(
            ["Zebra/a.png", "Zebra/b.jpg", "Zebra/nested/c.bmp", "apple/F.PNG", "apple/d.gif", "apple/e.webp"],
            Enumerable.Range(0, 6).Select(i => Path.GetRelativePath(folder.Path, images.Origin(i)!).Replace('\\', '/')));
        for (int i = 0; i < images.Count; i++)
        {
            var example = images.GetTensor(i);
            using var data = example[DataKeys.Data];
            using var label = example[DataKeys.Label];
            Assert.Equal([3L, 8, 8], data.shape);
            Assert.Equal(ScalarType.Float32, data.dtype);
            Assert.True(data.min().item<float>() >= 0 && data.max().item<float>() <= 1);
            Assert.Equal(ScalarType.Int64, label.dtype);
            Assert.Equal(0, label.dim());
            Assert.Equal(i < 3 ? 0L : 1L, label.item<long>());
        }

        // The BMP is pure blue, the GIF half red and half green: the hand-written files decode as written.
        using var bmp = images.GetTensor(2)[DataKeys.Data];
        Assert.Equal([0f, 0f, 1f], bmp.mean([1, 2]).data<float>().ToArray());
        using var gif = images.GetTensor(4)[DataKeys.Data];
        Assert.Equal(0.5f, gif[0].mean().item<float>(), 0.1f);
        Assert.Equal(0.5f * 128 / 255, gif[1].mean().item<float>(), 0.1f);
    }

    [Fact]
    public void Open_TreatsAFolderWithoutClassFoldersAsUnlabelled()
    {
        ImageFiles.Write(folder.File("b.png"), ImageFiles.Grey(4, 4, (x, y) => 10));
        ImageFiles.Write(folder.File("a.png"), ImageFiles.Grey(4, 4, (x, y) => 20));
        Directory.CreateDirectory(folder.File("notes"));

        using var images = ImageFolder.Open(folder.Path, [1L, 4, 4], Decoding);

        Assert.Null(images.ClassNames);
        Assert.Equal(2, images.Count);
        var example = images.GetTensor(0);
        Assert.False(example.ContainsKey(DataKeys.Label));
        using var data = example[DataKeys.Data];
        Assert.Equal(20 * Byte, data.mean().item<float>(), 1e-6f);
    }

    [Fact]
    public void Open_RefusesImagesBesideClassFolders_NamingThem()
    {
        ImageFiles.Write(folder.File("cats/a.png"), ImageFiles.Grey(4, 4, (x, y) => 10));
        ImageFiles.Write(folder.File("stray.png"), ImageFiles.Grey(4, 4, (x, y) => 10));

        var error = Assert.Throws<InvalidDataException>(() => ImageFolder.Open(folder.Path, [1L, 4, 4], Decoding));

        Assert.Contains(folder.File("stray.png"), error.Message);
        Assert.Contains("belongs to no class", error.Message);
    }

    [Theory]
    [InlineData(new long[] { 2, 8, 8 })]
    [InlineData(new long[] { 784 })]
    [InlineData(new long[] { 1, 1, 8, 8 })]
    public void Open_RefusesShapesOtherThanGreyOrColourImages(long[] shape)
    {
        ImageFiles.Write(folder.File("a.png"), ImageFiles.Grey(4, 4, (x, y) => 10));

        var error = Assert.Throws<ArgumentException>(() => ImageFolder.Open(folder.Path, shape, Decoding));

        Assert.Contains("C = 1 (grey) or 3", error.Message);
        Assert.Contains($"[{string.Join(", ", shape)}]", error.Message);
    }

    [Theory]
    [InlineData(255, 0, 0, 76)]
    [InlineData(0, 255, 0, 150)]
    [InlineData(0, 0, 255, 29)]
    [InlineData(90, 160, 220, 146)]
    public void ColourBecomesGreyByBt601Luma(byte red, byte green, byte blue, int grey)
    {
        ImageFiles.Write(folder.File("a.png"), ImageFiles.Colour(4, 4, (x, y) => new SKColor(red, green, blue)));

        using var images = ImageFolder.Open(folder.Path, [1L, 4, 4], Decoding);
        using var data = images.GetTensor(0)[DataKeys.Data];

        Assert.All(data.data<float>().ToArray(), value => Assert.Equal(grey * Byte, value, 1e-6f));
    }

    [Fact]
    public void GreyBecomesColourByRepeatingIt()
    {
        ImageFiles.Write(folder.File("a.png"), ImageFiles.Grey(4, 4, (x, y) => 100));

        using var images = ImageFolder.Open(folder.Path, [3L, 4, 4], Decoding);
        using var data = images.GetTensor(0)[DataKeys.Data];

        Assert.All(data.data<float>().ToArray(), value => Assert.Equal(100 * Byte, value, 1e-6f));
    }

    [Theory]
    [InlineData(ImageBackground.White, 255, 127, 127)]
    [InlineData(ImageBackground.Black, 128, 0, 0)]
    public void TransparencyIsCompositedOverTheChosenBackground(ImageBackground background, int red, int green, int blue)
    {
        ImageFiles.Write(folder.File("a.png"), ImageFiles.Colour(4, 4, (x, y) => new SKColor(255, 0, 0, 128)));

        using var colour = ImageFolder.Open(folder.Path, [3L, 4, 4], Decoding with { AlphaBackground = background });
        using var grey = ImageFolder.Open(folder.Path, [1L, 4, 4], Decoding with { AlphaBackground = background });
        using var rgb = colour.GetTensor(0)[DataKeys.Data];
        using var luma = grey.GetTensor(0)[DataKeys.Data];

        Assert.Equal([red * Byte, green * Byte, blue * Byte], rgb.mean([1, 2]).data<float>().ToArray(), new Tolerance(Byte));
        int expected = (int)Math.Round((0.299 * red) + (0.587 * green) + (0.114 * blue));
        Assert.Equal(expected * Byte, luma.mean().item<float>(), Byte);
    }

    [Fact]
    public void ResizeModes_CropPadOrStretchANonSquareImage()
    {
        // 4 wide, 2 high: black, white, white, black columns; the target is 4 × 4.
        ImageFiles.Write(folder.File("a.png"), ImageFiles.Grey(4, 2, (x, y) => x is 1 or 2 ? (byte)255 : (byte)0));

        float[,] Read(ResizeMode mode)
        {
            using var images = ImageFolder.Open(folder.Path, [1L, 4, 4], Decoding with { Resize = mode });
            using var data = images.GetTensor(0)[DataKeys.Data];
            var values = data.data<float>().ToArray();
            var grid = new float[4, 4];
            Buffer.BlockCopy(values, 0, grid, 0, values.Length * sizeof(float));
            return grid;
        }

        // Crop: the middle 2 × 2 (all white), enlarged.
        var crop = Read(ResizeMode.CropToFit);
        Assert.All(Enumerable.Range(0, 4), y => Assert.True(crop[y, 1] > 0.9f && crop[y, 2] > 0.9f, $"crop row {y}: {crop[y, 1]}, {crop[y, 2]}"));

        // Pad: the image unscaled in rows 1 and 2, black rows above and below.
        var pad = Read(ResizeMode.PadToFit);
        for (int x = 0; x < 4; x++)
        {
            Assert.Equal(0f, pad[0, x]);
            Assert.Equal(0f, pad[3, x]);
            Assert.Equal(x is 1 or 2 ? 1f : 0f, pad[1, x]);
            Assert.Equal(x is 1 or 2 ? 1f : 0f, pad[2, x]);
        }

        // Stretch: twice as high, the black columns kept dark.
        var stretch = Read(ResizeMode.Stretch);
        Assert.All(Enumerable.Range(0, 4), y => Assert.True(stretch[y, 0] < 0.2f && stretch[y, 3] < 0.2f && stretch[y, 1] > 0.8f, $"stretch row {y}"));
    }

    [Fact]
    public void PadToFit_FillsWithTheChosenPadding()
    {
        ImageFiles.Write(folder.File("a.png"), ImageFiles.Grey(4, 2, (x, y) => 100));

        using var images = ImageFolder.Open(folder.Path, [1L, 4, 4], Decoding with { Resize = ResizeMode.PadToFit, Padding = ImageBackground.White });
        using var data = images.GetTensor(0)[DataKeys.Data];

        Assert.Equal([1f, 1f, 1f, 1f], data[0, 0].data<float>().ToArray());
        Assert.Equal(100 * Byte, data[0, 1, 0].item<float>(), 1e-6f);
    }

    [Fact]
    public void Shrinking_AveragesEverySourcePixel()
    {
        // One white column in four: a filter reading only the pixels around each target pixel's centre gives 0 or 0.5.
        ImageFiles.Write(folder.File("a.png"), ImageFiles.Grey(64, 64, (x, y) => x % 4 == 0 ? (byte)255 : (byte)0));

        using var images = ImageFolder.Open(folder.Path, [1L, 2, 2], Decoding);
        using var data = images.GetTensor(0)[DataKeys.Data];

        Assert.All(data.data<float>().ToArray(), value => Assert.Equal(0.25f, value, 0.08f));
    }

    [Fact]
    public void BadFiles_FailTogetherInOneMessage_OrAreSkippedAndListed()
    {
        ImageFiles.Write(folder.File("good/a.png"), ImageFiles.Grey(16, 16, (x, y) => (byte)(x * y)));
        var png = File.ReadAllBytes(folder.File("good/a.png"));
        Directory.CreateDirectory(folder.File("bad"));
        File.WriteAllBytes(folder.File("bad/truncated.png"), png[..(png.Length / 2)]);
        File.WriteAllText(folder.File("bad/text.png"), "this is not an image");
        File.WriteAllBytes(folder.File("bad/zero.png"), []);
        Directory.CreateDirectory(folder.File("empty"));
        File.WriteAllText(folder.File("empty/README.txt"), "nothing yet");
        string[] bad = [folder.File("bad/text.png"), folder.File("bad/truncated.png"), folder.File("bad/zero.png"), folder.File("empty")];

        var error = Assert.Throws<InvalidDataException>(() => ImageFolder.Open(folder.Path, [1L, 16, 16], Decoding));

        Assert.Contains("4 bad entries", error.Message);
        Assert.All(bad, path => Assert.Contains(path + ":", error.Message));
        Assert.Contains("it is truncated", error.Message);
        Assert.Contains("empty (0 bytes)", error.Message);
        Assert.Contains("holds no images", error.Message);
        Assert.Contains("SkipBadFiles", error.Message);

        using var images = ImageFolder.Open(folder.Path, [1L, 16, 16], Decoding with { SkipBadFiles = true });

        Assert.Equal(1, images.Count);
        Assert.Equal(["bad", "empty", "good"], images.ClassNames);
        Assert.Equal(2L, images.GetTensor(0)[DataKeys.Label].item<long>());
        Assert.Equal(bad, images.Skipped.Select(line => line[..line.IndexOf(": ", StringComparison.Ordinal)]));
    }

    [Fact]
    public void Open_RefusesImagesLargerThanMaxPixelsBeforeDecoding()
    {
        ImageFiles.Write(folder.File("a.png"), ImageFiles.Grey(40, 30, (x, y) => 0));

        var error = Assert.Throws<InvalidDataException>(() => ImageFolder.Open(folder.Path, [1L, 4, 4], Decoding with { MaxPixels = 1000 }));

        Assert.Contains("40×30 = 1,200 pixels, more than ImageFolderOptions.MaxPixels (1,000)", error.Message);
    }

    [Fact]
    public void GetTensor_NamesAFileDamagedAfterOpen()
    {
        ImageFiles.Write(folder.File("a.png"), ImageFiles.Grey(4, 4, (x, y) => 0));
        using var images = ImageFolder.Open(folder.Path, [1L, 4, 4], Decoding);
        File.WriteAllText(folder.File("a.png"), "overwritten");

        var error = Assert.Throws<InvalidDataException>(() => images.GetTensor(0));

        Assert.Contains(folder.File("a.png"), error.Message);
    }

    [Fact]
    public void GetTensor_FromFourThreadsEqualsSequential()
    {
        WriteVaried(40);
        using var images = ImageFolder.Open(folder.Path, [3L, 12, 12], Decoding);
        var sequential = Enumerable.Range(0, 40).Select(i => Values(images, i)).ToArray();
        var concurrent = new float[4][][];

        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, thread =>
            concurrent[thread] = Enumerable.Range(0, 40).Select(i => Values(images, (i + (thread * 10)) % 40)).ToArray());

        for (int thread = 0; thread < 4; thread++)
        {
            for (int i = 0; i < 40; i++)
            {
                Assert.Equal(sequential[(i + (thread * 10)) % 40], concurrent[thread][i]);
            }
        }
    }

    [Fact]
    public void Cache_GivesTheDecodedTensors_AndIsRebuiltWhenDamaged()
    {
        WriteVaried(12);
        var options = new ImageFolderOptions { CacheFolder = cacheFolder.Path };
        using var decoded = ImageFolder.Open(folder.Path, [3L, 10, 10], Decoding);
        var expected = Enumerable.Range(0, 12).Select(i => Values(decoded, i)).ToArray();

        string cachePath;
        using (var cached = ImageFolder.Open(folder.Path, [3L, 10, 10], options))
        {
            cachePath = cached.CachePath!;
            Assert.Equal(cacheFolder.Path, Path.GetDirectoryName(cachePath));
            Assert.Equal(decoded.Fingerprint, cached.Fingerprint);
            Assert.Equal(expected, Enumerable.Range(0, 12).Select(i => Values(cached, i)));
            Assert.Equal(decoded.GetTensor(5)[DataKeys.Label].item<long>(), cached.GetTensor(5)[DataKeys.Label].item<long>());
        }

        var written = File.GetLastWriteTimeUtc(cachePath);
        using (var again = ImageFolder.Open(folder.Path, [3L, 10, 10], options))
        {
            Assert.Equal(written, File.GetLastWriteTimeUtc(cachePath));
        }

        // A changed file (c1/10.png, index 6 in ordinal order) makes a new cache, which replaces the stale one.
        ImageFiles.Write(folder.File("c1/10.png"), ImageFiles.Grey(10, 10, (x, y) => 7));
        using (var changed = ImageFolder.Open(folder.Path, [3L, 10, 10], options))
        {
            Assert.Equal(changed.CachePath, Assert.Single(Directory.GetFiles(cacheFolder.Path)));
            Assert.NotEqual(cachePath, changed.CachePath);
            Assert.Equal(7 * Byte, Values(changed, 6)[0], 1e-6f);
            cachePath = changed.CachePath!;
            expected[6] = Values(changed, 6);
        }

        var bytes = File.ReadAllBytes(cachePath);
        File.WriteAllBytes(cachePath, bytes[..^100]);
        using var rebuilt = ImageFolder.Open(folder.Path, [3L, 10, 10], options);
        Assert.Equal(bytes.Length, new FileInfo(cachePath).Length);
        Assert.Equal(expected, Enumerable.Range(0, 12).Select(i => Values(rebuilt, i)));
    }

    [Fact]
    public void Cache_DecodesEveryFileAtOpen_ReportingDamageBeyondTheHeader()
    {
        WriteVaried(3);
        // A PNG whose end is intact but whose compressed data is overwritten.
        var png = File.ReadAllBytes(folder.File("c0/0.png"));
        Array.Fill(png, (byte)0x55, 60, png.Length - 80);
        File.WriteAllBytes(folder.File("c0/0.png"), png);
        var options = new ImageFolderOptions { CacheFolder = cacheFolder.Path };

        var error = Assert.Throws<InvalidDataException>(() => ImageFolder.Open(folder.Path, [3L, 10, 10], options));
        Assert.Contains(folder.File("c0/0.png"), error.Message);

        using var skipping = ImageFolder.Open(folder.Path, [3L, 10, 10], options with { SkipBadFiles = true });
        Assert.Equal(2, skipping.Count);
        Assert.StartsWith(folder.File("c0/0.png"), Assert.Single(skipping.Skipped));
    }

    [Fact]
    public void Fingerprint_ChangesWithAFilesSizeOrTimeOrTheConversion()
    {
        WriteVaried(4);
        string Fingerprint(ImageFolderOptions? options = null, long channels = 3)
        {
            using var images = ImageFolder.Open(folder.Path, [channels, 10, 10], options ?? Decoding);
            return images.Fingerprint;
        }

        string original = Fingerprint();
        Assert.Matches("^[0-9a-f]{16}$", original);
        Assert.Equal(original, Fingerprint());
        Assert.NotEqual(original, Fingerprint(Decoding with { Resize = ResizeMode.Stretch }));
        Assert.NotEqual(original, Fingerprint(channels: 1));

        string path = folder.File("c0/0.png");
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(-10));
        string touched = Fingerprint();
        Assert.NotEqual(original, touched);

        var time = File.GetLastWriteTimeUtc(path);
        long length = new FileInfo(path).Length;
        ImageFiles.Write(path, ImageFiles.Grey(30, 30, (x, y) => (byte)(x * y)));
        Assert.NotEqual(length, new FileInfo(path).Length);
        File.SetLastWriteTimeUtc(path, time);
        Assert.NotEqual(touched, Fingerprint());
    }

    [Fact]
    public void ReadAll_StacksEveryExample()
    {
        WriteVaried(6);
        using var images = ImageFolder.Open(folder.Path, [3L, 10, 10], Decoding);

        var (all, labels) = images.ReadAll();
        using (all)
        using (labels)
        {
            Assert.Equal([6L, 3, 10, 10], all.shape);
            Assert.Equal(Values(images, 4), all[4].data<float>().ToArray());
            Assert.Equal([0L, 0, 0, 1, 1, 1], labels!.data<long>().ToArray());
        }
    }

    /// <summary>Images of several sizes and colours in two classes, alternating PNG and JPEG.</summary>
    private void WriteVaried(int count)
    {
        for (int i = 0; i < count; i++)
        {
            string name = $"c{i * 2 / count}/{i}.{(i % 3 == 2 ? "jpg" : "png")}";
            ImageFiles.Write(folder.File(name), ImageFiles.Colour(10 + (i % 5), 8 + (i % 7), (x, y) => new SKColor((byte)(x * 20), (byte)(y * 25), (byte)(i * 19), (byte)(200 + (i % 50)))));
        }
    }

    private static float[] Values(ImageFolder images, long index)
    {
        var example = images.GetTensor(index);
        using var data = example[DataKeys.Data];
        example.GetValueOrDefault(DataKeys.Label)?.Dispose();
        return data.data<float>().ToArray();
    }

    private sealed class Tolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance + 1e-6f;

        public int GetHashCode(float value) => 0;
    }
}
