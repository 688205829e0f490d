using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using AutoencoderDsl.IO;

namespace AutoencoderDsl.Images;

/// <summary>
/// A folder's images decoded and converted once, in a file read through a memory map: a 64-byte header, then each
/// image's <c>[C, H, W]</c> bytes in slot order, then the slots that failed to decode with their reasons.
/// </summary>
/// <remarks>
/// Header: <c>ADSLIMGC</c>, format version (int32), the key (16 ASCII hex digits), slots (int64), C, H, W (int32 each),
/// the failures' offset (int64), all little-endian. A file whose header or length disagrees with what is expected is
/// rebuilt; it is written through <see cref="AtomicFile"/>, so a reader never sees half of one.
/// </remarks>
internal sealed class ImageCache : IDisposable
{
    private const int HeaderSize = 64;
    private const int Version = 1;
    private const int KeyLength = 16;

    /// <summary>How many images are decoded in parallel before they are written in order.</summary>
    private const int Chunk = 256;

    private static ReadOnlySpan<byte> Magic => "ADSLIMGC"u8;

    private readonly MemoryMappedFile map;
    private readonly MemoryMappedViewAccessor view;
    private readonly int size;

    private ImageCache(string path, MemoryMappedFile map, MemoryMappedViewAccessor view, int size, IReadOnlyList<(int Slot, string Reason)> failures)
    {
        Path = path;
        this.map = map;
        this.view = view;
        this.size = size;
        Failures = failures;
    }

    /// <summary>The cache file's full path.</summary>
    public string Path { get; }

    /// <summary>The slots whose images could not be decoded, and why.</summary>
    public IReadOnlyList<(int Slot, string Reason)> Failures { get; }

    /// <summary>
    /// Maps the cache <c>&lt;owner&gt;-&lt;key&gt;.imagecache</c> in <paramref name="folder"/> if it holds
    /// <paramref name="key"/>'s images converted to <paramref name="target"/>; otherwise decodes <paramref name="files"/>
    /// (slot order) into a new one first, and deletes the owner's other caches, made for files since changed.
    /// </summary>
    public static ImageCache OpenOrBuild(string folder, string owner, string key, IReadOnlyList<string> files, in ImageTarget target)
    {
        string path = System.IO.Path.Combine(folder, $"{owner}-{key}.imagecache");
        if (TryOpen(path, key, files.Count, target) is ImageCache cache)
        {
            return cache;
        }

        var converted = target;
        AtomicFile.Write(path, stream => Build(stream, key, files, converted));
        foreach (var stale in Directory.EnumerateFiles(folder, owner + "-*.imagecache").Where(other => other != path))
        {
            try
            {
                File.Delete(stale);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Still mapped by another process (Windows refuses then); the next new cache tries again.
            }
        }

        return TryOpen(path, key, files.Count, target)
            ?? throw new IOException($"The image cache '{path}' was written but does not read back as written; another process may be writing it. Delete it, or choose another ImageFolderOptions.CacheFolder.");
    }

    /// <summary>Copies slot <paramref name="slot"/>'s converted image into <paramref name="destination"/>; safe from several threads at once.</summary>
    public void Read(int slot, byte[] destination) => view.ReadArray(HeaderSize + ((long)slot * size), destination, 0, size);

    /// <inheritdoc/>
    public void Dispose()
    {
        view.Dispose();
        map.Dispose();
    }

    private static void Build(Stream stream, string key, IReadOnlyList<string> files, ImageTarget target)
    {
        stream.Write(Header(key, files.Count, target, failuresAt: HeaderSize + ((long)files.Count * target.Size)));
        var failures = new List<(int Slot, string Reason)>();
        var buffer = new byte[Math.Min(Chunk, files.Count) * target.Size];
        for (int start = 0; start < files.Count; start += Chunk)
        {
            int count = Math.Min(Chunk, files.Count - start);
            var reasons = new string?[count];
            Array.Clear(buffer);
            Parallel.For(0, count, i =>
            {
                try
                {
                    reasons[i] = ImageDecoder.TryDecode(files[start + i], target, buffer.AsSpan(i * target.Size, target.Size));
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    reasons[i] = $"it cannot be read ({exception.Message})";
                }
            });
            for (int i = 0; i < count; i++)
            {
                if (reasons[i] is string reason)
                {
                    failures.Add((start + i, reason));
                }
            }

            stream.Write(buffer, 0, count * target.Size);
        }

        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(failures.Count);
        foreach (var (slot, reason) in failures)
        {
            writer.Write(slot);
            writer.Write(reason);
        }
    }

    private static ImageCache? TryOpen(string path, string key, int slots, in ImageTarget target)
    {
        long failuresAt = HeaderSize + ((long)slots * target.Size);
        List<(int Slot, string Reason)> failures;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var header = new byte[HeaderSize];
            if (stream.Length < failuresAt + sizeof(int) || stream.Read(header) != HeaderSize || !header.AsSpan().SequenceEqual(Header(key, slots, target, failuresAt)))
            {
                return null;
            }

            stream.Position = failuresAt;
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            int count = reader.ReadInt32();
            if (count < 0 || count > slots)
            {
                return null;
            }

            failures = new List<(int, string)>(count);
            for (int i = 0; i < count; i++)
            {
                int slot = reader.ReadInt32();
                if (slot < 0 || slot >= slots)
                {
                    return null;
                }

                failures.Add((slot, reader.ReadString()));
            }
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException or EndOfStreamException)
        {
            return null;
        }

        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        try
        {
            return new ImageCache(path, map, map.CreateViewAccessor(0, failuresAt, MemoryMappedFileAccess.Read), target.Size, failures);
        }
        catch
        {
            map.Dispose();
            throw;
        }
    }

    private static byte[] Header(string key, int slots, in ImageTarget target, long failuresAt)
    {
        var header = new byte[HeaderSize];
        var span = header.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], Version);
        Encoding.ASCII.GetBytes(key.AsSpan(0, KeyLength), span[12..]);
        BinaryPrimitives.WriteInt64LittleEndian(span[28..], slots);
        BinaryPrimitives.WriteInt32LittleEndian(span[36..], target.Channels);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], target.Height);
        BinaryPrimitives.WriteInt32LittleEndian(span[44..], target.Width);
        BinaryPrimitives.WriteInt64LittleEndian(span[48..], failuresAt);
        return header;
    }
}
