using System.Collections.Generic;
using AutoencoderDsl.Generators.Emit;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Shapes;

namespace AutoencoderDsl.Generators.Parts;

/// <summary>
/// What every model has: the input shape, the constructor, the spec and <c>Load</c>. The public methods for
/// reconstruction, embedding, interpolation, the loss, training, evaluation and anomaly scores are the runtime's; a
/// class-conditional model gets each again here, taking its labels.
/// </summary>
/// <param name="InputShape">The shape of one example.</param>
public sealed record CorePart(EquatableArray<long> InputShape) : Part
{
    public const string SpecField = "spec";

    private static readonly ApiParameter Seed = new(ApiType.OptionalLong, "seed", "Seeds libtorch's global generator before the layers are created, when given, so the initial weights repeat.", "null");
    private static readonly ApiParameter Path = new(ApiType.String, "path", "The file to read.");
    private static readonly ApiParameter Steps = new(ApiType.Int, "steps", "How many points, both ends included; at least 2.");
    private static readonly ApiParameter Options = new(ApiType.FitOptions, "options", "Epochs, batch size, learning rate, seed, corruption, clipping and checkpointing; the defaults when null.", "null");
    private static readonly ApiParameter Progress = new(ApiType.Progress, "progress", "Receives a report after every batch and every epoch, on the training thread.", "null");
    private static readonly ApiParameter Cancellation = new(ApiType.CancellationToken, "cancellationToken", "Checked before every batch.", "default");
    private static readonly ApiParameter BatchSize = new(ApiType.Int, "batchSize", "Examples per forward pass.", "256");
    private static readonly ApiParameter FalsePositiveRate = new(ApiType.Double, "falsePositiveRate", "The share of normal examples allowed above the threshold, in [0, 1).", "0.01");
    private static readonly ApiParameter Contamination = new(ApiType.Double, "contamination", "The share of the data believed anomalous, in [0, 1).");
    private static readonly ApiParameter IsAnomalous = new(ApiType.Tensor, "isAnomalous", "The truth, <c>Bool [N]</c>: true for each anomaly.");
    private static readonly ApiParameter Scoring = new(ApiType.OptionalScoring, "scoring", "How scores are computed; the negative log-likelihood when null.", "null");
    private static readonly ApiParameter ThresholdScoring = new(ApiType.OptionalScoring, "scoring", "How scores are computed; when null, as the threshold was calibrated (or the negative log-likelihood).", "null");
    private static readonly ApiParameter Peak = new(ApiType.Double, "peak", "The range of the data's values, the peak of the PSNR: 1 for images in [0, 1].", "1");
    private static readonly ApiParameter DetectionRateAt = new(ApiType.Double, "falsePositiveRate", "The false-positive rate at which to read the detection rate, in (0, 1].", "0.01");

    public override string DeclaredBy => "every model";

    public override string? Summary => "input " + Literals.List(InputShape);

