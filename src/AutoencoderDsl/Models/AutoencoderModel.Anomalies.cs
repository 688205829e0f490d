using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>Anomaly scores, thresholds and attribution, reconstruction quality, and what a model file carries beside the parameters.</summary>
public abstract partial class AutoencoderModel
{
    private const string StandardizerGroup = "standardizer";

    /// <summary>The calibrated threshold that <c>IsAnomaly</c> applies; saved and loaded with the model; null until calibrated.</summary>
    public AnomalyThreshold? AnomalyThreshold { get; set; }

    /// <summary>
    /// The scale the model's training data was standardised with (tabular data), kept with the model so new data can be
    /// put on the same scale before it is scored: <c>model.Standardizer.Transform(rows)</c>. Saved and loaded with the
    /// model; the model owns it and disposes the one it replaces. The model does not apply it by itself.
    /// </summary>
    public Standardizer? Standardizer
    {
        get;
        set
        {
            if (!ReferenceEquals(field, value))
            {
                field?.Dispose();
            }

            field = value;
        }
    }

    /// <summary>The anomaly score of each example, <c>[N]</c> float64 in nats: by default the negative log-likelihood of the example's reconstruction from its code (an autoencoder) or its negative ELBO (a VAE), or with importance samples a VAE's negative IWAE bound; see <paramref name="scoring"/>. Higher is more anomalous.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    /// <param name="scoring">How scores are computed; the negative log-likelihood when null.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    [WithoutLabels]
    public Tensor AnomalyScore(Tensor x, AnomalyScoring? scoring = null, int batchSize = 256) => AnomalyScores(x, labels: null, scoring, batchSize);

    /// <summary>Sets <see cref="AnomalyThreshold"/> from the scores of data believed normal, so that at most <paramref name="falsePositiveRate"/> of it is flagged; the threshold is saved with the model.</summary>
    /// <param name="normal">Examples believed normal, <c>[N, ...InputShape]</c>, not the training data.</param>
    /// <param name="falsePositiveRate">The share of normal examples allowed above the threshold, in [0, 1).</param>
    /// <param name="scoring">How scores are computed; the negative log-likelihood when null.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    [WithoutLabels]
    public AnomalyThreshold CalibrateThreshold(Tensor normal, double falsePositiveRate = 0.01, AnomalyScoring? scoring = null, int batchSize = 256) =>
        CalibrateThresholdOn(normal, labels: null, falsePositiveRate, scoring, batchSize);

    /// <summary>Sets <see cref="AnomalyThreshold"/> so that it flags the share <paramref name="contamination"/> of data believed to hold that share of anomalies.</summary>
    /// <param name="data">Examples <c>[N, ...InputShape]</c> of which a known share is anomalous.</param>
    /// <param name="contamination">The share of the data believed anomalous, in [0, 1).</param>
    /// <param name="scoring">How scores are computed; the negative log-likelihood when null.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    [WithoutLabels]
    public AnomalyThreshold CalibrateThresholdByContamination(Tensor data, double contamination, AnomalyScoring? scoring = null, int batchSize = 256) =>
        CalibrateThresholdByContaminationOn(data, labels: null, contamination, scoring, batchSize);

    /// <summary>Whether each example scores above <see cref="AnomalyThreshold"/>, <c>Bool [N]</c>; calibrate first.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    [WithoutLabels]
    public Tensor IsAnomaly(Tensor x, int batchSize = 256) => FlagAnomalies(x, labels: null, batchSize);

    /// <summary>How well the scores separate anomalies from normal examples: ROC AUC, average precision, the detection rate at a false-positive rate, and precision, recall and F1 at <see cref="AnomalyThreshold"/> when it is set.</summary>
    /// <param name="x">Labelled test examples <c>[N, ...InputShape]</c>, normal and anomalous.</param>
    /// <param name="isAnomalous">The truth, <c>Bool [N]</c>: true for each anomaly.</param>
    /// <param name="falsePositiveRate">The false-positive rate at which to read the detection rate, in (0, 1].</param>
    /// <param name="scoring">How scores are computed; when null, as the threshold was calibrated (or the negative log-likelihood).</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    [WithoutLabels]
    public AnomalyReport EvaluateAnomalies(Tensor x, Tensor isAnomalous, double falsePositiveRate = 0.01, AnomalyScoring? scoring = null, int batchSize = 256) =>
        EvaluateAnomalyScores(x, isAnomalous, labels: null, falsePositiveRate, scoring, batchSize);

    /// <summary>Each element's share of its example's reconstruction score, shaped like <paramref name="x"/>, summing to 1 per example: which pixels or columns made it anomalous.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    [WithoutLabels]
    public Tensor AnomalyAttribution(Tensor x) => AttributeAnomalies(x, labels: null);

