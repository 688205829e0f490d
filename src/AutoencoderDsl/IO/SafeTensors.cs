using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.IO;

/// <summary>One tensor of a safetensors file, located in its data section.</summary>
internal sealed record SafeTensorEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End);

/// <summary>
/// The safetensors format (github.com/huggingface/safetensors): an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data. Loading it runs no code, and
/// PyTorch, NumPy and the <c>safetensors</c> package read it. TorchSharp.PyBridge writes the format but takes no
/// metadata, and this library's files carry a checksum in theirs, so the few lines of layout are written here.
/// </summary>
internal static class SafeTensors
{
    /// <summary>The metadata key holding the SHA-256 of the whole file, with this value's own digits read as zeros.</summary>
    public const string ChecksumKey = "sha256";

    private const int DigestLength = 64;

    /// <summary>The largest header this reader accepts; real headers are a few kilobytes.</summary>
    private const long MaxHeaderLength = 64 << 20;

    private static readonly string Placeholder = new('0', DigestLength);

    private static readonly Dictionary<ScalarType, string> DTypeNames = new()
    {
        [ScalarType.Float32] = "F32",
        [ScalarType.Float64] = "F64",
        [ScalarType.Float16] = "F16",
        [ScalarType.BFloat16] = "BF16",
        [ScalarType.Int64] = "I64",
        [ScalarType.Int32] = "I32",
        [ScalarType.Int16] = "I16",
        [ScalarType.Int8] = "I8",
        [ScalarType.Byte] = "U8",
        [ScalarType.Bool] = "BOOL",
    };

