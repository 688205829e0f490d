using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Generators.Emit;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Shapes;

namespace AutoencoderDsl.Generators.Parts;

/// <summary>
/// What every model has: the input shape, the constructor and the spec, and the typed public methods for decoding,
/// reconstruction, embedding, interpolation, the loss, training, evaluation and loading. A class-conditional model's
/// methods also take labels.
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

    public override string DeclaredBy => "every model";

    public override string? Summary => "input " + ModelWriter.Literal(Shape.Of(InputShape));

    public override IEnumerable<string> SpecEntries => ["InputShape = InputShape.ToArray()"];

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) =>
    [
        Constructor,
        new("InputShape"),
        new(SpecField),
        Load,
        Reconstruct(model),
        Embed(model),
        Interpolate(model),
        Loss(model),
        DenoisingLoss(model),
        Fit(model),
        Evaluate(model),
    ];

    public static GeneratedMember Constructor { get; } = GeneratedMember.Method(".ctor", Seed);

    private static GeneratedMember Load { get; } = GeneratedMember.Method("Load", Path);

    /// <summary>One example: the input shape without the batch dimension.</summary>
    private string Example => ModelWriter.Literal(Shape.Of(InputShape));

    /// <summary>A batch of examples, e.g. <c>[N, 1, 28, 28]</c>.</summary>
    public string Batch => "[N, " + string.Join(", ", InputShape.Select(Literals.Of)) + "]";

    public override void WriteConstants(ModelWriter writer)
    {
        writer.Doc($"The shape of one example: {Example}.");
        writer.Code.Line($"public static global::System.ReadOnlySpan<long> InputShape => {Example};");
        writer.Code.Line();
    }

    public override void WriteApi(ModelWriter writer, ApiSection section)
    {
        var model = writer.Model;
        var latent = model.Find<LatentPart>()!;
        var labels = writer.LabelsArgument;
        string given = model.Find<ClassConditioningPart>() is null ? string.Empty : " of the given classes";
        if (section == ApiSection.Inference)
        {
            writer.Method(Reconstruct(model), "public Tensor", $"ReconstructBatch(x, {labels})", $"Reconstructs a batch <c>{Batch}</c>{given} from its deterministic code, without gradients in evaluation mode.");
            writer.Method(Embed(model), "public Tensor", $"EmbedBatch(x, {labels})", $"The code <c>[N, {latent.LatentDim}]</c> of each example{given} ({latent.EmbeddingNote}), without gradients in evaluation mode: the coordinates to plot.");
            var label = model.Find<ClassConditioningPart>() is null ? "label: null" : ClassConditioningPart.LabelName;
            writer.Method(Interpolate(model), "public Tensor", $"InterpolateExamples(a, b, steps, {label})", $"Decodes <paramref name=\"steps\"/> evenly spaced points on the line between the codes of two examples{(label == "label: null" ? string.Empty : " of one class")}.");
        }
        else if (section == ApiSection.Training)
        {
            var loss = latent.LossType;
            writer.Method(Loss(model), $"public {loss}", $"LossBatch(x, x, {labels})", $"The loss of reconstructing a batch <c>{Batch}</c> from itself; <c>Loss(x).Total.backward()</c> trains.");
            writer.Method(DenoisingLoss(model), $"public {loss}", $"LossBatch(input, target, {labels})", "The loss of reconstructing <paramref name=\"target\"/> from <paramref name=\"input\"/>, such as a corrupted copy when denoising.");
            var (trainLabels, validationLabels) = model.Find<ClassConditioningPart>() is null ? ("trainLabels: null", "validationLabels: null") : ("trainLabels", "validationLabels");
            writer.Method(
                Fit(model),
                "public global::AutoencoderDsl.Training.TrainingHistory",
                $"FitData(train, {trainLabels}, options, validation, {validationLabels}, progress, cancellationToken)",
                $"Trains on <paramref name=\"train\"/> <c>{Batch}</c> and returns one summary per epoch.",
                "The loss history, epochs restored from a checkpoint included.");
            writer.Method(Evaluate(model), "public global::AutoencoderDsl.LossMetrics", $"EvaluateData(data, {labels}, batchSize)", "The mean of each loss term over <paramref name=\"data\"/>, in evaluation mode and without gradients.");
            writer.Method(Load, $"public static {model.ClassName}", $"LoadInto(new {model.ClassName}(), path)", $"Builds a {model.ClassName} and loads parameters written by <c>Save</c>.");
        }
    }

    private static ApiParameter[] LabelsOf(ModelDescription model, string name = ClassConditioningPart.LabelsName, string of = "example") =>
        model.Find<ClassConditioningPart>() is { } condition ? [condition.Labels(name, of)] : [];

    private static ApiParameter Examples(string name, string doc) => new(ApiType.Tensor, name, doc);

    private GeneratedMember Reconstruct(ModelDescription model) => GeneratedMember.Method("Reconstruct", [Examples("x", $"A batch <c>{Batch}</c>."), .. LabelsOf(model)]);

    private GeneratedMember Embed(ModelDescription model) => GeneratedMember.Method("Embed", [Examples("x", $"A batch <c>{Batch}</c>."), .. LabelsOf(model)]);

    private GeneratedMember Interpolate(ModelDescription model) =>
        GeneratedMember.Method(
            "Interpolate",
            [
                Examples("a", $"One example {Example}, without a batch dimension."),
                Examples("b", "Another example of the same shape."),
                Steps,
                .. model.Find<ClassConditioningPart>() is { } condition ? [condition.Label("The class of both examples and of every point decoded")] : System.Array.Empty<ApiParameter>(),
            ]);

    private GeneratedMember Loss(ModelDescription model) => GeneratedMember.Method("Loss", [Examples("x", $"A batch <c>{Batch}</c>."), .. LabelsOf(model)]);

    private GeneratedMember DenoisingLoss(ModelDescription model) =>
        GeneratedMember.Method("Loss", [Examples("input", $"What the model sees, <c>{Batch}</c>."), Examples("target", "What it should reconstruct, of the same shape."), .. LabelsOf(model)]);

    private GeneratedMember Fit(ModelDescription model) =>
        GeneratedMember.Method(
            "Fit",
            [
                Examples("train", $"The training examples <c>{Batch}</c>."),
                .. LabelsOf(model, "trainLabels", "training example"),
                Options,
                new ApiParameter(ApiType.OptionalTensor, "validation", "Examples scored after every epoch; optional.", "null"),
                .. model.Find<ClassConditioningPart>() is { } condition ? [condition.Labels("validationLabels", "validation example", optional: true)] : System.Array.Empty<ApiParameter>(),
                Progress,
                Cancellation,
            ]);

    private GeneratedMember Evaluate(ModelDescription model) => GeneratedMember.Method("Evaluate", [Examples("data", $"The examples <c>{Batch}</c>."), .. LabelsOf(model), BatchSize]);
}
