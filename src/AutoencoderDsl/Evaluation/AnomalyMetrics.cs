using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Evaluation;

/// <summary>How well anomaly scores separate anomalies from normal examples.</summary>
/// <param name="RocAuc">The area under the ROC curve: the chance that a random anomaly scores above a random normal example, ties counting half.</param>
/// <param name="AveragePrecision">The area under the precision-recall curve as scikit-learn's <c>average_precision_score</c> computes it: Σ (Rₙ − Rₙ₋₁) Pₙ over the distinct score thresholds.</param>
/// <param name="DetectionRate">The share of anomalies caught at the highest threshold whose false-positive rate is at most <paramref name="FalsePositiveRate"/>.</param>
/// <param name="FalsePositiveRate">The false-positive rate <paramref name="DetectionRate"/> is read at.</param>
/// <param name="AtThreshold">Precision, recall, F1 and the confusion counts at the model's calibrated threshold; null without one.</param>
/// <param name="Anomalies">The number of anomalies.</param>
/// <param name="Normal">The number of normal examples.</param>
public sealed record AnomalyReport(double RocAuc, double AveragePrecision, double DetectionRate, double FalsePositiveRate, ThresholdReport? AtThreshold, long Anomalies, long Normal);

/// <summary>What flagging every score above <paramref name="Threshold"/> as an anomaly gives.</summary>
public sealed record ThresholdReport(double Threshold, long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives)
{
    /// <summary>The share of flagged examples that are anomalies; NaN when nothing is flagged.</summary>
    public double Precision => TruePositives + FalsePositives == 0 ? double.NaN : TruePositives / (double)(TruePositives + FalsePositives);

    /// <summary>The share of anomalies flagged.</summary>
    public double Recall => TruePositives + FalseNegatives == 0 ? double.NaN : TruePositives / (double)(TruePositives + FalseNegatives);

    /// <summary>The harmonic mean of precision and recall.</summary>
    public double F1 => 2.0 * TruePositives / ((2.0 * TruePositives) + FalsePositives + FalseNegatives);
}

/// <summary>ROC and precision-recall figures of a score, computed in one pass over sorted tensors, with no loop per example.</summary>
public static class AnomalyMetrics
{
    /// <summary>Scores <paramref name="scores"/> <c>[N]</c> (higher: more anomalous) against <paramref name="isAnomalous"/> <c>Bool [N]</c>.</summary>
    /// <param name="scores">The anomaly scores.</param>
    /// <param name="isAnomalous">The truth.</param>
    /// <param name="threshold">A threshold to report precision, recall and F1 at; none when null.</param>
    /// <param name="falsePositiveRate">The false-positive rate to read the detection rate at; in (0, 1].</param>
    public static AnomalyReport Compute(Tensor scores, Tensor isAnomalous, double? threshold = null, double falsePositiveRate = 0.01)
    {
        RequireScores(scores, isAnomalous);

        if (!(falsePositiveRate > 0 && falsePositiveRate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(falsePositiveRate), falsePositiveRate, "The false-positive rate must lie in (0, 1].");
        }

        using var scope = NewDisposeScope();
        var values = scores.detach().cpu().to(ScalarType.Float64);
        var truth = isAnomalous.cpu();
        if (!values.isfinite().all().item<bool>())
        {
            throw new ArgumentException("Every score must be finite.", nameof(scores));
        }

        var (tp, fp, tpr, fpr, anomalies, normal) = Curve(values, truth);
        if (anomalies == 0 || normal == 0)
        {
            throw new ArgumentException($"Both kinds are needed to rank them, but there are {anomalies} anomalies and {normal} normal examples.", nameof(isAnomalous));
        }

        // The ROC curve's area by trapezoids between thresholds, which counts a tie between an anomaly and a normal example as half.
        double rocAuc = trapezoid(tpr, fpr).item<double>();
        double averagePrecision = ((tpr[1..] - tpr[..^1]) * (tp / (tp + fp))).sum().item<double>();
        double detection = tpr.masked_select(fpr <= falsePositiveRate + 1e-12).max().item<double>();
        ThresholdReport? at = null;
        if (threshold is double cut)
        {
            var flagged = values > cut;
            long flaggedAnomalies = flagged.logical_and(truth).sum().item<long>(), flaggedNormal = flagged.logical_and(truth.logical_not()).sum().item<long>();
            at = new ThresholdReport(cut, flaggedAnomalies, flaggedNormal, normal - flaggedNormal, anomalies - flaggedAnomalies);
        }

        return new AnomalyReport(rocAuc, averagePrecision, detection, falsePositiveRate, at, anomalies, normal);
    }

    /// <summary>The ROC curve's points, false-positive rate against true-positive rate, one per distinct threshold from (0, 0) to (1, 1).</summary>
    public static (double[] FalsePositiveRates, double[] TruePositiveRates) RocCurve(Tensor scores, Tensor isAnomalous)
    {
        RequireScores(scores, isAnomalous);
        using var scope = NewDisposeScope();
        var (_, _, tpr, fpr, _, _) = Curve(scores.detach().cpu().to(ScalarType.Float64), isAnomalous.cpu());
        return (fpr.data<double>().ToArray(), tpr.data<double>().ToArray());
    }

    private static void RequireScores(Tensor scores, Tensor isAnomalous)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(isAnomalous);
        if (scores.ndim != 1 || isAnomalous.ndim != 1 || scores.shape[0] != isAnomalous.shape[0] || isAnomalous.dtype != ScalarType.Bool)
        {
            throw new ArgumentException($"Expected scores [N] and a Bool truth [N], but got {Shapes.Format(scores.shape)} and {isAnomalous.dtype} {Shapes.Format(isAnomalous.shape)}.", nameof(isAnomalous));
        }
    }

    /// <summary>
    /// The counts of true and false positives at each distinct threshold, in descending order of score (each run of
    /// equal scores is one threshold, counted at the run's end), and the rates with (0, 0) in front.
    /// </summary>
    private static (Tensor TruePositives, Tensor FalsePositives, Tensor TruePositiveRates, Tensor FalsePositiveRates, long Anomalies, long Normal) Curve(Tensor values, Tensor truth)
    {
        long anomalies = truth.sum().item<long>(), normal = truth.shape[0] - anomalies;
        var (sorted, order) = values.sort(descending: true);
        var positive = truth.index_select(0, order).to(ScalarType.Float64);
        var (_, _, counts) = unique_consecutive(sorted, return_counts: true);
        var runEnds = counts!.cumsum(0) - 1;
        var tp = positive.cumsum(0).index_select(0, runEnds);
        var fp = (1 - positive).cumsum(0).index_select(0, runEnds);
        var origin = zeros(1, dtype: ScalarType.Float64);
        return (tp, fp, cat([origin, tp / Math.Max(1, anomalies)]), cat([origin, fp / Math.Max(1, normal)]), anomalies, normal);
    }
}
