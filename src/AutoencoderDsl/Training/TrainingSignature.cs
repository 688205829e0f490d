using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using AutoencoderDsl.Data;
using TorchSharp;
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
    /// For tensors, the shape and type, and a SHA-256 of the values and of the labels: exact, so it changes when any value
    /// or its place changes, and independent of how many threads a sum would be split over. For a data set, its count and
    /// its own <see cref="IExampleSource.Fingerprint"/> (an image folder's file list with sizes and times), or, for a data
    /// set that gives none, a SHA-256 of every example read in order.
    /// </summary>
    private static string Fingerprint(TrainingData data)
    {
        if (data.Dataset is { } dataset)
        {
            return data.Source is { } source
                ? $"{dataset.Count} examples, {source.Fingerprint}"
                : $"{dataset.Count} examples, SHA-256 {DigestAll(dataset)}";
        }

        var text = $"{Shapes.Format(data.Examples!.shape)} {data.Examples.dtype}, SHA-256 {Digest(data.Examples)}";
        return data.Labels is null ? text : text + $", labels SHA-256 {Digest(data.Labels)}";
    }

    private static string DigestAll(torch.utils.data.Dataset dataset)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long index = 0; index < dataset.Count; index++)
        {
            using var scope = NewDisposeScope();
            foreach (var (key, tensor) in dataset.GetTensor(index).OrderBy(entry => entry.Key, StringComparer.Ordinal))
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(key));
                hash.AppendData(tensor.cpu().contiguous().bytes);
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }

    private static string Digest(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return Convert.ToHexString(SHA256.HashData(tensor.cpu().contiguous().bytes))[..16].ToLowerInvariant();
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
