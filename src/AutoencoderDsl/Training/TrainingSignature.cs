using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// What a run was trained with, recorded in its checkpoint: the options that shape the run and a fingerprint of the
/// data (its shape and type, and the sum and sum of squares of its values and labels, in 64-bit arithmetic). Resuming
/// with a different signature would mix two runs in one history.
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

    private static string Fingerprint(TrainingData data)
    {
        using var scope = NewDisposeScope();
        var examples = data.Examples;
        var text = $"{Shapes.Format(examples.shape)} {examples.dtype}, sum {Text(examples.sum(type: ScalarType.Float64).item<double>())}, "
            + $"sum of squares {Text(examples.square().sum(type: ScalarType.Float64).item<double>())}";
        return data.Labels is null ? text : text + $", labels sum {Text(data.Labels.sum().item<long>())}";
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
