using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using AutoencoderDsl.Data;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Tabular;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Evaluation;

/// <summary>Finding what does not fit, end to end, on images, tables and time series.</summary>
public sealed class AnomalyDetectionTests(ITestOutputHelper output)
{
    private const int NormalClass = 1;

    [Fact]
    public void AnAutoencoderOfOneClassOfImagesRanksTheOtherClassesAsAnomalies()
    {
        using var train = TestData.RealOrBuiltIn(training: true, count: 30000);
        using var test = TestData.RealOrBuiltIn(training: false, count: 4000);
        using var scope = NewDisposeScope();
        var normalTrain = Of(train, NormalClass);
        var (calibration, held) = Halves(Of(test, NormalClass));
        var isAnomalous = test.Labels.ne(NormalClass);
        using var model = new OneClassAe(seed: 41);
        model.Fit(normalTrain, new FitOptions { Epochs = 4, Seed = 42 });

        var threshold = model.CalibrateThreshold(calibration, falsePositiveRate: 0.05);
        var report = model.EvaluateAnomalies(test.Images, isAnomalous);
        var excess = model.EvaluateAnomalies(test.Images, isAnomalous, scoring: AnomalyScoring.Excess);
        using var pca = Pca.Fit(normalTrain, OneClassAe.LatentDim);
        var pcaReport = AnomalyMetrics.Compute(pca.ReconstructionError(test.Images), isAnomalous);
        double heldFalsePositives = model.IsAnomaly(held).to(ScalarType.Float64).mean().item<double>();

        output.WriteLine($"{normalTrain.shape[0]} normal training images; ROC AUC {report.RocAuc:F3}, above a perfect reconstruction {excess.RocAuc:F3} (PCA {pcaReport.RocAuc:F3}), AP {report.AveragePrecision:F3}; at {threshold.Value:F1} nats: {report.AtThreshold}; false positives on held-out normal images {heldFalsePositives:P1}");
        Assert.True(report.RocAuc > 0.9, $"ROC AUC {report.RocAuc}");
        Assert.True(excess.RocAuc > 0.9, $"ROC AUC above a perfect reconstruction {excess.RocAuc}");
        Assert.Null(excess.AtThreshold);
        Assert.InRange(heldFalsePositives, 0, 0.12);
        var flagged = model.IsAnomaly(test.Images);
        Assert.Equal(report.AtThreshold!.TruePositives, flagged.logical_and(isAnomalous).sum().item<long>());
        Assert.Equal(report.AtThreshold.FalsePositives, flagged.logical_and(isAnomalous.logical_not()).sum().item<long>());
    }

    [Fact]
    public void AttributionPointsAtTheDefectPastedIntoAnImage()
    {
        using var train = TestData.RealOrBuiltIn(training: true, count: 20000);
        using var test = TestData.RealOrBuiltIn(training: false, count: 2000);
        using var scope = NewDisposeScope();
        using var model = new OneClassAe(seed: 43);
        model.Fit(Of(train, NormalClass), new FitOptions { Epochs = 3, Seed = 44 });
        var defective = Of(test, NormalClass)[..20].clone();
        defective[.., .., 1..7, 1..7] = tensor(1f);

        var shares = model.AnomalyAttribution(defective);

        Assert.True(shares.flatten(1).sum(1).allclose(ones(20), atol: 1e-4), "the shares of an example do not sum to 1");
        Assert.True(shares.min().item<float>() >= 0);
        double defectShare = shares[.., .., 1..7, 1..7].flatten(1).sum(1).mean().item<float>();
        output.WriteLine($"the 36 pasted pixels (4.6 % of the image) hold {defectShare:P1} of the score");
        Assert.True(defectShare > 0.3, $"the defect holds only {defectShare:P1} of the score");
    }

    [Fact]
    public void RowsThatBreakTheColumnsRelationsAreFoundInACsvTable()
    {
        using var folder = new TemporaryFolder();
        var (trainPath, testPath) = (folder.File("train.csv"), folder.File("test.csv"));
        WriteTable(trainPath, rows: 2000, anomalies: 0, seed: 1);
        WriteTable(testPath, rows: 1000, anomalies: 50, seed: 2);
        using var scope = NewDisposeScope();
        var options = new CsvTableOptions { LabelColumn = "is_anomaly" };
        using var trainTable = CsvTable.Read(trainPath, options);
        using var testTable = CsvTable.Read(testPath, options);
        using var model = new TableAe(seed: 45) { Standardizer = Standardizer.Fit(trainTable.Features) };

        model.Fit(model.Standardizer.Transform(trainTable.Features), new FitOptions { Epochs = 30, Seed = 46 });
        model.CalibrateThresholdByContamination(model.Standardizer.Transform(testTable.Features), contamination: 0.05);
        var report = model.EvaluateAnomalies(model.Standardizer.Transform(testTable.Features), testTable.Labels!.eq(1));
        model.Save(folder.File("table.safetensors"));
        using var loaded = TableAe.Load(folder.File("table.safetensors"));

        output.WriteLine($"ROC AUC {report.RocAuc:F3}, AP {report.AveragePrecision:F3}; {report.AtThreshold}");
        Assert.True(report.RocAuc > 0.95, $"ROC AUC {report.RocAuc}");
        Assert.True(report.AtThreshold!.F1 > 0.7, $"F1 {report.AtThreshold.F1}");
        // The columns' scales span 1 to 1000; without the same standardizer the scores would be meaningless.
        Assert.True(loaded.AnomalyScore(loaded.Standardizer!.Transform(testTable.Features)).equal(model.AnomalyScore(model.Standardizer.Transform(testTable.Features))).all().item<bool>());
    }

