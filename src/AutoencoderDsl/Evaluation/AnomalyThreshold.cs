using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using static TorchSharp.torch;

namespace AutoencoderDsl.Evaluation;

/// <summary>
/// How anomaly scores are computed, in nats per example. By default the score is the negative log-likelihood of the
/// example under the model: for an autoencoder that of its reconstruction, for a VAE the negative ELBO (with β = 1),
/// or with <see cref="ImportanceSamples"/> the negative IWAE bound.
/// </summary>
public sealed record AnomalyScoring
{
    /// <summary>The negative log-likelihood, the default.</summary>
    public static AnomalyScoring NegativeLogLikelihood { get; } = new();

    /// <summary>The negative log-likelihood above a perfect reconstruction's: see <see cref="RelativeToPerfect"/>.</summary>
    public static AnomalyScoring Excess { get; } = new() { RelativeToPerfect = true };

    /// <summary>
    /// 0 for the negative ELBO of a VAE (averaged over 16 posterior draws); k > 0 for the negative IWAE bound with k
    /// draws, tighter and k times slower. Only a variational model has importance samples.
    /// </summary>
    public int ImportanceSamples
    {
        get;
        init => field = value is >= 0 and <= MaxImportanceSamples
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ImportanceSamples), value, $"The importance samples must lie in [0, {MaxImportanceSamples}]: 0 for the ELBO, k for the IWAE bound with k draws.");
    }

    /// <summary>The most importance samples a score draws per example (each is a decode, so more would run for hours).</summary>
    public const int MaxImportanceSamples = 1 << 20;

    /// <summary>
    /// Whether the score subtracts the negative log-likelihood a perfect reconstruction would get. That part depends on
    /// the example alone (under a Bernoulli model, the entropy of its grey pixels), so subtracting it leaves what the
    /// model failed to explain: on images that are not binary, it ranks anomalies far better.
    /// </summary>
    public bool RelativeToPerfect { get; init; }
}

/// <summary>
/// A calibrated anomaly threshold: an example whose score is above <paramref name="Value"/> is an anomaly. It remembers
/// how the scores were computed, so that every later score is comparable, and travels in the model file.
/// </summary>
/// <param name="Value">The score above which an example is an anomaly, in nats.</param>
/// <param name="Scoring">How the scores it was calibrated on were computed.</param>
/// <param name="Calibration">How it was chosen, e.g. <c>false-positive rate 0.01 on 6000 examples</c>.</param>
public sealed record AnomalyThreshold(double Value, AnomalyScoring Scoring, string Calibration)
{
    private const string ValueKey = "anomaly.threshold";
    private const string SamplesKey = "anomaly.importance_samples";
    private const string RelativeKey = "anomaly.relative_to_perfect";
    private const string CalibrationKey = "anomaly.calibration";

    /// <summary>
    /// The threshold that flags at most <paramref name="share"/> of <paramref name="scores"/> <c>[N]</c>: the score with
    /// ⌊share · N⌋ scores above it (fewer when scores tie), so a share of 0 flags none of them.
    /// </summary>
    internal static double Quantile(Tensor scores, double share)
    {
        using var sorted = scores.to(ScalarType.Float64).sort().Values;
        long count = sorted.shape[0];
        long above = (long)Math.Floor(share * count);
        return sorted[count - 1 - Math.Min(above, count - 1)].item<double>();
    }

    /// <summary>The metadata entries of a model file.</summary>
    internal void WriteTo(IDictionary<string, string> metadata)
    {
        metadata[ValueKey] = Value.ToString("R", CultureInfo.InvariantCulture);
        metadata[SamplesKey] = Scoring.ImportanceSamples.ToString(CultureInfo.InvariantCulture);
        metadata[RelativeKey] = Scoring.RelativeToPerfect ? "true" : "false";
        metadata[CalibrationKey] = Calibration;
    }

    /// <summary>
    /// The threshold a model file's metadata holds, or null when it holds none; every value range-checked, importance
    /// samples only for a <paramref name="variational"/> model.
    /// </summary>
    internal static AnomalyThreshold? ReadFrom(IReadOnlyDictionary<string, string> metadata, string path, bool variational)
    {
        if (!metadata.TryGetValue(ValueKey, out var value))
        {
            return null;
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold) || !double.IsFinite(threshold)
            || !metadata.TryGetValue(SamplesKey, out var samplesText) || !int.TryParse(samplesText, NumberStyles.None, CultureInfo.InvariantCulture, out var samples)
            || !bool.TryParse(metadata.GetValueOrDefault(RelativeKey, "false"), out var relative))
        {
            throw new InvalidDataException($"The file '{path}' holds an unreadable anomaly threshold ('{IO.FileText.Printable(value, 64)}').");
        }

        if (samples > (variational ? AnomalyScoring.MaxImportanceSamples : 0))
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"The file '{path}' holds {Training.ModelExtras.Prefix}{SamplesKey} = {samples}, but this model takes {(variational ? $"0 to {AnomalyScoring.MaxImportanceSamples}" : "0 (importance samples need a variational model)")}."));
        }

        return new AnomalyThreshold(threshold, new AnomalyScoring { ImportanceSamples = samples, RelativeToPerfect = relative }, metadata.GetValueOrDefault(CalibrationKey, ""));
    }
}
