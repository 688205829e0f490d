using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.MLNet;
using AutoencoderDsl.Onnx;
using AutoencoderDsl.Tests.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Interop;

/// <summary>Real ML.NET pipelines over CSV files, scored by the exported graphs, against the models' own methods.</summary>
public sealed class MLNetTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    /// <summary>
    /// Unconditional models with every likelihood the score graph computes, and whether each is scored above a perfect
    /// reconstruction: Gaussian (unit, fixed σ, learned σ with a squashed code), Bernoulli from logits and from
    /// probabilities, a VAE, which has no score column, and vector-quantized codes of a vector and of a feature map,
    /// whose embedding is the chosen codes flattened.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, (InteropCase Model, bool Excess)> Cases = new Dictionary<string, (InteropCase, bool)>
    {
        ["VectorLayersAe"] = (InteropCase.All["VectorLayersAe"], false),
        ["SparseScaleAe"] = (InteropCase.All["SparseScaleAe"], false),
        ["MaskedL1Ae"] = (InteropCase.All["MaskedL1Ae"], true),
        ["FeatureMapVae"] = (InteropCase.All["FeatureMapVae"], false),
        ["VectorVqAe"] = (InteropCase.All["VectorVqAe"], true),
        ["FeatureMapVq"] = (InteropCase.All["FeatureMapVq"], false),
        ["FixedSigmaAe"] = (new InteropCase("FixedSigmaAe", seed => new FixedSigmaAe(seed), (n, g) => randn([n, 5], generator: g), 0, (m, z, l) => ((FixedSigmaAe)m).Decode(z), (m, x, l) => ((FixedSigmaAe)m).Embed(x), (m, x, l) => ((FixedSigmaAe)m).Loss(x)), true),
        ["ProbabilityAe"] = (new InteropCase("ProbabilityAe", seed => new ProbabilityAe(seed), (n, g) => rand([n, 5], generator: g), 0, (m, z, l) => ((ProbabilityAe)m).Decode(z), (m, x, l) => ((ProbabilityAe)m).Embed(x), (m, x, l) => ((ProbabilityAe)m).Loss(x)), false),
    };

    public static TheoryData<string> Models => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Models))]
    public void APipelineFromACsvFileGivesWhatTheModelGivesForEveryRow(string name)
    {
        var (model, excess) = Cases[name];
        using var folder = new TemporaryFolder();
        var (trained, _) = model.Trained(seed: 21);
        using var __ = trained;
        dynamic typed = trained;
        using var scope = NewDisposeScope();
        using var generator = new Generator(22);
        var scoring = excess ? AnomalyScoring.Excess : AnomalyScoring.NegativeLogLikelihood;
        AnomalyThreshold threshold = typed.CalibrateThreshold(model.Batch(200, generator), 0.05, scoring);

        // Normal rows and rows pushed off the data, so both sides of the threshold are in the file.
        var normal = model.Batch(60, generator);
        var pushed = (normal[..20] * 3) + 0.5;
        var rows = cat([normal, trained.Spec.Likelihood is AutoencoderDsl.Parts.BernoulliLikelihood ? pushed.clamp(0, 1) : pushed]);
        var flat = rows.flatten(1);
        int features = (int)flat.shape[1];
        var csv = folder.File("rows.csv");
        WriteCsv(csv, flat);
        trained.ExportOnnx(folder.Path);

        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromTextFile(csv, [new TextLoader.Column("Features", DataKind.Single, 0, features - 1)], separatorChar: ',', hasHeader: true);
        var estimator = mlContext.Transforms.Autoencoder(folder.Path, inputColumnName: "Features");
        var scored = estimator.Fit(data).Transform(data);

        var embeddings = scored.GetColumn<float[]>(AutoencoderEstimator.EmbeddingColumn).ToArray();
        var reconstructions = scored.GetColumn<float[]>(AutoencoderEstimator.ReconstructionColumn).ToArray();
        Assert.Equal(rows.shape[0], embeddings.Length);
        Tensor expectedEmbeddings = typed.Embed(rows);
        double embedding = MaxDifference(expectedEmbeddings, embeddings);
        double reconstruction = MaxDifference(((Tensor)typed.Reconstruct(rows)).flatten(1), reconstructions);
        Assert.Equal(expectedEmbeddings.shape[1], estimator.EmbeddingSize);
        Assert.Equal(features, ((VectorDataViewType)scored.Schema[AutoencoderEstimator.ReconstructionColumn].Type).Size);
        var report = $"{name}: largest difference from the model over {rows.shape[0]} CSV rows — embedding {embedding:E2}, reconstruction {reconstruction:E2}";
        Assert.True(embedding <= Tolerance, $"the embedding differs by {embedding}");
        Assert.True(reconstruction <= Tolerance, $"the reconstruction differs by {reconstruction}");

        if (!trained.Spec.Latent.ScoresItsReconstruction)
        {
            output.WriteLine(report + "; a VAE has no score column");
            Assert.False(estimator.HasAnomalyScore);
            Assert.Equal([AutoencoderEstimator.EmbeddingColumn, AutoencoderEstimator.ReconstructionColumn], estimator.OutputColumns);
            Assert.Null(scored.Schema.GetColumnOrNull(AutoencoderEstimator.AnomalyScoreColumn));
            return;
        }

        var scores = scored.GetColumn<float>(AutoencoderEstimator.AnomalyScoreColumn).ToArray();
        var flags = scored.GetColumn<bool>(AutoencoderEstimator.IsAnomalyColumn).ToArray();
        double[] expectedScores = ((Tensor)typed.AnomalyScore(rows, scoring)).data<double>().ToArray();
        bool[] expectedFlags = ((Tensor)typed.IsAnomaly(rows)).data<bool>().ToArray();
        double score = expectedScores.Zip(scores, (expected, actual) => Math.Abs(expected - actual)).Max();

        // A score sums an example's elements in float32, in an order each engine chooses, and reaches ML.NET as a Single:
        // it is held to 1e-5 of its size (in nats, at least 1), a few float32 roundings.
        double relative = expectedScores.Zip(scores, (expected, actual) => Math.Abs(expected - actual) / Math.Max(1, Math.Abs(expected))).Max();
        output.WriteLine($"{report}, anomaly score {score:E2} ({relative:E2} of the score; scores {expectedScores.Min():F2} to {expectedScores.Max():F2} nats); {flags.Count(flag => flag)} of {flags.Length} rows above the threshold {threshold.Value:F4}, as the model flags them");
        Assert.True(relative <= Tolerance, $"the anomaly score differs by {relative} of its size");
        Assert.Equal(threshold.Value, estimator.Threshold);
        Assert.Equal(threshold.Calibration, estimator.Calibration);
        Assert.Equal(expectedFlags, flags);
        Assert.Contains(true, flags);
        Assert.Contains(false, flags);
    }

    [Fact]
    public void AModelInMemoryGivesWhatItsExportedFileGivesAndTheFittedPipelineSavesAndLoads()
    {
        var model = InteropCase.All["VectorLayersAe"];
        using var folder = new TemporaryFolder();
        var (trained, _) = model.Trained(seed: 23);
        using var __ = trained;
        dynamic typed = trained;
        using var scope = NewDisposeScope();
        using var generator = new Generator(24);
        typed.CalibrateThreshold(model.Batch(200, generator), 0.05);
        var normal = model.Batch(40, generator);
        var rows = cat([normal, normal[..10] * 4]);
        trained.ExportOnnx(folder.Path);
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, (int)rows.shape[0]).Select(i => new Row { Features = rows[i].data<float>().ToArray(), Label = i >= 40 ? 1 : 0 }));

        var fitted = mlContext.Transforms.Autoencoder(trained).Fit(data);
        var fromMemory = fitted.Transform(data);
        var fromFile = mlContext.Transforms.Autoencoder(folder.File("autoencoder.onnx")).Fit(data).Transform(data);
        mlContext.Model.Save(fitted, data.Schema, folder.File("pipeline.zip"));
        var elsewhere = new MLContext(seed: 2);
        elsewhere.ComponentCatalog.RegisterAssembly(typeof(AutoencoderCatalog).Assembly);
        var reloaded = elsewhere.Model.Load(folder.File("pipeline.zip"), out _).Transform(data);
        var metrics = mlContext.AnomalyDetection.Evaluate(fromMemory, labelColumnName: "Label", scoreColumnName: AutoencoderEstimator.AnomalyScoreColumn, predictedLabelColumnName: AutoencoderEstimator.IsAnomalyColumn);

        output.WriteLine($"ML.NET's anomaly evaluator over the score column: AUC {metrics.AreaUnderRocCurve:F3}");
        Assert.Equal(fromFile.GetColumn<float>(AutoencoderEstimator.AnomalyScoreColumn), fromMemory.GetColumn<float>(AutoencoderEstimator.AnomalyScoreColumn));
        Assert.Equal(fromFile.GetColumn<float[]>(AutoencoderEstimator.EmbeddingColumn), fromMemory.GetColumn<float[]>(AutoencoderEstimator.EmbeddingColumn));
        Assert.Equal(fromMemory.GetColumn<float>(AutoencoderEstimator.AnomalyScoreColumn), reloaded.GetColumn<float>(AutoencoderEstimator.AnomalyScoreColumn));
        Assert.Equal(fromMemory.GetColumn<bool>(AutoencoderEstimator.IsAnomalyColumn), reloaded.GetColumn<bool>(AutoencoderEstimator.IsAnomalyColumn));
        Assert.Equal(rows[0].data<float>().ToArray(), fromMemory.GetColumn<float[]>("Features").First());
        Assert.True(metrics.AreaUnderRocCurve > 0.9, $"AUC {metrics.AreaUnderRocCurve}");
    }

    [Fact]
    public void AColumnOfTheWrongSizeTypeOrNameIsNamedWithWhatTheModelReads()
    {
        using var folder = new TemporaryFolder();
        using var ae = new VectorLayersAe(seed: 25);
        ae.ExportOnnx(folder.Path);
        var csv = folder.File("rows.csv");
        using (var scope = NewDisposeScope())
        {
            WriteCsv(csv, randn(4, 13));
        }

        var mlContext = new MLContext(seed: 1);
        var tooWide = mlContext.Data.LoadFromTextFile(csv, [new TextLoader.Column("Features", DataKind.Single, 0, 12)], separatorChar: ',', hasHeader: true);
        var scalar = mlContext.Data.LoadFromTextFile(csv, [new TextLoader.Column("Features", DataKind.Single, 0)], separatorChar: ',', hasHeader: true);
        var estimator = mlContext.Transforms.Autoencoder(folder.Path);

        var wide = Assert.Throws<ArgumentException>(() => estimator.Fit(tooWide));
        var single = Assert.Throws<ArgumentException>(() => estimator.Fit(scalar));
        var missing = Assert.Throws<ArgumentException>(() => mlContext.Transforms.Autoencoder(folder.Path, inputColumnName: "Pixels").Fit(tooWide));
        var notExported = Assert.Throws<FileNotFoundException>(() => mlContext.Transforms.Autoencoder(folder.File("nowhere")));
        var clash = Assert.Throws<ArgumentException>(() => mlContext.Transforms.Autoencoder(folder.Path, inputColumnName: "code"));
        var asX = mlContext.Data.LoadFromTextFile(csv, [new TextLoader.Column("x", DataKind.Single, 0, 11)], separatorChar: ',', hasHeader: true);
        var scoredAsX = mlContext.Transforms.Autoencoder(folder.Path, inputColumnName: "x").Fit(asX).Transform(asX);

        output.WriteLine(wide.Message);
        Assert.Contains("'Features' as Vector<Single, 12>", wide.Message);
        Assert.Contains("the column is Vector<Single, 13>", wide.Message);
        Assert.Contains("DataKind.Single, 0, 11", wide.Message);
        Assert.Contains("the column is Single", single.Message);
        Assert.Contains("column 'Pixels', which the data does not have (its columns: Features)", missing.Message);
        Assert.Contains("ExportOnnx", notExported.Message);
        Assert.Contains("a value inside the autoencoder's graph", clash.Message);
        Assert.Equal(4, scoredAsX.GetColumn<float[]>(AutoencoderEstimator.EmbeddingColumn).Count());
    }

    private static void WriteCsv(string path, Tensor flat)
    {
        var values = flat.contiguous().data<float>().ToArray();
        int width = (int)flat.shape[1];
        using var writer = new StreamWriter(path);
        writer.WriteLine(string.Join(",", Enumerable.Range(0, width).Select(i => $"f{i}")));
        for (int row = 0; row < flat.shape[0]; row++)
        {
            writer.WriteLine(string.Join(",", values.Skip(row * width).Take(width).Select(value => value.ToString("R", CultureInfo.InvariantCulture))));
        }
    }

    private static double MaxDifference(Tensor expected, float[][] actual)
    {
        var rows = expected.to(ScalarType.Float32).contiguous();
        Assert.Equal(rows.shape[0], actual.Length);
        return Enumerable.Range(0, actual.Length).Max(i =>
        {
            var want = rows[i].data<float>().ToArray();
            Assert.Equal(want.Length, actual[i].Length);
            return want.Zip(actual[i], (a, b) => Math.Abs((double)a - b)).Max();
        });
    }

    private sealed class Row
    {
        [VectorType(12)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }
}

