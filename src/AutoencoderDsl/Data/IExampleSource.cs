using System;
using System.Collections.Generic;

namespace AutoencoderDsl.Data;

/// <summary>
/// What a <see cref="TorchSharp.torch.utils.data.Dataset"/> can tell the trainer beyond TorchSharp's <c>Count</c> and
/// <c>GetTensor</c>: how to recognise it when resuming from a checkpoint, where each example comes from (for error
/// messages), the names of its classes, and what it left out. Data sets that do not implement it still train; they are
/// then identified by a hash of their examples and named by index alone.
/// </summary>
public interface IExampleSource
{
    /// <summary>
    /// A short text that changes whenever the examples may have changed and is cheap to compute, such as the list of
    /// files with their sizes and modification times; a checkpoint records it and refuses to resume on another.
    /// </summary>
    string Fingerprint { get; }

    /// <summary>The class names in label order (label <c>i</c> is <c>ClassNames[i]</c>), or null for unlabelled data.</summary>
    IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Where example <paramref name="index"/> comes from, such as its file's path; null when the index says it all.</summary>
    string? Origin(long index);

    /// <summary>What was left out of the data set, one line each with the reason (a skipped file and why); empty when nothing was.</summary>
    IReadOnlyList<string> Skipped { get; }
}

/// <summary>The dictionary keys of a data set's example, as TorchSharp's own data sets use them.</summary>
public static class DataKeys
{
    /// <summary>The example, shaped like the model's input (without the batch dimension).</summary>
    public const string Data = "data";

    /// <summary>The example's class, an <c>Int64</c> scalar, for a class-conditional model or measurements that need classes.</summary>
    public const string Label = "label";
}

/// <summary>
/// A data set that can write an example's values straight into the memory of a batch, so that a batch of many examples
/// costs a few tensor operations instead of several per example: what makes training from an image folder as fast as
/// from a tensor. Optional; the trainer uses it when the model's parameters are float32 and the shapes agree, and
/// <c>GetTensor</c> otherwise. Both must give the same values.
/// </summary>
public interface IExampleWriter
{
    /// <summary>The shape of every example.</summary>
    IReadOnlyList<long> ExampleShape { get; }

    /// <summary>Whether the examples have labels (<see cref="Label"/>).</summary>
    bool Labelled { get; }

    /// <summary>Writes example <paramref name="index"/>'s values in C order into <paramref name="destination"/>, which holds exactly one example. Thread-safe.</summary>
    void Write(long index, Span<float> destination);

    /// <summary>Example <paramref name="index"/>'s class; only called when <see cref="Labelled"/>.</summary>
    long Label(long index);
}
