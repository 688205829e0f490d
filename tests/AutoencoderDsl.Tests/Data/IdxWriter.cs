using System;
using System.IO;
using System.IO.Compression;

namespace AutoencoderDsl.Tests.Data;

/// <summary>Writes IDX files byte by byte, so that the reader is tested against the format rather than against itself.</summary>
internal static class IdxWriter
{
    /// <summary>The bytes of an IDX file: magic (0, 0, <paramref name="typeCode"/>, rank), big-endian sizes, then <paramref name="data"/>.</summary>
    public static byte[] Build(int[] dimensions, byte[] data, byte typeCode = 0x08)
    {
        var bytes = new MemoryStream();
        bytes.Write([0, 0, typeCode, (byte)dimensions.Length]);
        foreach (int size in dimensions)
        {
            bytes.Write([(byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size]);
        }

        bytes.Write(data);
        return bytes.ToArray();
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, gzip-compressed if <paramref name="gzip"/>.</summary>
    public static void Write(string path, byte[] content, bool gzip)
    {
        using var file = File.Create(path);
        using Stream target = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        target.Write(content);
    }

    /// <summary>Writes an unsigned-byte IDX file.</summary>
    public static void Write(string path, int[] dimensions, byte[] data, bool gzip = false) =>
        Write(path, Build(dimensions, data), gzip);

    /// <summary>Bytes 0, 1, 2, … wrapping at 256, so that misplaced bytes show.</summary>
    public static byte[] Counting(int length)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)i;
        }

        return data;
    }
}