    public override IEnumerable<string> SpecEntries => ["InputShape = InputShape.ToArray()"];

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) =>
        [Constructor, new(InputShapeName), new(SpecField), Load(model), .. model.InheritsApi ? [] : LabelledApi(model)];

    public static GeneratedMethod Constructor { get; } = new(".ctor", [Seed]);

    private const string InputShapeName = "InputShape";

    /// <summary>One example: the input shape without the batch dimension.</summary>
    private string Example => Literals.List(InputShape);

    /// <summary>A batch of examples, e.g. <c>[N, 1, 28, 28]</c>.</summary>
    public string Batch => Literals.List(InputShape, "N");

    public override void WriteConstants(ModelWriter writer)
    {
        writer.Doc($"The shape of one example: {Example}.");
        writer.Code.Line($"public static global::System.ReadOnlySpan<long> {InputShapeName} => {Example};");
        writer.Code.Line();
    }

    private static ApiMethod Load(ModelDescription model) =>
        new(
            ApiSection.Training,
            $"public static {model.ClassName}",
            "Load",
            [Path],
            $"LoadInto(new {model.ClassName}(), path)",
            $"Builds a {model.ClassName} and loads parameters written by <c>Save</c>, with the threshold, standardizer and sampler saved beside them.");

    /// <summary>The runtime's public methods again, each taking the labels of a class-conditional model.</summary>
    private ApiMethod[] LabelledApi(ModelDescription model)
    {
        var latent = model.Find<LatentPart>()!;
        var loss = latent.LossType;
        var x = Examples("x", $"A batch <c>{Batch}</c>.");
        var labels = LabelsOf(model);
        const string labelsName = ClassConditioningPart.LabelsName;
        return
        [
            new(ApiSection.Inference, "public Tensor", "Reconstruct", [x, labels], $"ReconstructBatch(x, {labelsName})", $"Reconstructs a batch <c>{Batch}</c> of the given classes from its deterministic code, without gradients in evaluation mode."),
            new(ApiSection.Inference, "public Tensor", "Embed", [x, labels], $"EmbedBatch(x, {labelsName})", $"The code <c>[N, {latent.LatentDim}]</c> of each example of the given classes ({latent.EmbeddingNote}), without gradients in evaluation mode: the coordinates to plot."),
            new(
                ApiSection.Inference,
                "public Tensor",
                "Interpolate",
                [
                    Examples("a", $"One example {Example}, without a batch dimension."),
                    Examples("b", "Another example of the same shape."),
                    Steps,
                    model.Find<ClassConditioningPart>()!.Label("The class of both examples and of every point decoded"),
                ],
                $"InterpolateExamples(a, b, steps, {ClassConditioningPart.LabelName})",
                "Decodes <paramref name=\"steps\"/> evenly spaced points on the line between the codes of two examples of one class."),

            // Loss(x, labels) has the parameter types of the runtime's Loss(input, target), which it hides.
            new(ApiSection.Training, $"public new {loss}", "Loss", [x, labels], $"LossBatch(x, x, {labelsName})", $"The loss of reconstructing a batch <c>{Batch}</c> from itself; <c>Loss(x, labels).Total.backward()</c> trains."),
            new(
                ApiSection.Training,
                $"public {loss}",
                "Loss",
                [Examples("input", $"What the model sees, <c>{Batch}</c>."), Examples("target", "What it should reconstruct, of the same shape."), labels],
                $"LossBatch(input, target, {labelsName})",
                "The loss of reconstructing <paramref name=\"target\"/> from <paramref name=\"input\"/>, such as a corrupted copy when denoising."),
            new(
                ApiSection.Training,
                "public global::AutoencoderDsl.Training.TrainingHistory",
                "Fit",
                [
                    Examples("train", $"The training examples <c>{Batch}</c>."),
                    LabelsOf(model, ClassConditioningPart.TrainLabelsName, "training example"),
                    Options,
                    new ApiParameter(ApiType.OptionalTensor, "validation", "Examples scored after every epoch; optional.", "null"),
                    model.Find<ClassConditioningPart>()!.Labels(ClassConditioningPart.ValidationLabelsName, "validation example", optional: true),
                    Progress,
                    Cancellation,
                ],
                $"FitData(train, {ClassConditioningPart.TrainLabelsName}, options, validation, {ClassConditioningPart.ValidationLabelsName}, progress, cancellationToken)",
                $"Trains on <paramref name=\"train\"/> <c>{Batch}</c> and returns one summary per epoch.",
                "The loss history: the epochs of the run this call continues or resumes, then its own."),
            new(ApiSection.Training, "public global::AutoencoderDsl.LossMetrics", "Evaluate", [Examples("data", $"The examples <c>{Batch}</c>."), labels, BatchSize], $"EvaluateData(data, {labelsName}, batchSize)", "The mean of each loss term over <paramref name=\"data\"/>, in evaluation mode and without gradients."),

            new(ApiSection.Measurement, "public Tensor", "AnomalyScore", [x, labels, Scoring, BatchSize], $"AnomalyScores(x, {labelsName}, scoring, batchSize)", $"The anomaly score of each example, <c>[N]</c> float64 in nats: {latent.ScoreNote}; see <paramref name=\"scoring\"/>. Higher is more anomalous."),
            new(
                ApiSection.Measurement,
                "public global::AutoencoderDsl.Evaluation.AnomalyThreshold",
                "CalibrateThreshold",
                [Examples("normal", $"Examples believed normal, <c>{Batch}</c>, not the training data."), labels, FalsePositiveRate, Scoring, BatchSize],
                $"CalibrateThresholdOn(normal, {labelsName}, falsePositiveRate, scoring, batchSize)",
                "Sets <c>AnomalyThreshold</c> from the scores of data believed normal, so that at most <paramref name=\"falsePositiveRate\"/> of it is flagged; the threshold is saved with the model."),
            new(
                ApiSection.Measurement,
                "public global::AutoencoderDsl.Evaluation.AnomalyThreshold",
                "CalibrateThresholdByContamination",
                [Examples("data", $"Examples <c>{Batch}</c> of which a known share is anomalous."), labels, Contamination, Scoring, BatchSize],
                $"CalibrateThresholdByContaminationOn(data, {labelsName}, contamination, scoring, batchSize)",
                "Sets <c>AnomalyThreshold</c> so that it flags the share <paramref name=\"contamination\"/> of data believed to hold that share of anomalies."),
            new(ApiSection.Measurement, "public Tensor", "IsAnomaly", [x, labels, BatchSize], $"FlagAnomalies(x, {labelsName}, batchSize)", "Whether each example scores above <c>AnomalyThreshold</c>, <c>Bool [N]</c>; calibrate first."),
            new(
                ApiSection.Measurement,
                "public global::AutoencoderDsl.Evaluation.AnomalyReport",
                "EvaluateAnomalies",
                [Examples("x", $"Labelled test examples <c>{Batch}</c>, normal and anomalous."), IsAnomalous, labels, DetectionRateAt, ThresholdScoring, BatchSize],
                $"EvaluateAnomalyScores(x, isAnomalous, {labelsName}, falsePositiveRate, scoring, batchSize)",
                "How well the scores separate anomalies from normal examples: ROC AUC, average precision, the detection rate at a false-positive rate, and precision, recall and F1 at <c>AnomalyThreshold</c> when it is set."),
            new(ApiSection.Measurement, "public global::AutoencoderDsl.Evaluation.ReconstructionQuality", "MeasureReconstruction", [x, labels, Peak], $"MeasureReconstructionOf(x, {labelsName}, peak)", "The mean squared error and PSNR of the reconstructions of <paramref name=\"x\"/> against it."),
            new(
                ApiSection.Measurement,
                "public global::AutoencoderDsl.Evaluation.DenoisingQuality",
                "MeasureDenoising",
                [Examples("noisy", $"Noisy examples <c>{Batch}</c>."), Examples("clean", "The same examples without the noise."), labels, Peak],
                $"MeasureDenoisingOf(noisy, clean, {labelsName}, peak)",
                "The PSNR of the noisy inputs and of their reconstructions, both against the clean data: what denoising gained."),
            new(ApiSection.Measurement, "public Tensor", "AnomalyAttribution", [x, labels], $"AttributeAnomalies(x, {labelsName})", "Each element's share of its example's reconstruction score, shaped like <paramref name=\"x\"/>, summing to 1 per example: which pixels or columns made it anomalous."),
        ];
    }

    /// <summary>The labels a class-conditional model's method takes, the only model whose parts write these methods.</summary>
    private static ApiParameter LabelsOf(ModelDescription model, string name = ClassConditioningPart.LabelsName, string of = "example") =>
        model.Find<ClassConditioningPart>()!.Labels(name, of);

    private static ApiParameter Examples(string name, string doc) => new(ApiType.Tensor, name, doc);
}
