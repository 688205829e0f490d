using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace AutoencoderDsl.Tests.Imaging;

/// <summary>
/// Just enough of a PNG decoder to check the encoder independently: it verifies the signature, the chunk order and
/// every CRC, and undoes filter type 0 (the only one the encoder uses; any other fails the test).
/// </summary>
internal sealed class PngReader
{
    public static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private PngReader(List<(string Type, byte[] Data, uint StoredCrc)> chunks) => Chunks = chunks;

    public IReadOnlyList<(string Type, byte[] Data, uint StoredCrc)> Chunks { get; }

    public int Width => BinaryPrimitives.ReadInt32BigEndian(Chunk("IHDR").AsSpan(0, 4));

    public int Height => BinaryPrimitives.ReadInt32BigEndian(Chunk("IHDR").AsSpan(4, 4));

    public byte BitDepth => Chunk("IHDR")[8];

    public byte ColorType => Chunk("IHDR")[9];

    public int Channels => ColorType switch { 0 => 1, 2 => 3, _ => throw new InvalidDataException($"Colour type {ColorType} is not expected.") };

    public static PngReader Load(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        if (!file.AsSpan(0, 8).SequenceEqual(Signature))
        {
            throw new InvalidDataException("The PNG signature is wrong.");
        }

        var chunks = new List<(string, byte[], uint)>();
        for (int offset = 8; offset < file.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(offset));
            string type = Encoding.ASCII.GetString(file, offset + 4, 4);
            byte[] data = file.AsSpan(offset + 8, length).ToArray();
            uint storedCrc = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset + 8 + length));
            chunks.Add((type, data, storedCrc));
            offset += 12 + length;
        }

        return new PngReader(chunks);
    }

    /// <summary>The data of the one chunk of this type.</summary>
    public byte[] Chunk(string type) => Chunks.Single(chunk => chunk.Type == type).Data;

    /// <summary>The inflated IDAT stream: each scanline preceded by its filter type byte.</summary>
    public byte[] FilteredScanlines()
    {
        byte[] compressed = Chunks.Where(chunk => chunk.Type == "IDAT").SelectMany(chunk => chunk.Data).ToArray();
        using var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
        var inflated = new MemoryStream();
        zlib.CopyTo(inflated);
        return inflated.ToArray();
    }

    /// <summary>The pixels row by row, <see cref="Channels"/> bytes each.</summary>
    public byte[] Pixels()
    {
        byte[] scanlines = FilteredScanlines();
        int rowLength = Width * Channels;
        var pixels = new byte[Height * rowLength];
        for (int row = 0; row < Height; row++)
        {
            byte filter = scanlines[row * (rowLength + 1)];
            if (filter != 0)
            {
                throw new InvalidDataException($"Row {row} uses filter type {filter}; the encoder only writes type 0.");
            }

            scanlines.AsSpan(row * (rowLength + 1) + 1, rowLength).CopyTo(pixels.AsSpan(row * rowLength));
        }

        return pixels;
    }

    /// <summary>The CRC-32 that PNG stores after each chunk, computed bit by bit straight from the definition.</summary>
    public static uint Crc(string type, byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in Encoding.ASCII.GetBytes(type).Concat(data))
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc >> 1) ^ (0xEDB88320 & (uint)-(int)(crc & 1));
            }
        }

        return ~crc;
    }
}