/// <summary>A Gaussian likelihood with a fixed σ.</summary>
[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian, Sigma = 0.5)]
[Input(5)]
public partial class FixedSigmaAe
{
    [Dense(8), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(8), Tanh, Dense(5)]
    public partial Sequential Decoder { get; }
}

/// <summary>
/// A Bernoulli likelihood of probabilities, which the generator never declares (it fuses every final Sigmoid into the
/// loss) but a model assembled by hand may be.
/// </summary>
public sealed class ProbabilityAe : AutoencoderModule
{
    private static readonly ModelSpec HandSpec = new()
    {
        InputShape = [5],
        Latent = new AutoencoderDsl.Parts.DeterministicLatent(2),
        Likelihood = new AutoencoderDsl.Parts.BernoulliLikelihood(FromLogits: false),
        LossTerms = [new AutoencoderDsl.Parts.ReconstructionTerm()],
        Encoder = [new AutoencoderDsl.Export.Linear(0, 5, 8), new AutoencoderDsl.Export.Activation(1, AutoencoderDsl.Export.ActivationFunction.ReLU)],
        Decoder = [new AutoencoderDsl.Export.Linear(0, 2, 5), new AutoencoderDsl.Export.Activation(1, AutoencoderDsl.Export.ActivationFunction.Sigmoid)],
    };

    private readonly Sequential encoder;
    private readonly Linear code;
    private readonly Sequential decoder;

    // The layers are made after the base constructor has seeded the generator, as generated constructors make them.
    public ProbabilityAe(long seed)
        : base(nameof(ProbabilityAe), HandSpec, seed)
    {
        encoder = nn.Sequential(("0", nn.Linear(5, 8)), ("1", nn.ReLU()));
        code = nn.Linear(8, 2);
        decoder = nn.Sequential(("0", nn.Linear(2, 5)), ("1", nn.Sigmoid()));
        register_module("encoder", encoder);
        register_module("code", code);
        register_module("decoder", decoder);
    }

    protected override Tensor EncodeCore(Tensor x, Tensor? condition) => code.forward(encoder.forward(x));

    protected override Tensor DecodeCore(Tensor z, Tensor? condition) => decoder.forward(z);
}