    [Fact]
    public void AGlitchInASeriesIsFoundAtTheStepsWhereItHappened()
    {
        using var scope = NewDisposeScope();
        const int Length = 32, Steps = 3000, GlitchStart = 2400, GlitchLength = 12;
        using var generator = new Generator(5);
        var time = arange(Steps, dtype: ScalarType.Float32);
        var series = (time * (2 * Math.PI / 25)).sin() + (0.05 * randn(Steps, generator: generator));
        series[GlitchStart..(GlitchStart + GlitchLength)] = tensor(0f);
        using var model = new WindowAe(seed: 47);

        model.Fit(TimeSeriesWindows.Cut(series[..2000], Length, stride: 2), new FitOptions { Epochs = 20, Seed = 48 });
        var windowScores = model.AnomalyScore(TimeSeriesWindows.Cut(series, Length));
        var stepScores = TimeSeriesWindows.ToTimeSteps(windowScores, Steps, Length);

        var truth = zeros(Steps, dtype: ScalarType.Bool);
        truth[GlitchStart..(GlitchStart + GlitchLength)] = tensor(true);
        long worst = stepScores.argmax().item<long>();
        double auc = AnomalyMetrics.Compute(stepScores, truth).RocAuc;
        output.WriteLine($"highest-scoring step {worst} (glitch at {GlitchStart}-{GlitchStart + GlitchLength - 1}); ROC AUC of the step scores {auc:F3}");
        Assert.InRange(worst, GlitchStart, GlitchStart + GlitchLength - 1);
        Assert.True(auc > 0.95, $"ROC AUC {auc}");
    }

    [Fact]
    public void ThresholdsAreAskedForBeforeTheyAreUsedAndKeepTheirScores()
    {
        using var scope = NewDisposeScope();
        using var model = new TableAe(seed: 49);
        var rows = randn(10, 8);

        Assert.Contains("CalibrateThreshold", Assert.Throws<InvalidOperationException>(() => model.IsAnomaly(rows)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.CalibrateThreshold(rows, falsePositiveRate: 1));
        var threshold = model.CalibrateThreshold(rows, falsePositiveRate: 0.2);
        Assert.Equal(2, model.IsAnomaly(rows).sum().item<long>());
        Assert.Equal("false-positive rate 0.2 on 10 normal examples", threshold.Calibration);
        Assert.Contains("Bool [10]", Assert.Throws<ArgumentException>(() => model.EvaluateAnomalies(rows, zeros(3, dtype: ScalarType.Bool))).Message);
        Assert.Contains("need a variational model", Assert.Throws<ArgumentException>(() => model.AnomalyScore(rows, new AnomalyScoring { ImportanceSamples = 5 })).Message);
    }

    private static Tensor Of(LabelledImages images, long label) => images.Images.index_select(0, images.Labels.eq(label).nonzero().squeeze(1));

    private static (Tensor First, Tensor Second) Halves(Tensor images)
    {
        long half = images.shape[0] / 2;
        return (images[..(int)half], images[(int)half..]);
    }

    /// <summary>
    /// A table of 8 columns driven by 2 hidden factors, each column on its own scale (1 to 1000), with a 0/1 column
    /// <c>is_anomaly</c>: anomalous rows draw each column on its own, with the same spread, so only the relations between
    /// columns give them away.
    /// </summary>
    private static void WriteTable(string path, int rows, int anomalies, long seed)
    {
        using var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        using var mixingGenerator = new Generator(99);
        var mixing = randn([2, 8], generator: mixingGenerator);
        var scales = tensor(new float[] { 1, 3, 10, 30, 100, 300, 1000, 5 });
        var factors = randn([rows, 2], generator: generator);
        var values = factors.matmul(mixing) + (0.05 * randn([rows, 8], generator: generator));
        var independent = randn([rows, 8], generator: generator) * values.std(0);
        var isAnomaly = arange(rows).lt(anomalies);
        values = where(isAnomaly.unsqueeze(1), independent, values) * scales;
        var text = new StringBuilder("a,b,c,d,e,f,g,h,is_anomaly\n");
        var cells = values.data<float>().ToArray();
        var flags = isAnomaly.data<bool>().ToArray();
        for (int row = 0; row < rows; row++)
        {
            text.AppendJoin(',', cells.Skip(row * 8).Take(8).Select(value => value.ToString("R", CultureInfo.InvariantCulture)));
            text.Append(',').Append(flags[row] ? '1' : '0').Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }
}
