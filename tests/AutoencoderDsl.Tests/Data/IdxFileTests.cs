using System;
using System.IO;
using System.Linq;
using AutoencoderDsl.Data;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_ReturnsTheBytesShapedAsTheHeaderSays(bool gzip)
    {
        string path = folder.File(gzip ? "cube.gz" : "cube");
        byte[] data = IdxWriter.Counting(3 * 4 * 5);
        IdxWriter.Write(path, [3, 4, 5], data, gzip);

        using var tensor = IdxFile.Read(path, expectedRank: 3);

        Assert.Equal([3L, 4, 5], tensor.shape);
        Assert.Equal(ScalarType.Byte, tensor.dtype);
        Assert.Equal(data, tensor.data<byte>().ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadLabelledImages_ScalesPixelsAndWidensLabels(bool gzip)
    {
        string images = folder.File("images");
        string labels = folder.File("labels");
        IdxWriter.Write(images, [4, 2, 3], [0, 51, 102, 153, 204, 255, .. new byte[18]], gzip);
        IdxWriter.Write(labels, [4], [2, 0, 1, 2], gzip);

        using var scope = NewDisposeScope();
        using var set = IdxFile.ReadLabelledImages(images, labels, ["a", "b", "c"]);

        Assert.Equal([4L, 1, 2, 3], set.Images.shape);
        Assert.Equal(ScalarType.Float32, set.Images.dtype);
        Assert.Equal([0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f], set.Images[0].flatten().data<float>().ToArray());
        Assert.Equal([2L, 0, 1, 2], set.Labels.data<long>().ToArray());
        Assert.Equal(["a", "b", "c"], set.ClassNames);
    }

    [Fact]
    public void Read_AcceptsAnEmptyFirstDimension()
    {
        string path = folder.File("empty");
        IdxWriter.Write(path, [0, 28, 28], []);

        using var tensor = IdxFile.Read(path);

        Assert.Equal([0L, 28, 28], tensor.shape);
    }

    [Fact]
    public void BadMagicNumber()
    {
        string path = folder.File("bad-magic");
        IdxWriter.Write(path, [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00], gzip: false);

        AssertInvalid(path, "bad magic number 504B0304; an IDX file starts with two zero bytes, a type code and a dimension count.");
    }

    [Theory]
    [InlineData(0x0D, "float32")]
    [InlineData(0x0C, "int32")]
    [InlineData(0x42, "unknown")]
    public void UnsupportedTypeCode(byte typeCode, string typeName)
    {
        string path = folder.File("typed");
        IdxWriter.Write(path, IdxWriter.Build([2], new byte[8], typeCode), gzip: false);

        AssertInvalid(path, $"unsupported type code 0x{typeCode:X2} ({typeName}); only 0x08 (unsigned byte) is supported.");
    }

    [Fact]
    public void ZeroDimensions()
    {
        string path = folder.File("scalar");
        IdxWriter.Write(path, [], [7]);

        AssertInvalid(path, "the header declares 0 dimensions.");
    }

    [Fact]
    public void DimensionCountMismatch()
    {
        string path = folder.File("matrix");
        IdxWriter.Write(path, [2, 3], new byte[6]);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, expectedRank: 3));

        Assert.Equal($"IDX file '{path}': dimension count mismatch: expected 3 dimensions but the header declares 2.", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedHeader(bool gzip)
    {
        string path = folder.File("short-header");
        IdxWriter.Write(path, IdxWriter.Build([60000, 28, 28], [])[..9], gzip);

        AssertInvalid(path, "truncated header: expected 12 bytes of dimension sizes but got 5.");
    }

    [Fact]
    public void EmptyFile()
    {
        string path = folder.File("empty-file");
        IdxWriter.Write(path, [], gzip: false);

        AssertInvalid(path, "truncated header: expected 4 bytes of magic number but got 0.");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedData(bool gzip)
    {
        string path = folder.File("short-data");
        IdxWriter.Write(path, [3, 4, 5], new byte[50], gzip);

        AssertInvalid(path, "truncated data: expected 60 bytes for the dimensions [3, 4, 5] but got 50.");
    }

    [Fact]
    public void TrailingData()
    {
        string path = folder.File("long-data");
        IdxWriter.Write(path, [2, 2], new byte[5]);

        AssertInvalid(path, "trailing data: expected 4 bytes for the dimensions [2, 2] but got 5.");
    }

    [Fact]
    public void DimensionsTooLargeForAnArray()
    {
        string path = folder.File("huge");
        IdxWriter.Write(path, [65536, 65536], []);

        AssertInvalid(path, $"the dimensions [65536, 65536] hold more than the {Array.MaxLength} elements an array can.");
    }

    [Fact]
    public void CorruptGzipStream()
    {
        string path = folder.File("corrupt.gz");
        byte[] compressed = Compress(IdxWriter.Build([100], IdxWriter.Counting(100)));
        compressed[10] |= 0b110; // the first deflate block now has the reserved, invalid block type 3
        File.WriteAllBytes(path, compressed);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));

        Assert.StartsWith($"IDX file '{path}': the gzip stream is corrupt (", error.Message);
        Assert.IsType<InvalidDataException>(error.InnerException);
    }

    [Fact]
    public void ImageAndLabelCountsDisagree()
    {
        string images = folder.File("images");
        string labels = folder.File("labels");
        IdxWriter.Write(images, [3, 2, 2], new byte[12]);
        IdxWriter.Write(labels, [4], new byte[4]);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabelledImages(images, labels, ["a"]));

        Assert.Equal($"'{images}' holds 3 images but '{labels}' holds 4 labels; the two files must belong together.", error.Message);
    }

    [Fact]
    public void LabelWithoutClassName()
    {
        string images = folder.File("images");
        string labels = folder.File("labels");
        IdxWriter.Write(images, [3, 2, 2], new byte[12]);
        IdxWriter.Write(labels, [3], [0, 1, 7]);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabelledImages(images, labels, ["a", "b"]));

        Assert.Equal($"IDX file '{labels}': label 7 at index 2 has no class name; there are 2 classes.", error.Message);
    }

    [Fact]
    public void ImagesMustHaveThreeDimensions()
    {
        string images = folder.File("images");
        string labels = folder.File("labels");
        IdxWriter.Write(images, [3, 4], new byte[12]);
        IdxWriter.Write(labels, [3], new byte[3]);

        var error = Assert.Throws<InvalidDataException>(() => IdxFile.ReadLabelledImages(images, labels, ["a"]));

        Assert.Equal($"IDX file '{images}': dimension count mismatch: expected 3 dimensions but the header declares 2.", error.Message);
    }

    private static void AssertInvalid(string path, string problem)
    {
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Equal($"IDX file '{path}': {problem}", error.Message);
    }

    private static byte[] Compress(byte[] content)
    {
        var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }

        return compressed.ToArray();
    }
}