    /// <summary>The mean squared error and PSNR of the reconstructions of <paramref name="x"/> against it.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    /// <param name="peak">The range of the data's values, the peak of the PSNR: 1 for images in [0, 1].</param>
    [WithoutLabels]
    public ReconstructionQuality MeasureReconstruction(Tensor x, double peak = 1) => MeasureReconstructionOf(x, labels: null, peak);

    /// <summary>The PSNR of the noisy inputs and of their reconstructions, both against the clean data: what denoising gained.</summary>
    /// <param name="noisy">Noisy examples <c>[N, ...InputShape]</c>.</param>
    /// <param name="clean">The same examples without the noise.</param>
    /// <param name="peak">The range of the data's values, the peak of the PSNR: 1 for images in [0, 1].</param>
    [WithoutLabels]
    public DenoisingQuality MeasureDenoising(Tensor noisy, Tensor clean, double peak = 1) => MeasureDenoisingOf(noisy, clean, labels: null, peak);

    /// <summary>The k-nearest-neighbour accuracy of the codes of held-out data, voting among the codes of the training data (at <paramref name="neighbours"/>, 1 and 5), and the trustworthiness of the held-out codes against the held-out inputs (k = 5 and 10); beside the same figures for PCA's coordinates of the same dimension fitted on the same data: whether the code beats the linear baseline. A class-conditional model's codes leave the class to the condition, so it has no such measure.</summary>
    /// <param name="train">Training examples <c>[N, ...InputShape]</c>.</param>
    /// <param name="trainLabels">Their classes, <c>Int64 [N]</c>.</param>
    /// <param name="test">Held-out examples of the same shape, more than 20.</param>
    /// <param name="testLabels">Their classes, <c>Int64 [M]</c>.</param>
    /// <param name="neighbours">k, the neighbours that vote.</param>
    [WithoutLabels]
    public EmbeddingQuality MeasureEmbedding(Tensor train, Tensor trainLabels, Tensor test, Tensor testLabels, int neighbours = 5) =>
        MeasureEmbeddingOf(train, trainLabels, test, testLabels, neighbours);

    /// <summary>
    /// The anomaly score of each example, <c>[N]</c> as float64, in nats: the negative log-likelihood of the example under
    /// the model. An autoencoder scores the reconstruction of its deterministic code; a VAE overrides this with −ELBO or
    /// −IWAE. Called on checked input, in evaluation mode, without gradients and with <see cref="Draws"/> set.
    /// </summary>
    /// <param name="x">A checked batch.</param>
    /// <param name="condition">The one-hot condition, or null.</param>
    /// <param name="importanceSamples">0, or the k of the IWAE bound (variational models only, checked).</param>
    private protected virtual Tensor ScoreCore(Tensor x, Tensor? condition, int importanceSamples) =>
        Spec.Likelihood.ExampleNegativeLogLikelihood(DecodeCore(EmbedCore(x, condition), condition), x, LogScale).to(ScalarType.Float64);

