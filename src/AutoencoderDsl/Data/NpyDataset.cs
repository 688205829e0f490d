using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Data;

/// <summary>
/// The examples of a <c>.npy</c> file <c>[N, ...]</c>, memory-mapped and read one example at a time, as a TorchSharp
/// data set: a file larger than memory trains, since only the pages being read are brought in and the kernel may drop
/// them again. Opened by <see cref="NpyFile.Open"/>; thread-safe; dispose it to unmap the file.
/// </summary>
public sealed class NpyDataset : torch.utils.data.Dataset, IExampleSource, IExampleWriter
{
    private readonly MemoryMappedFile file;
    private readonly MemoryMappedViewAccessor view;
    private readonly ScalarType type;
    private readonly long[] exampleShape;
    private readonly long exampleBytes;
    private readonly long dataStart;
    private readonly double scale;
    private readonly long[]? labels;
    private readonly string path;

    internal NpyDataset(string path, string? labelsPath, double scale)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!double.IsFinite(scale) || scale == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be finite and not 0, such as 1/255 for bytes of pixels.");
        }

        this.path = Path.GetFullPath(path);
        this.scale = scale;
        var info = new FileInfo(this.path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"There is no .npy file '{this.path}'.", this.path);
        }

        var header = new byte[(int)Math.Min(info.Length, NpyFile.MaxHeaderBytes)];
        using (var stream = File.OpenRead(this.path))
        {
            stream.ReadExactly(header);
        }

        (type, var shape, dataStart) = NpyFile.ReadHeader(header, info.Length, this.path);
        if (shape.Length < 1 || shape[0] == 0 || type == ScalarType.Bool)
        {
            throw NpyFile.Invalid(this.path, $"a data set needs numbers shaped [N, ...] with at least one example, but it holds {type} ({string.Join(", ", shape)})");
        }

        Count = shape[0];
        exampleShape = shape[1..];
        exampleBytes = exampleShape.Aggregate((long)type.ElementSize(), (product, dim) => product * dim);
        Fingerprint = string.Create(CultureInfo.InvariantCulture, $"{this.path}, {info.Length} bytes, written {info.LastWriteTimeUtc:O}, {type} ({string.Join(", ", shape)}), scale {scale:R}");
        if (labelsPath is not null)
        {
            labels = ReadLabels(labelsPath, Count);
            var labelsInfo = new FileInfo(labelsPath);
            Fingerprint += string.Create(CultureInfo.InvariantCulture, $"; labels {labelsInfo.FullName}, {labelsInfo.Length} bytes, written {labelsInfo.LastWriteTimeUtc:O}");
        }

        file = MemoryMappedFile.CreateFromFile(this.path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
    }

    /// <inheritdoc/>
    public override long Count { get; }

    /// <summary>The file's full path, size, modification time, element type and shape, and the labels file's.</summary>
    public string Fingerprint { get; }

    /// <summary>Null: a <c>.npy</c> file names no classes.</summary>
    public IReadOnlyList<string>? ClassNames => null;

    /// <summary>Empty: every row is an example.</summary>
    public IReadOnlyList<string> Skipped => [];

    /// <summary>The file and the example's row in it.</summary>
    public string? Origin(long index) => $"{path}, row {index}";

    /// <summary>Example <paramref name="index"/> as float32 times the scale, under <c>"data"</c>, and its label under <c>"label"</c> when there are labels.</summary>
    public override Dictionary<string, Tensor> GetTensor(long index)
    {
        var values = new float[checked((int)(exampleBytes / type.ElementSize()))];
        Write(index, values);
        var entries = new Dictionary<string, Tensor> { [DataKeys.Data] = tensor(values, exampleShape) };
        if (labels is not null)
        {
            entries[DataKeys.Label] = tensor(labels[index]);
        }

        return entries;
    }

    /// <summary>The shape of every example: the file's shape without its first dimension.</summary>
    public IReadOnlyList<long> ExampleShape => exampleShape;

    /// <summary>Whether a labels file was given.</summary>
    public bool Labelled => labels is not null;

    /// <summary>Writes example <paramref name="index"/> as float32 times the scale into <paramref name="destination"/>.</summary>
    public void Write(long index, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        // Rented, not allocated: a worker reads every example of every epoch, and garbage there is collections for all.
        int length = checked((int)exampleBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            view.ReadArray(dataStart + (index * exampleBytes), buffer, 0, length);
            Convert(buffer.AsSpan(0, length), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (scale != 1)
        {
            float factor = (float)scale;
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] *= factor;
            }
        }
    }

    /// <summary>Example <paramref name="index"/>'s label.</summary>
    public long Label(long index) => labels is null ? throw new InvalidOperationException("This data set has no labels: give a labels file to NpyFile.Open.") : labels[index];

    /// <summary>Little-endian elements of the file's type to float32, rounding as libtorch's conversion does (to nearest).</summary>
    private void Convert(ReadOnlySpan<byte> bytes, Span<float> values)
    {
        switch (type)
        {
            case ScalarType.Float32:
                MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
                break;
            case ScalarType.Float64:
                Widen(MemoryMarshal.Cast<byte, double>(bytes), values, value => (float)value);
                break;
            case ScalarType.Float16:
                Widen(MemoryMarshal.Cast<byte, Half>(bytes), values, value => (float)value);
                break;
            case ScalarType.Byte:
                Widen(bytes, values, value => value);
                break;
            case ScalarType.Int8:
                Widen(MemoryMarshal.Cast<byte, sbyte>(bytes), values, value => value);
                break;
            case ScalarType.Int16:
                Widen(MemoryMarshal.Cast<byte, short>(bytes), values, value => value);
                break;
            case ScalarType.Int32:
                Widen(MemoryMarshal.Cast<byte, int>(bytes), values, value => value);
                break;
            case ScalarType.Int64:
                Widen(MemoryMarshal.Cast<byte, long>(bytes), values, value => value);
                break;
            default:
                throw new InvalidDataException($"'{path}' holds {type} values, which do not convert to numbers.");
        }
    }

    private static void Widen<T>(ReadOnlySpan<T> source, Span<float> values, Func<T, float> convert)
    {
        for (int i = 0; i < source.Length; i++)
        {
            values[i] = convert(source[i]);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            view.Dispose();
            file.Dispose();
        }

        base.Dispose(disposing);
    }

    private static long[] ReadLabels(string labelsPath, long count)
    {
        using var labels = NpyFile.Read(labelsPath);
        if (labels.ndim != 1 || labels.shape[0] != count || !is_integral(labels.dtype))
        {
            throw new InvalidDataException($"The labels file '{labelsPath}' must hold {count} integers, one per example, but holds {labels.dtype} ({string.Join(", ", labels.shape)}).");
        }

        using var wide = labels.to(int64);
        return wide.data<long>().ToArray();
    }
}
