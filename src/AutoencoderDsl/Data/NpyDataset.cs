using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Data;

/// <summary>
/// The examples of a <c>.npy</c> file <c>[N, ...]</c>, memory-mapped and read one example at a time, as a TorchSharp
/// data set: a file larger than memory trains, since only the pages being read are brought in and the kernel may drop
/// them again. Opened by <see cref="NpyFile.Open"/>; thread-safe; dispose it to unmap the file.
/// </summary>
public sealed class NpyDataset : torch.utils.data.Dataset, IExampleSource
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
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var buffer = new byte[checked((int)exampleBytes)];
        view.ReadArray(dataStart + (index * exampleBytes), buffer, 0, buffer.Length);
        using var raw = empty(exampleShape, type);
        buffer.CopyTo(raw.bytes);
        var example = raw.to(float32);
        if (scale != 1)
        {
            example.mul_(scale);
        }

        var entries = new Dictionary<string, Tensor> { [DataKeys.Data] = example };
        if (labels is not null)
        {
            entries[DataKeys.Label] = tensor(labels[index]);
        }

        return entries;
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