    /// <summary>
    /// Writes <paramref name="tensors"/> in order with <paramref name="metadata"/>, and a checksum of the whole file
    /// under <see cref="ChecksumKey"/> in the metadata.
    /// </summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var scope = NewDisposeScope();
        var cpu = tensors.Select(entry => (entry.Key, Tensor: entry.Value.detach().cpu().contiguous())).ToList();
        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata)
            {
                json.WriteString(key, value);
            }

            json.WriteString(ChecksumKey, Placeholder);
            json.WriteEndObject();
            long offset = 0;
            foreach (var (name, tensor) in cpu)
            {
                long size = tensor.NumberOfElements * tensor.ElementSize;
                json.WriteStartObject(name);
                json.WriteString("dtype", DTypeNames.TryGetValue(tensor.dtype, out var dtype) ? dtype : throw new NotSupportedException($"The tensor '{name}' has the element type {tensor.dtype}, which safetensors cannot hold."));
                json.WriteStartArray("shape");
                foreach (var dim in tensor.shape)
                {
                    json.WriteNumberValue(dim);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += size;
            }

            json.WriteEndObject();
        }

        // The data section starts on an 8-byte boundary, padded with spaces as the format allows.
        while ((header.Length + 8) % 8 != 0)
        {
            header.WriteByte((byte)' ');
        }

        var headerBytes = header.ToArray();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var length = BitConverter.GetBytes((ulong)headerBytes.Length);
        if (!BitConverter.IsLittleEndian)
        {
            Array.Reverse(length);
        }

        hash.AppendData(length);
        hash.AppendData(headerBytes);
        foreach (var (_, tensor) in cpu)
        {
            hash.AppendData(tensor.bytes);
        }

        var digest = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
        int at = IndexOf(headerBytes, Encoding.ASCII.GetBytes(Placeholder));
        Encoding.ASCII.GetBytes(digest).CopyTo(headerBytes, at);
        stream.Write(length);
        stream.Write(headerBytes);
        foreach (var (_, tensor) in cpu)
        {
            stream.Write(tensor.bytes);
        }
    }

    /// <summary>
    /// Reads a safetensors file's entries and metadata from <paramref name="file"/>, checking its layout and, when the
    /// metadata carries one, its checksum. Throws <see cref="InvalidDataException"/> naming <paramref name="path"/>.
    /// </summary>
    public static (IReadOnlyList<SafeTensorEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart) Read(ReadOnlyMemory<byte> file, string path)
    {
        var bytes = file.Span;
        if (bytes.Length < 8)
        {
            throw Invalid(path, $"it holds {bytes.Length} bytes, fewer than a safetensors header's length");
        }

        // Unsigned, so a length with the top bit set is not read as a negative one.
        ulong declaredLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (declaredLength > MaxHeaderLength || declaredLength > (ulong)(bytes.Length - 8))
        {
            throw Invalid(path, "its header length is beyond the end of the file");
        }

        long headerLength = (long)declaredLength;
        var entries = new List<SafeTensorEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(file.Slice(8, (int)headerLength));
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // JSON allows a name twice and a reader would keep one of them silently: refuse the file instead.
                if (!names.Add(property.Name))
                {
                    throw Invalid(path, $"its header names '{property.Name}' twice");
                }

                if (property.Name == "__metadata__")
                {
                    foreach (var item in property.Value.EnumerateObject())
                    {
                        if (!metadata.TryAdd(item.Name, item.Value.GetString() ?? string.Empty))
                        {
                            throw Invalid(path, $"its metadata names '{item.Name}' twice");
                        }
                    }

                    continue;
                }

                var dtypeName = property.Value.GetProperty("dtype").GetString();
                var dtype = DTypeNames.FirstOrDefault(pair => pair.Value == dtypeName);
                if (dtype.Value is null)
                {
                    throw Invalid(path, $"the tensor '{property.Name}' has the unknown element type '{dtypeName}'");
                }

                var shape = property.Value.GetProperty("shape").EnumerateArray().Select(dim => dim.GetInt64()).ToArray();
                var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(offset => offset.GetInt64()).ToArray();
                if (offsets.Length != 2)
                {
                    throw Invalid(path, $"the tensor '{property.Name}' has {offsets.Length} data offsets instead of a begin and an end");
                }

                entries.Add(new SafeTensorEntry(property.Name, dtype.Key, shape, offsets[0], offsets[1]));
            }
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw Invalid(path, "its header is not valid safetensors JSON", exception);
        }

        // Each tensor's size is checked against the rest of the file before anything is allocated, in arithmetic that
        // cannot wrap: a shape whose product overflows 64 bits would otherwise pass as a small one.
        long dataStart = 8 + headerLength;
        long dataLength = bytes.Length - dataStart;
        long expected = 0;
        foreach (var entry in entries.OrderBy(entry => entry.Begin))
        {
            if (entry.Begin != expected || entry.End < entry.Begin || ByteSize(entry) != entry.End - entry.Begin)
            {
                throw Invalid(path, string.Create(CultureInfo.InvariantCulture, $"the tensor '{entry.Name}' {Shapes.Format(entry.Shape)} does not fit its byte range [{entry.Begin}, {entry.End})"));
            }

            if (entry.End > dataLength)
            {
                throw Invalid(path, string.Create(CultureInfo.InvariantCulture, $"it is truncated: the tensor '{entry.Name}' ends at byte {entry.End} of the data, which holds {dataLength}"));
            }

            expected = entry.End;
        }

        if (expected != dataLength)
        {
            throw Invalid(path, string.Create(CultureInfo.InvariantCulture, $"{dataLength - expected} unexpected bytes follow its last tensor"));
        }

        if (metadata.TryGetValue(ChecksumKey, out var recorded))
        {
            RequireChecksum(bytes, headerLength, recorded, path);
        }

        return (entries, metadata, dataStart);
    }

    /// <summary>The bytes <paramref name="entry"/>'s shape and element type need, or -1 when a dimension is negative or the product exceeds 64 bits.</summary>
    private static long ByteSize(SafeTensorEntry entry)
    {
        long size = entry.DType.ElementSize();
        foreach (var dim in entry.Shape)
        {
            if (dim < 0 || (dim != 0 && size > long.MaxValue / dim))
            {
                return -1;
            }

            size *= dim;
        }

        return size;
    }

    /// <summary>A CPU tensor holding <paramref name="entry"/>'s data.</summary>
    public static Tensor Tensor(ReadOnlySpan<byte> file, long dataStart, SafeTensorEntry entry)
    {
        var tensor = empty(entry.Shape, entry.DType);
        file.Slice((int)(dataStart + entry.Begin), (int)(entry.End - entry.Begin)).CopyTo(tensor.bytes);
        return tensor;
    }

    /// <summary>Hashes the file with the recorded digest's digits read as zeros, as <see cref="Write"/> did.</summary>
    private static void RequireChecksum(ReadOnlySpan<byte> bytes, long headerLength, string recorded, string path)
    {
        var digits = Encoding.ASCII.GetBytes(recorded);
        int at = recorded.Length == DigestLength ? IndexOf(bytes.Slice(8, (int)headerLength), digits) : -1;
        if (at < 0)
        {
            throw Invalid(path, "its checksum is unreadable");
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(bytes[..(8 + at)]);
        hash.AppendData(Encoding.ASCII.GetBytes(Placeholder));
        hash.AppendData(bytes[(8 + at + DigestLength)..]);
        var actual = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
        if (actual != recorded)
        {
            throw Invalid(path, "its checksum does not match its contents, so it was damaged after it was written");
        }
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);

    private static InvalidDataException Invalid(string path, string problem, Exception? inner = null) =>
        new($"The file '{path}' cannot be read: {problem}.", inner);
}
