using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// What a run was trained with, recorded in its checkpoint: the options that shape the run and a fingerprint of the
/// data (its shape and type, and a hash of its values and labels). Resuming with a different signature would mix two
/// runs in one history.
/// </summary>
internal sealed record TrainingSignature(IReadOnlyDictionary<string, string> Fields)
{
    public static TrainingSignature Of(FitOptions options, TrainingData train, TrainingData? validation, bool validationIsSplit)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["BatchSize"] = Text(options.BatchSize),
            ["Seed"] = Text(options.Seed),
            ["Shuffle"] = options.Shuffle ? "true" : "false",
            ["LearningRate"] = Text(options.LearningRate),
            ["Optimizer"] = options.Optimizer.ToString(),
            ["Schedule"] = options.Schedule?.ToString() ?? "constant",
            ["MaxGradientNorm"] = options.MaxGradientNorm is double norm ? Text(norm) : "none",
            ["ValidationSplit"] = Text(options.ValidationSplit),
            ["EarlyStopping"] = options.EarlyStopping?.ToString() ?? "none",
            ["Corrupt"] = options.Corrupt is null ? "none" : "a function",
            ["training data"] = Fingerprint(train),
            ["validation data"] = validation is null ? "none" : validationIsSplit ? "split from the training data" : Fingerprint(validation),
        };
        return new TrainingSignature(fields);
    }

    /// <summary>Each field that differs, as <c>BatchSize 64 in the checkpoint, 128 now</c>.</summary>
    public IEnumerable<string> Differences(TrainingSignature current) =>
        Fields.Keys.Union(current.Fields.Keys)
            .Where(key => Fields.GetValueOrDefault(key) != current.Fields.GetValueOrDefault(key))
            .Select(key => $"{key} {Fields.GetValueOrDefault(key, "unrecorded")} in the checkpoint, {current.Fields.GetValueOrDefault(key, "unrecorded")} now");

    /// <summary>
    /// The shape and type, and a SHA-256 of the values and of the labels: exact, so it changes when any value or its
    /// place changes, and independent of how many threads a sum would be split over.
    /// </summary>
    private static string Fingerprint(TrainingData data)
    {
        var text = $"{Shapes.Format(data.Examples.shape)} {data.Examples.dtype}, SHA-256 {Digest(data.Examples)}";
        return data.Labels is null ? text : text + $", labels SHA-256 {Digest(data.Labels)}";
    }

    private static string Digest(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return Convert.ToHexString(SHA256.HashData(tensor.cpu().contiguous().bytes))[..16].ToLowerInvariant();
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
