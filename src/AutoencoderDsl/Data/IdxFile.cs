using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using static TorchSharp.torch;

namespace AutoencoderDsl.Data;

/// <summary>
/// Reads IDX files, the format of MNIST and its relatives (Fashion-MNIST, KMNIST, EMNIST), gzip-compressed or raw.
/// </summary>
/// <remarks>
/// An IDX file is a magic number (two zero bytes, a type code, a dimension count), one big-endian 32-bit size per
/// dimension, then the elements in row-major order. Only the unsigned-byte type (0x08) is supported; every other
/// irregularity throws an <see cref="InvalidDataException"/> that names the file and the problem.
/// </remarks>
public static class IdxFile
{
    private const byte UnsignedByteType = 0x08;

    private static readonly Dictionary<byte, string> OtherTypeNames = new()
    {
        [0x09] = "signed byte",
        [0x0B] = "int16",
        [0x0C] = "int32",
        [0x0D] = "float32",
        [0x0E] = "float64",
    };

    /// <summary>Reads an unsigned-byte IDX file into a <c>uint8</c> tensor shaped as its header says.</summary>
    /// <param name="path">The file; compressed with gzip or not (recognised by its first two bytes, 1F 8B).</param>
    /// <param name="expectedRank">The number of dimensions the caller needs, or <see langword="null"/> to accept any.</param>
    /// <exception cref="InvalidDataException">The file is not a well-formed unsigned-byte IDX file of the expected rank.</exception>
    public static Tensor Read(string path, int? expectedRank = null)
    {
        var (data, dimensions) = ReadBytes(path, expectedRank);
        return tensor(data, dimensions);
    }

    /// <summary>
    /// Reads an MNIST-style pair of files: images <c>[N, H, W]</c> and labels <c>[N]</c>, each a class index into
    /// <paramref name="classNames"/>.
    /// </summary>
    /// <param name="imagesPath">The images file.</param>
    /// <param name="labelsPath">The labels file.</param>
    /// <param name="classNames">The name of every class, indexed by label.</param>
    /// <returns>Images as <c>float32 [N, 1, H, W]</c> scaled to [0, 1] and labels as <c>int64 [N]</c>.</returns>
    /// <exception cref="InvalidDataException">A file is malformed, the counts differ, or a label has no class name.</exception>
    public static LabelledImages ReadLabelledImages(string imagesPath, string labelsPath, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        var (pixels, imageDimensions) = ReadBytes(imagesPath, expectedRank: 3);
        var (labels, labelDimensions) = ReadBytes(labelsPath, expectedRank: 1);
        if (imageDimensions[0] != labelDimensions[0])
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"'{imagesPath}' holds {imageDimensions[0]} images but '{labelsPath}' holds {labelDimensions[0]} labels; the two files must belong together."));
        }

        int firstBadLabel = classNames.Count > byte.MaxValue
            ? -1
            : labels.AsSpan().IndexOfAnyInRange((byte)classNames.Count, byte.MaxValue);
        if (firstBadLabel >= 0)
        {
            throw Invalid(labelsPath, $"label {labels[firstBadLabel]} at index {firstBadLabel} has no class name; there are {classNames.Count} classes");
        }

        using var scope = NewDisposeScope();
        var images = tensor(pixels, [imageDimensions[0], 1, imageDimensions[1], imageDimensions[2]])
            .to(ScalarType.Float32)
            .div_(byte.MaxValue);
        var labelTensor = tensor(labels, labelDimensions).to(ScalarType.Int64);
        return new LabelledImages(images.MoveToOuterDisposeScope(), labelTensor.MoveToOuterDisposeScope(), classNames);
    }

    private static (byte[] Data, long[] Dimensions) ReadBytes(string path, int? expectedRank)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.OpenRead(path);
        Span<byte> gzipMagic = stackalloc byte[2];
        bool isGzip = file.ReadAtLeast(gzipMagic, 2, throwOnEndOfStream: false) == 2
            && gzipMagic[0] == 0x1F && gzipMagic[1] == 0x8B;
        file.Position = 0;
        using Stream stream = isGzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return ReadBody(stream, path, expectedRank);
        }
        // GZipStream's own messages do not say which file is corrupt; ours already do.
        catch (InvalidDataException ex) when (isGzip && !ex.Message.StartsWith(Prefix(path), StringComparison.Ordinal))
        {
            throw Invalid(path, $"the gzip stream is corrupt ({ex.Message})", ex);
        }
    }

    private static (byte[] Data, long[] Dimensions) ReadBody(Stream stream, string path, int? expectedRank)
    {
        Span<byte> magic = stackalloc byte[4];
        ReadHeaderPart(stream, magic, path, "magic number");
        if (magic[0] != 0 || magic[1] != 0)
        {
            throw Invalid(path, $"bad magic number {Convert.ToHexString(magic)}; an IDX file starts with two zero bytes, a type code and a dimension count");
        }

        byte type = magic[2];
        if (type != UnsignedByteType)
        {
            string what = OtherTypeNames.TryGetValue(type, out var name) ? name : "unknown";
            throw Invalid(path, $"unsupported type code 0x{type:X2} ({what}); only 0x08 (unsigned byte) is supported");
        }

        int rank = magic[3];
        if (rank == 0)
        {
            throw Invalid(path, $"the header declares 0 dimensions");
        }

        if (expectedRank is { } wanted && rank != wanted)
        {
            throw Invalid(path, $"dimension count mismatch: expected {wanted} dimensions but the header declares {rank}");
        }

        Span<byte> sizes = stackalloc byte[4 * rank];
        ReadHeaderPart(stream, sizes, path, "dimension sizes");
        var dimensions = new long[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dimensions[i] = BinaryPrimitives.ReadUInt32BigEndian(sizes.Slice(4 * i, 4));
            count *= dimensions[i];
            if (count > Array.MaxLength)
            {
                throw Invalid(path, $"the dimensions {Shapes.Format(dimensions[..(i + 1)])} hold more than the {Array.MaxLength} elements an array can");
            }
        }

        var data = new byte[count];
        int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        long extra = CountRemainingBytes(stream);
        if (read != count || extra != 0)
        {
            string kind = read != count ? "truncated data" : "trailing data";
            throw Invalid(path, $"{kind}: expected {count} bytes for the dimensions {Shapes.Format(dimensions)} but got {read + extra}");
        }

        return (data, dimensions);
    }

    private static void ReadHeaderPart(Stream stream, Span<byte> buffer, string path, string part)
    {
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read != buffer.Length)
        {
            throw Invalid(path, $"truncated header: expected {buffer.Length} bytes of {part} but got {read}");
        }
    }

    private static long CountRemainingBytes(Stream stream)
    {
        Span<byte> buffer = stackalloc byte[4096];
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static string Prefix(string path) => $"IDX file '{path}': ";

    private static InvalidDataException Invalid(string path, FormattableString problem, Exception? inner = null) =>
        new(Prefix(path) + problem.ToString(CultureInfo.InvariantCulture) + ".", inner);
}
