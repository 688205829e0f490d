using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AutoencoderDsl.IO;
using AutoencoderDsl.Training;
using static TorchSharp.torch;

namespace AutoencoderDsl.Data;

/// <summary>
/// The mean and scale of each column of tabular training data, so new data is scored on the same scale:
/// <c>(x − mean) / scale</c>. Fit it on the training data only. It travels with a model (<c>model.Standardizer</c>,
/// saved and loaded with it) or beside it (<see cref="Save"/>, <see cref="Load"/>).
/// </summary>
public sealed class Standardizer : IDisposable
{
    private const string MeanName = "mean";
    private const string ScaleName = "scale";

    private Standardizer(Tensor mean, Tensor scale)
    {
        // It owns its tensors and disposes them itself, so no dispose scope of the caller's may free them under it.
        Mean = mean.DetachFromDisposeScope();
        Scale = scale.DetachFromDisposeScope();
    }

    /// <summary>Each column's mean, <c>[F]</c>.</summary>
    public Tensor Mean { get; }

    /// <summary>Each column's standard deviation, <c>[F]</c>; 1 for a constant column, which would otherwise divide by zero.</summary>
    public Tensor Scale { get; }

    /// <summary>The number of columns.</summary>
    public long Columns => Mean.shape[0];

    /// <summary>Fits the mean and standard deviation of each column of <paramref name="data"/> <c>[N, F]</c>.</summary>
    public static Standardizer Fit(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.ndim != 2 || data.shape[0] < 2 || !is_floating_point(data))
        {
            throw new ArgumentException($"Expected floating-point rows [N, F] with N ≥ 2, but got {data.dtype} {Shapes.Format(data.shape)}.", nameof(data));
        }

        using var scope = NewDisposeScope();
        var mean = data.mean([0]);
        var scale = data.std(0);
        scale = where(scale > 0, scale, ones_like(scale));
        return new Standardizer(mean.MoveToOuterDisposeScope(), scale.MoveToOuterDisposeScope());
    }

    /// <summary>The standardised rows, <c>(x − mean) / scale</c>.</summary>
    public Tensor Transform(Tensor data)
    {
        RequireColumns(data);
        using var scope = NewDisposeScope();
        return ((data - Mean.to(data.device)) / Scale.to(data.device)).MoveToOuterDisposeScope();
    }

    /// <summary>Rows back on the original scale, <c>x · scale + mean</c>.</summary>
    public Tensor InverseTransform(Tensor data)
    {
        RequireColumns(data);
        using var scope = NewDisposeScope();
        return ((data * Scale.to(data.device)) + Mean.to(data.device)).MoveToOuterDisposeScope();
    }

    /// <summary>Writes the standardizer as a safetensors file, atomically and with a checksum.</summary>
    public void Save(string path) =>
        AtomicFile.Write(path, stream => SafeTensors.Write(stream, Tensors(), new Dictionary<string, string> { ["format"] = ModelFile.Format, ["kind"] = nameof(Standardizer) }));

    /// <summary>Reads a standardizer written by <see cref="Save"/>.</summary>
    public static Standardizer Load(string path)
    {
        var bytes = ModelFile.ReadAll(path);
        var (entries, _, start) = SafeTensors.Read(bytes, path);
        using var scope = NewDisposeScope();
        return FromTensors(entries.ToDictionary(entry => entry.Name, entry => SafeTensors.Tensor(bytes, start, entry)), path);
    }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        Scale.Dispose();
    }

    /// <summary>The tensors a model file carries for it.</summary>
    internal IEnumerable<KeyValuePair<string, Tensor>> Tensors() => [new(MeanName, Mean), new(ScaleName, Scale)];

    /// <summary>A standardizer from copies of the tensors a file carried, checked: floating-point and finite, with every scale above zero.</summary>
    internal static Standardizer FromTensors(IReadOnlyDictionary<string, Tensor> tensors, string path)
    {
        if (!tensors.TryGetValue(MeanName, out var mean) || !tensors.TryGetValue(ScaleName, out var scale) || mean.ndim != 1 || !mean.shape.SequenceEqual(scale.shape)
            || !is_floating_point(mean) || !is_floating_point(scale))
        {
            throw new InvalidDataException($"The file '{path}' does not hold a standardizer: it needs a floating-point mean and scale of the same length.");
        }

        // A zero, negative or non-finite scale would turn every later Transform into ∞ or NaN.
        using (NewDisposeScope())
        {
            if (!mean.isfinite().all().item<bool>() || !(scale.isfinite() & scale.gt(0)).all().item<bool>())
            {
                throw new InvalidDataException($"The file '{path}' holds a damaged standardizer: its means must be finite and its scales finite and above zero.");
            }
        }

        return new Standardizer(mean.clone(), scale.clone());
    }

    private void RequireColumns(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.ndim != 2 || data.shape[1] != Columns)
        {
            throw new ArgumentException($"Expected rows [N, {Columns}] but got {Shapes.Format(data.shape)}.", nameof(data));
        }
    }
}
