using System;
using System.IO;
using System.Linq;
using AutoencoderDsl.Imaging;
using AutoencoderDsl.Tests.Data;

namespace AutoencoderDsl.Tests.Imaging;

public sealed class PngTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void TheTestCrcMatchesKnownValues()
    {
        // The CRCs of an IEND chunk and of the IHDR of a 1×1 8-bit RGB image, as every PNG file has them.
        Assert.Equal(0xAE426082u, PngReader.Crc("IEND", []));
        Assert.Equal(0x907753DEu, PngReader.Crc("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]));
    }

    [Fact]
    public void Write_Gray_ProducesAValidFile()
    {
        string path = folder.File("gray.png");
        byte[] pixels = [0, 64, 128, 255, 10, 20, 30, 40, 1, 2, 3, 4];

        Png.Write(path, pixels, width: 4, height: 3, PngColor.Gray);

        var png = PngReader.Load(path);
        Assert.Equal(["IHDR", "IDAT", "IEND"], png.Chunks.Select(chunk => chunk.Type));
        Assert.Equal([0, 0, 0, 4, 0, 0, 0, 3, 8, 0, 0, 0, 0], png.Chunk("IHDR"));
        Assert.Empty(png.Chunk("IEND"));
        Assert.All(png.Chunks, chunk => Assert.Equal(PngReader.Crc(chunk.Type, chunk.Data), chunk.StoredCrc));
        Assert.Equal([0, 0, 64, 128, 255, 0, 10, 20, 30, 40, 0, 1, 2, 3, 4], png.FilteredScanlines());
    }

    [Fact]
    public void Write_Rgb_ProducesAValidFile()
    {
        string path = folder.File("rgb.png");
        byte[] pixels = Enumerable.Range(0, 5 * 2 * 3).Select(i => (byte)(i * 8)).ToArray();

        Png.Write(path, pixels, width: 5, height: 2, PngColor.Rgb);

        var png = PngReader.Load(path);
        Assert.Equal([0, 0, 0, 5, 0, 0, 0, 2, 8, 2, 0, 0, 0], png.Chunk("IHDR"));
        Assert.All(png.Chunks, chunk => Assert.Equal(PngReader.Crc(chunk.Type, chunk.Data), chunk.StoredCrc));
        Assert.Equal(pixels, png.Pixels());
    }

    [Fact]
    public void Write_OneBlackRgbPixel_HasTheWellKnownHeaderCrc()
    {
        string path = folder.File("pixel.png");

        Png.Write(path, [0, 0, 0], 1, 1, PngColor.Rgb);

        var png = PngReader.Load(path);
        Assert.Equal(0x907753DEu, png.Chunks[0].StoredCrc);
        Assert.Equal(0xAE426082u, png.Chunks[^1].StoredCrc);
    }

    [Fact]
    public void Write_ReplacesAnExistingFile_AndLeavesNoTemporaryFile()
    {
        string path = folder.File(Path.Combine("created", "image.png"));
        Png.Write(path, new byte[100], 10, 10, PngColor.Gray);

        Png.Write(path, Enumerable.Repeat((byte)200, 4).ToArray(), 2, 2, PngColor.Gray);

        Assert.Equal([200, 200, 200, 200], PngReader.Load(path).Pixels());
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Write_RejectsAPixelCountThatDoesNotMatch()
    {
        string path = folder.File("wrong.png");

        var error = Assert.Throws<ArgumentException>(() => Png.Write(path, new byte[11], 2, 2, PngColor.Rgb));

        Assert.StartsWith("A 2×2 Rgb image needs 12 bytes but 11 were given.", error.Message);
        Assert.False(File.Exists(path));
    }
}
