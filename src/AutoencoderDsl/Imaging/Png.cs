using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;
using AutoencoderDsl.IO;

namespace AutoencoderDsl.Imaging;

/// <summary>The pixel layouts <see cref="Png.Write"/> encodes, each with 8 bits per sample.</summary>
public enum PngColor
{
    /// <summary>One byte per pixel: 0 is black, 255 white.</summary>
    Gray = 0,

    /// <summary>Three bytes per pixel: red, green, blue.</summary>
    Rgb = 2,
}

/// <summary>A minimal PNG encoder: 8-bit greyscale or RGB, no interlacing, no ancillary chunks.</summary>
public static class Png
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = CreateCrcTable();

    /// <summary>
    /// Writes an image as a PNG file, atomically: readers see either the previous file or the complete new one.
    /// The folder is created if needed.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="pixels">The pixels row by row from the top left, <paramref name="color"/>'s bytes per pixel.</param>
    /// <param name="width">The width in pixels.</param>
    /// <param name="height">The height in pixels.</param>
    /// <param name="color">The layout of each pixel.</param>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> does not hold exactly <c>width × height</c> pixels.</exception>
    public static void Write(string path, ReadOnlySpan<byte> pixels, int width, int height, PngColor color)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int channels = color switch
        {
            PngColor.Gray => 1,
            PngColor.Rgb => 3,
            _ => throw new ArgumentOutOfRangeException(nameof(color), color, "Only Gray and Rgb are supported."),
        };
        long expectedLength = (long)width * height * channels;
        if (pixels.Length != expectedLength)
        {
            throw new ArgumentException(
                $"A {width}×{height} {color} image needs {expectedLength} bytes but {pixels.Length} were given.", nameof(pixels));
        }

        var file = new MemoryStream();
        file.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bits per sample
        header[9] = (byte)color;
        // header[10..13] stay 0: deflate compression, adaptive filtering, no interlacing.
        WriteChunk(file, "IHDR", header);
        WriteChunk(file, "IDAT", Compress(pixels, width * channels));
        WriteChunk(file, "IEND", []);

        AtomicFile.Write(path, target => file.WriteTo(target));
    }

    /// <summary>Deflates the scanlines, each prefixed with filter type 0 (none): simple, and small enough for plots.</summary>
    private static ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> pixels, int rowLength)
    {
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int start = 0; start < pixels.Length; start += rowLength)
            {
                zlib.WriteByte(0);
                zlib.Write(pixels.Slice(start, rowLength));
            }
        }

        return compressed.GetBuffer().AsSpan(0, (int)compressed.Length);
    }

    private static void WriteChunk(Stream file, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        file.Write(number);
        file.Write(typeBytes);
        file.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typeBytes, data));
        file.Write(number);
    }

    /// <summary>The CRC-32 (ISO 3309, reflected polynomial 0xEDB88320) of a chunk's type and data, as PNG requires.</summary>
    private static uint Crc32(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data) =>
        ~UpdateCrc(UpdateCrc(0xFFFFFFFF, type), data);

    private static uint UpdateCrc(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] CreateCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < table.Length; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