    /// <summary>The anomaly score of every example of <paramref name="x"/>, <c>[N]</c> float64 on the CPU, computed in batches.</summary>
    protected Tensor AnomalyScores(Tensor x, Tensor? labels, AnomalyScoring? scoring, int batchSize) => Call("AnomalyScore", () =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        RequireLabels(labels, x.shape[0], nameof(labels));
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        scoring ??= AnomalyScoring.NegativeLogLikelihood;
        if (scoring.ImportanceSamples > 0 && this is not VariationalAutoencoderModule)
        {
            throw new ArgumentException("Importance samples need a variational model; an autoencoder's score is the negative log-likelihood of its reconstruction.", nameof(scoring));
        }

        return Scores(x, labels, scoring, batchSize);
    });

    /// <summary>
    /// Sets <see cref="AnomalyThreshold"/> from scores of <paramref name="normal"/> data: the threshold above which at
    /// most <paramref name="falsePositiveRate"/> of them lie.
    /// </summary>
    protected AnomalyThreshold CalibrateThresholdOn(Tensor normal, Tensor? labels, double falsePositiveRate, AnomalyScoring? scoring, int batchSize)
    {
        RequireShare(falsePositiveRate, nameof(falsePositiveRate));
        return CalibrateOn(chosen => AnomalyScores(normal, labels, chosen, batchSize), falsePositiveRate, scoring, FalsePositiveCalibration(falsePositiveRate));
    }

    /// <summary>
    /// Sets <see cref="AnomalyThreshold"/> from scores of data of which a share <paramref name="contamination"/> is
    /// believed anomalous: the threshold that flags that share.
    /// </summary>
    protected AnomalyThreshold CalibrateThresholdByContaminationOn(Tensor data, Tensor? labels, double contamination, AnomalyScoring? scoring, int batchSize)
    {
        RequireShare(contamination, nameof(contamination));
        return CalibrateOn(chosen => AnomalyScores(data, labels, chosen, batchSize), contamination, scoring, ContaminationCalibration(contamination));
    }

    /// <summary>
    /// Sets <see cref="AnomalyThreshold"/> to the score above which a share <paramref name="above"/> of the scores that
    /// <paramref name="score"/> computes lie, described by <paramref name="describe"/> of their count.
    /// </summary>
    private protected AnomalyThreshold CalibrateOn(Func<AnomalyScoring, Tensor> score, double above, AnomalyScoring? scoring, Func<long, FormattableString> describe)
    {
        scoring ??= AnomalyScoring.NegativeLogLikelihood;
        using var scores = score(scoring);
        return AnomalyThreshold = new AnomalyThreshold(AnomalyThreshold.Quantile(scores, above), scoring, FormattableString.Invariant(describe(scores.shape[0])));
    }

    private static Func<long, FormattableString> FalsePositiveCalibration(double falsePositiveRate) =>
        count => $"false-positive rate {falsePositiveRate} on {count} normal examples";

    private static Func<long, FormattableString> ContaminationCalibration(double contamination) =>
        count => $"contamination {contamination} of {count} examples";

    /// <summary>
    /// How well <paramref name="scores"/> separate the examples marked in <paramref name="isAnomalous"/>, with precision,
    /// recall and F1 at the calibrated threshold when it was calibrated with <paramref name="scoring"/>.
    /// </summary>
    private protected AnomalyReport ReportOn(Tensor scores, Tensor isAnomalous, AnomalyScoring scoring, double falsePositiveRate)
    {
        // Precision and recall at the threshold only mean something for scores computed as it was calibrated.
        double? threshold = AnomalyThreshold is { } calibrated && calibrated.Scoring == scoring ? calibrated.Value : null;
        return AnomalyMetrics.Compute(scores, isAnomalous, threshold, falsePositiveRate);
    }

    /// <summary>Whether each example scores above the calibrated threshold, <c>Bool [N]</c>.</summary>
    protected Tensor FlagAnomalies(Tensor x, Tensor? labels, int batchSize)
    {
        var threshold = RequireThreshold();
        using var scores = AnomalyScores(x, labels, threshold.Scoring, batchSize);
        return scores.gt(threshold.Value);
    }

    /// <summary>
    /// How well the scores of <paramref name="x"/> separate the examples marked in <paramref name="isAnomalous"/> from the
    /// rest, with precision, recall and F1 at the calibrated threshold when there is one. Without a
    /// <paramref name="scoring"/>, the threshold's (or the default when there is none).
    /// </summary>
    protected AnomalyReport EvaluateAnomalyScores(Tensor x, Tensor isAnomalous, Tensor? labels, double falsePositiveRate, AnomalyScoring? scoring, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(isAnomalous);
        if (isAnomalous.dtype != ScalarType.Bool || isAnomalous.ndim != 1 || isAnomalous.shape[0] != x.shape[0])
        {
            throw new ArgumentException($"Expected a Bool [{x.shape[0]}] marking each example's truth, but got {isAnomalous.dtype} {Shapes.Format(isAnomalous.shape)}.", nameof(isAnomalous));
        }

        scoring ??= AnomalyThreshold?.Scoring ?? AnomalyScoring.NegativeLogLikelihood;
        using var scores = AnomalyScores(x, labels, scoring, batchSize);
        return ReportOn(scores, isAnomalous, scoring, falsePositiveRate);
    }

    /// <summary>
    /// Each element's share of its example's reconstruction score, shaped like <paramref name="x"/>: the excess negative
    /// log-likelihood of each element over a perfect reconstruction's, divided by the example's total, so an example's
    /// shares sum to 1 (all 0 for a perfect reconstruction). High shares are the pixels or columns that made it anomalous.
    /// </summary>
    protected Tensor AttributeAnomalies(Tensor x, Tensor? labels) => Call("AnomalyAttribution", () =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        RequireLabels(labels, x.shape[0], nameof(labels));
        return Infer(() =>
        {
            var condition = OneHot(labels);
            var excess = Spec.Likelihood.ElementExcess(DecodeCore(EmbedCore(x, condition), condition), x, LogScale);
            var totals = excess.flatten(1).sum(1).view([-1, .. Enumerable.Repeat(1L, Spec.InputShape.Count)]);
            return where(totals > 0, excess / totals.clamp_min(double.Epsilon), zeros_like(excess));
        });
    });

    /// <summary>The mean squared error and PSNR of the reconstructions of <paramref name="x"/> against it.</summary>
    protected ReconstructionQuality MeasureReconstructionOf(Tensor x, Tensor? labels, double peak)
    {
        using var reconstruction = ReconstructBatch(x, labels);
        return Quality.Of(reconstruction, x, peak);
    }

    /// <summary>The quality of <paramref name="noisy"/> inputs and of the model's reconstructions of them, both against <paramref name="clean"/>.</summary>
    protected DenoisingQuality MeasureDenoisingOf(Tensor noisy, Tensor clean, Tensor? labels, double peak)
    {
        using var denoised = ReconstructBatch(noisy, labels);
        return Quality.OfDenoising(noisy, denoised, clean, peak);
    }

    /// <summary>The k-nearest-neighbour accuracies of the codes of <paramref name="test"/> against those of <paramref name="train"/> and their trustworthiness, beside PCA's at the same dimension.</summary>
    protected EmbeddingQuality MeasureEmbeddingOf(Tensor train, Tensor trainLabels, Tensor test, Tensor testLabels, int neighbours) =>
        NearestNeighbours.Compare(x => EmbedBatch(x, labels: null), train, trainLabels, test, testLabels, neighbours);

    /// <summary>Scores checked input in batches, with the evaluation draws.</summary>
    private Tensor Scores(Tensor x, Tensor? labels, AnomalyScoring scoring, int batchSize) =>
        Scores(Enumerable.Range(0, (int)((x.shape[0] + batchSize - 1) / batchSize)).Select(batch =>
        {
            long start = (long)batch * batchSize, size = Math.Min(batchSize, x.shape[0] - start);
            return new ExampleBatch(x.narrow(0, start, size), labels?.narrow(0, start, size));
        }), scoring);

    /// <summary>Scores checked batches in order with one stream of evaluation draws, so the batches' source does not change the figures; disposes each batch.</summary>
    private Tensor Scores(IEnumerable<ExampleBatch> batches, AnomalyScoring scoring)
    {
        var device = parameters().First().device;
        var globalDraws = Draws;
        using var draws = Trainer.EvaluationDraws(device);
        Draws = draws;
        try
        {
            using var scope = NewDisposeScope();
            var parts = new List<Tensor>();
            foreach (var examples in batches)
            {
                using (examples)
                {
                    parts.Add(Infer(() =>
                    {
                        var batch = examples.Examples.to(device);
                        var condition = OneHot(examples.Labels?.to(device));
                        var score = ScoreCore(batch, condition, scoring.ImportanceSamples);
                        if (scoring.RelativeToPerfect)
                        {
                            score -= Spec.Likelihood.ElementPerfectNegativeLogLikelihood(batch, LogScale).flatten(1).sum(1).to(ScalarType.Float64);
                        }

                        return score.cpu();
                    }));
                }
            }

            return cat(parts).MoveToOuterDisposeScope();
        }
        finally
        {
            Draws = globalDraws;
        }
    }

    /// <summary>Adds what the model carries beside its parameters to a model file's extras.</summary>
    private protected virtual void WriteExtras(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
    {
        AnomalyThreshold?.WriteTo(metadata);
        WriteClassNames(metadata);
        if (Standardizer is { } standardizer)
        {
            foreach (var (name, tensor) in standardizer.Tensors())
            {
                tensors[StandardizerGroup + "." + name] = tensor;
            }
        }
    }

    /// <summary>Restores what <see cref="WriteExtras"/> wrote, each value range-checked; the tensors are copied, since the caller disposes its own.</summary>
    private protected virtual void ReadExtras(ModelExtras extras, string path)
    {
        AnomalyThreshold = AnomalyThreshold.ReadFrom(extras.Metadata, path, this is VariationalAutoencoderModule);
        ReadClassNames(extras, path);
        var standardizer = extras.Group(StandardizerGroup);
        Standardizer = standardizer.Count == 0 ? null : Standardizer.FromTensors(standardizer, path);
    }

    private AnomalyThreshold RequireThreshold() =>
        AnomalyThreshold ?? throw new InvalidOperationException("No anomaly threshold is set: call CalibrateThreshold on data believed normal first (or load a model file saved after calibrating).");

    private static void RequireShare(double share, string parameterName)
    {
        if (!(share >= 0 && share < 1))
        {
            throw new ArgumentOutOfRangeException(parameterName, share, "The share must lie in [0, 1), e.g. 0.01 for one in a hundred.");
        }
    }
}
