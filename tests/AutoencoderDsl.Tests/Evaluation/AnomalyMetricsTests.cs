using System;
using AutoencoderDsl.Evaluation;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Evaluation;

/// <summary>ROC AUC, average precision and the counts at a threshold against values worked out by hand.</summary>
public sealed class AnomalyMetricsTests
{
    private static Tensor Scores(params double[] values) => tensor(values);

    private static Tensor Truth(params bool[] values) => tensor(values);

    [Fact]
    public void DistinctScoresGiveTheHandComputedAreas()
    {
        // Anomalies score 0.9, 0.7, 0.6 and normal examples 0.8, 0.5, 0.4: 7 of the 9 pairs are ordered correctly.
        // Precision at each recall step: 1 (at 1/3), 2/3 (at 2/3), 3/4 (at 1), so AP = (1 + 2/3 + 3/4) / 3.
        using var scores = Scores(0.9, 0.8, 0.7, 0.6, 0.5, 0.4);
        using var truth = Truth(true, false, true, true, false, false);

        var report = AnomalyMetrics.Compute(scores, truth, threshold: 0.65, falsePositiveRate: 0.34);

        Assert.Equal(7.0 / 9, report.RocAuc, 12);
        Assert.Equal((1 + (2.0 / 3) + 0.75) / 3, report.AveragePrecision, 12);
        Assert.Equal(1.0, report.DetectionRate, 12);
        Assert.Equal((3L, 3L), (report.Anomalies, report.Normal));
        var at = report.AtThreshold!;
        Assert.Equal((2L, 1L, 2L, 1L), (at.TruePositives, at.FalsePositives, at.TrueNegatives, at.FalseNegatives));
        Assert.Equal(2.0 / 3, at.Precision, 12);
        Assert.Equal(2.0 / 3, at.Recall, 12);
        Assert.Equal(2.0 / 3, at.F1, 12);
    }

    [Fact]
    public void TiedScoresCountHalfAndFormOneThreshold()
    {
        // Anomalies 1 and 0.5; normal 1, 0.5 and 0. Pairs: (1 vs 1) ½, (1 vs 0.5) 1, (1 vs 0) 1, (0.5 vs 1) 0,
        // (0.5 vs 0.5) ½, (0.5 vs 0) 1: 4 of 6. Thresholds 1 and 0.5 each reach precision ½ at recall ½ and 1.
        using var scores = Scores(1, 1, 0.5, 0.5, 0);
        using var truth = Truth(true, false, true, false, false);

        var report = AnomalyMetrics.Compute(scores, truth);

        Assert.Equal(4.0 / 6, report.RocAuc, 12);
        Assert.Equal(0.5, report.AveragePrecision, 12);
        Assert.Null(report.AtThreshold);
    }

    [Fact]
    public void TheDetectionRateIsReadAtTheFalsePositiveRateAsked()
    {
        using var scores = Scores(0.9, 0.8, 0.7, 0.6, 0.5, 0.4);
        using var truth = Truth(true, false, true, true, false, false);

        Assert.Equal(1.0 / 3, AnomalyMetrics.Compute(scores, truth, falsePositiveRate: 0.01).DetectionRate, 12);
        Assert.Equal(1.0, AnomalyMetrics.Compute(scores, truth, falsePositiveRate: 0.5).DetectionRate, 12);
    }

    [Fact]
    public void PerfectAndReversedRankingsGiveOneAndZero()
    {
        using var scores = Scores(4, 3, 2, 1);
        using var perfect = Truth(true, true, false, false);
        using var reversed = Truth(false, false, true, true);

        Assert.Equal(1.0, AnomalyMetrics.Compute(scores, perfect).RocAuc, 12);
        Assert.Equal(1.0, AnomalyMetrics.Compute(scores, perfect).AveragePrecision, 12);
        Assert.Equal(0.0, AnomalyMetrics.Compute(scores, reversed).RocAuc, 12);
    }

    [Fact]
    public void TheRocCurveRunsFromTheOriginToTheCornerThroughEachDistinctThreshold()
    {
        using var scores = Scores(1, 1, 0.5, 0.5, 0);
        using var truth = Truth(true, false, true, false, false);

        var (falsePositiveRates, truePositiveRates) = AnomalyMetrics.RocCurve(scores, truth);

        Assert.Equal([0, 1.0 / 3, 2.0 / 3, 1], falsePositiveRates);
        Assert.Equal([0, 0.5, 1, 1], truePositiveRates);
    }

    [Fact]
    public void OneKindAloneOrAScoreThatIsNotFiniteIsRefused()
    {
        using var scores = Scores(1, 2, 3);
        using var allNormal = Truth(false, false, false);
        using var mixed = Truth(true, false, false);
        using var notFinite = Scores(1, double.NaN, 3);
        using var labels = tensor(new long[] { 1, 0, 0 });

        Assert.Contains("0 anomalies and 3 normal", Assert.Throws<ArgumentException>(() => AnomalyMetrics.Compute(scores, allNormal)).Message);
        Assert.Contains("finite", Assert.Throws<ArgumentException>(() => AnomalyMetrics.Compute(notFinite, mixed)).Message);
        Assert.Contains("Bool truth", Assert.Throws<ArgumentException>(() => AnomalyMetrics.Compute(scores, labels)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => AnomalyMetrics.Compute(scores, mixed, falsePositiveRate: 0));
    }
}
