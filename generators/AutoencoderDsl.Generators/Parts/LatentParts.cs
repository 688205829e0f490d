using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Export;
using AutoencoderDsl.Generators.Diagnostics;
using AutoencoderDsl.Generators.Emit;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Shapes;

namespace AutoencoderDsl.Generators.Parts;

/// <summary>
/// The latent head: the linear maps from the encoder's features (joined with the condition) to the code. It decides the
/// runtime base class and the typed results of <c>Encode</c>, <c>forward</c> and <c>Loss</c>.
/// </summary>
public abstract record LatentPart(long LatentDim) : Part
{
    protected static readonly ApiParameter EncodeCoreInput = new(ApiType.Tensor, "x", "A batch of examples.");
    protected static readonly ApiParameter EncodeCoreCondition = new(ApiType.OptionalTensor, "condition", "The one-hot labels of a class-conditional model.");

    protected static GeneratedMethod EncodeCore { get; } = new("EncodeCore", [EncodeCoreInput, EncodeCoreCondition]);

    private const string LatentDimName = "LatentDim";

    protected const string LabelsName = ClassConditioningPart.LabelsName;

    /// <summary>The runtime class the model derives from.</summary>
    public abstract string BaseClass { get; }

    /// <summary>The typed loss that <c>Loss</c> returns.</summary>
    public abstract string LossType { get; }

    /// <summary>What <c>Embed</c> returns, for its documentation.</summary>
    public abstract string EmbeddingNote { get; }

    /// <summary>The model's kind for the class summary, e.g. <c>An autoencoder</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>What an anomaly score is for this kind of model, for its documentation.</summary>
    public abstract string ScoreNote { get; }

    public override string? Summary => $"latent code [{Literals.Of(LatentDim)}]";

    /// <summary>The runtime's head for this kind of code, as a C# expression of <c>LatentDim</c>.</summary>
    protected abstract string RuntimeHead { get; }

    public override IEnumerable<string> SpecEntries => [$"Latent = {RuntimeHead}"];

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) =>
        [new(LatentDimName), EncodeCore, .. model.InheritsApi ? [] : LabelledApi(model)];

    /// <summary><c>Encode</c>, <c>forward</c> and the kind's own public methods again, each taking the labels of a class-conditional model.</summary>
    protected abstract IEnumerable<ApiMethod> LabelledApi(ModelDescription model);

    /// <summary>The parameters of a method on a batch <c>x</c>: the batch, the labels, then <paramref name="others"/>.</summary>
    protected static EquatableArray<ApiParameter> Batched(ModelDescription model, params ApiParameter[] others) => Batched(model, "x", "A batch", others);

    /// <summary>The parameters of a method on a batch named <paramref name="name"/>: the batch, the labels, then <paramref name="others"/>.</summary>
    protected static EquatableArray<ApiParameter> Batched(ModelDescription model, string name, string what, params ApiParameter[] others) =>
        [new ApiParameter(ApiType.Tensor, name, $"{what} <c>{model.Find<CorePart>()!.Batch}</c>."), .. model.Find<ClassConditioningPart>()!.LabelsParameters, .. others];

    /// <summary>A linear head from the features the encoder gives (and the condition) to the code.</summary>
    protected static string Head(ModelWriter writer) =>
        $"nn.Linear({Literals.Of(writer.Shapes.EncoderOutput!.Last + writer.Model.Architecture.ConditionWidth)}, LatentDim)";

    public override void WriteConstants(ModelWriter writer)
    {
        writer.Doc("The width of the latent code.");
        writer.Code.Line($"public const int {LatentDimName} = {Literals.Of(LatentDim)};");
        writer.Code.Line();
    }

    /// <summary>The encoder's features, joined with the condition of a conditional model.</summary>
    protected static void WriteFeatures(ModelWriter writer) =>
        writer.Code.Line($"var features = {writer.WithCondition($"{writer.Model.Find<EncoderPart>()!.Field}.forward(x)")};");
}

/// <summary>A deterministic code: one linear head, state-dict name <c>code</c>; squashed by a sigmoid into (0, 1) when a sparsity target needs activations.</summary>
/// <param name="SquashedToUnitInterval">Whether the code passes through a sigmoid.</param>
public sealed record DeterministicLatentPart(long LatentDim, bool SquashedToUnitInterval) : LatentPart(LatentDim)
{
    private const string Field = "code";

    public override string DeclaredBy => "[Autoencoder]";

    public override string BaseClass => "global::AutoencoderDsl.AutoencoderModule";

    public override string LossType => "global::AutoencoderDsl.AutoencoderLoss";

    public override string EmbeddingNote => SquashedToUnitInterval ? "sigmoid activations in (0, 1)" : "the code itself";

    public override string ScoreNote => "by default the negative log-likelihood of the example's reconstruction from its code";

    public override string Kind => "An autoencoder";

    protected override string RuntimeHead => SquashedToUnitInterval
        ? "new global::AutoencoderDsl.Parts.DeterministicLatent(LatentDim, Squashed: true)"
        : "new global::AutoencoderDsl.Parts.DeterministicLatent(LatentDim)";

    public override string? StateDictNote => $"<c>{StateNames.Code}</c> (the latent head)";

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => [.. base.Members(model), new(Field)];

    protected override IEnumerable<ApiMethod> LabelledApi(ModelDescription model) =>
    [
        new(ApiSection.Coding, "public Tensor", "Encode", Batched(model), $"EncodeBatch(x, {LabelsName})", $"Maps a batch to its codes <c>[N, {Literals.Of(LatentDim)}]</c>."),
        new(ApiSection.Coding, "public global::AutoencoderDsl.AutoencoderOutput", "forward", Batched(model), $"ForwardBatch(x, {LabelsName})", "Encodes and decodes a batch, keeping the code."),
    ];

    public override void WriteFields(ModelWriter writer) =>
        writer.Code.Line($"private readonly global::TorchSharp.Modules.Linear {Field};");

    public override void WriteConstruction(ModelWriter writer) =>
        writer.Code.Line($"{Field} = {Head(writer)}; // [{Literals.Of(LatentDim)}]");

    public override void WriteRegistration(ModelWriter writer) =>
        writer.Code.Line($"register_module(\"{StateNames.Code}\", {Field});");

    public override void WriteImplementation(ModelWriter writer)
    {
        var code = writer.Code;
        code.Line("/// <inheritdoc/>");
        using (code.OpenBlock($"protected override Tensor {EncodeCore.Name}({EncodeCore.ParameterList})"))
        {
            WriteFeatures(writer);
            code.Line(SquashedToUnitInterval
                ? $"return {Field}.forward(features).sigmoid(); // activations in (0, 1), for the sparsity target"
                : $"return {Field}.forward(features);");
        }

        code.Line();
    }
}

/// <summary>A Gaussian posterior: linear heads for its mean and log-variance, state-dict names <c>mean</c> and <c>log_var</c>, and sampling from the prior.</summary>
public sealed record GaussianLatentPart(long LatentDim) : LatentPart(LatentDim)
{
    private const string MeanField = "mean";
    private const string LogVarField = "logVar";
    private static readonly ApiParameter Count = new(ApiType.Int, "count", "How many samples.");
    private static readonly ApiParameter Generator = new(ApiType.OptionalGenerator, "generator", "A seeded generator for repeatable samples; libtorch's global one when null.", "null");
    private static readonly ApiParameter LikelihoodSamples = new(ApiType.Int, "samples", "The k of the bound: posterior draws per example; at least 1.", "1000");
    private static readonly ApiParameter Components = new(ApiType.Int, "components", "The number of Gaussians in the mixture.", "10");
    private static readonly ApiParameter SamplerSeed = new(ApiType.Long, "seed", "Seeds the mixture's starting means.", "0");
    private static readonly ApiParameter BatchSize = new(ApiType.Int, "batchSize", "Examples encoded per pass.", "256");

    public override string DeclaredBy => "[Variational]";

    public override string BaseClass => "global::AutoencoderDsl.VariationalAutoencoderModule";

    public override string LossType => "global::AutoencoderDsl.VariationalLoss";

    public override string EmbeddingNote => "the posterior mean";

    public override string ScoreNote => "by default the negative ELBO of the example (with β = 1), or with importance samples the negative IWAE bound";

    public override string Kind => "A variational autoencoder";

    protected override string RuntimeHead => "new global::AutoencoderDsl.Parts.GaussianLatent(LatentDim)";

    public override string? StateDictNote => $"<c>{StateNames.Mean}</c> and <c>{StateNames.LogVar}</c> (the latent heads)";

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => [.. base.Members(model), new(MeanField), new(LogVarField)];

    protected override IEnumerable<ApiMethod> LabelledApi(ModelDescription model)
    {
        var condition = model.Find<ClassConditioningPart>()!;
        return
        [
            new(ApiSection.Coding, "public global::AutoencoderDsl.VariationalCode", "Encode", Batched(model), $"EncodeBatch(x, {LabelsName})", $"The posterior of each example: means and log-variances <c>[N, {Literals.Of(LatentDim)}]</c>."),
            new(ApiSection.Coding, "public global::AutoencoderDsl.VariationalOutput", "forward", Batched(model), $"ForwardBatch(x, {LabelsName})", "Encodes a batch, draws one code per example from its posterior, and decodes it."),

            // The runtime's Sample(count) serves the other models.
            new(
                ApiSection.Inference,
                "public Tensor",
                "Sample",
                [Count, condition.Label("The class of every sample"), Generator],
                $"SampleClass(count, {ClassConditioningPart.LabelName}, generator)",
                $"Decodes <paramref name=\"count\"/> codes drawn from the prior N(0, I) (or <c>Sampler</c> once fitted), all of class <paramref name=\"{ClassConditioningPart.LabelName}\"/>: new examples of a chosen kind."),
            new(
                ApiSection.Inference,
                "public Tensor",
                "Sample",
                [condition.Labels(LabelsName, "sample"), Generator],
                $"SampleLabels({LabelsName}, generator)",
                "Decodes one draw from the prior (or <c>Sampler</c> once fitted) for each label: new examples of the classes asked for."),
            new(
                ApiSection.Measurement,
                "public Tensor",
                "LogLikelihood",
                Batched(model, LikelihoodSamples),
                $"LogLikelihoodOf(x, {LabelsName}, samples)",
                "The importance-weighted estimate of log p(x) of each example, <c>[N]</c> float64 in nats (the IWAE bound): at least the ELBO, and tighter as <paramref name=\"samples\"/> grows. Deterministic: the draws are seeded privately."),
            new(
                ApiSection.Measurement,
                "public global::AutoencoderDsl.Evaluation.GaussianMixture",
                "FitSampler",
                Batched(model, "train", "The training examples", Components, SamplerSeed, BatchSize),
                $"FitSamplerOn(train, {LabelsName}, components, seed, batchSize)",
                "Fits <c>Sampler</c>, a Gaussian mixture on the posterior means of the training data, which <c>Sample</c> then draws codes from instead of the prior; it is saved with the model."),
        ];
    }

    public override void WriteFields(ModelWriter writer)
    {
        writer.Code.Line($"private readonly global::TorchSharp.Modules.Linear {MeanField};");
        writer.Code.Line($"private readonly global::TorchSharp.Modules.Linear {LogVarField};");
    }

    public override void WriteConstruction(ModelWriter writer)
    {
        writer.Code.Line($"{MeanField} = {Head(writer)}; // [{Literals.Of(LatentDim)}]");
        writer.Code.Line($"{LogVarField} = {Head(writer)}; // [{Literals.Of(LatentDim)}]");
    }

    public override void WriteRegistration(ModelWriter writer)
    {
        writer.Code.Line($"register_module(\"{StateNames.Mean}\", {MeanField});");
        writer.Code.Line($"register_module(\"{StateNames.LogVar}\", {LogVarField});");
    }

    public override void WriteImplementation(ModelWriter writer)
    {
        var code = writer.Code;
        code.Line("/// <inheritdoc/>");
        using (code.OpenBlock($"protected override (Tensor Mean, Tensor LogVar) {EncodeCore.Name}({EncodeCore.ParameterList})"))
        {
            WriteFeatures(writer);
            code.Line($"return ({MeanField}.forward(features), {LogVarField}.forward(features));");
        }

        code.Line();
    }
}

/// <summary>
/// A vector-quantized code (<c>[VectorQuantized]</c>): the encoder's output mapped to <c>LatentDim</c> channels, state-dict
/// name <c>code</c> (a linear map for a feature vector, a 1 × 1 convolution for a sequence or a feature map), then
/// replaced position by position by its nearest of <paramref name="Codes"/> codes by the runtime's quantizer, state-dict
/// name <c>quantizer</c>.
/// </summary>
/// <param name="Codes">K, the number of codes.</param>
/// <param name="RestartDeadCodes">Whether unchosen codes restart at the end of each training epoch.</param>
public sealed record VectorQuantizedLatentPart(long LatentDim, long Codes, bool RestartDeadCodes) : LatentPart(LatentDim)
{
    private const string Field = "code";
    private const string QuantizerField = "quantizer";
    private const string QuantizerProperty = "Quantizer";
    private const string CodesName = "Codes";
    private const string CodeShapeName = "CodeShape";

    public override string DeclaredBy => "[VectorQuantized]";

    public override string BaseClass => "global::AutoencoderDsl.VectorQuantizedModule";

    public override string LossType => "global::AutoencoderDsl.VectorQuantizedLoss";

    public override string EmbeddingNote => "the chosen codes, flattened";

    public override string ScoreNote => "by default the negative log-likelihood of the example's reconstruction from its quantized code";

    public override string Kind => "A vector-quantized autoencoder";

    public override string? Summary => $"{Literals.Of(Codes)} codes of width {Literals.Of(LatentDim)}";

    protected override string RuntimeHead =>
        $"new global::AutoencoderDsl.Parts.VectorQuantizedLatent(LatentDim, {CodesName}, {CodeShapeName}.ToArray(){(RestartDeadCodes ? string.Empty : ", RestartDeadCodes: false")})";

    public override string? StateDictNote => $"<c>{StateNames.Code}</c> (the map to the code width) and <c>{StateNames.Quantizer}</c> (its <c>codebook</c> and <c>usage</c>)";

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) =>
        [.. base.Members(model), new(Field), new(QuantizerField), new(QuantizerProperty), new(CodesName), new(CodeShapeName)];

    // A class-conditional quantized model is refused (ADSL041), so there is nothing to take labels.
    protected override IEnumerable<ApiMethod> LabelledApi(ModelDescription model) => [];

    public override void WriteConstants(ModelWriter writer)
    {
        base.WriteConstants(writer);
        writer.Doc("K, the number of codes in the codebook.");
        writer.Code.Line($"public const int {CodesName} = {Literals.Of(Codes)};");
        writer.Code.Line();
    }

    public override void WriteShapes(ModelWriter writer)
    {
        writer.Doc($"The shape of one example's quantized code, which the decoder receives: {writer.Shapes.CodeShape}.");
        writer.Code.Line($"public static global::System.ReadOnlySpan<long> {CodeShapeName} => [{string.Join(", ", writer.Shapes.CodeShape!.Dims.Select(Literals.Of))}];");
        writer.Code.Line();
    }

    public override void WriteFields(ModelWriter writer)
    {
        writer.Code.Line(Grid(writer) == 0
            ? $"private readonly global::TorchSharp.Modules.Linear {Field};"
            : $"private readonly global::TorchSharp.torch.nn.Module<Tensor, Tensor> {Field};");
        writer.Code.Line($"private readonly global::AutoencoderDsl.Parts.VectorQuantizer {QuantizerField};");
    }

    public override void WriteConstruction(ModelWriter writer)
    {
        var channels = Literals.Of(writer.Shapes.EncoderOutput!.Dims[0]);
        writer.Code.Line(Grid(writer) switch
        {
            0 => $"{Field} = nn.Linear({channels}, LatentDim); // {writer.Shapes.CodeShape}",
            int rank => $"{Field} = global::AutoencoderDsl.Convolutions.Conv{rank}d({channels}, LatentDim, kernel_size: 1); // {writer.Shapes.CodeShape}",
        });
        writer.Code.Line($"{QuantizerField} = new global::AutoencoderDsl.Parts.VectorQuantizer({CodesName}, LatentDim);");
    }

    public override void WriteRegistration(ModelWriter writer)
    {
        writer.Code.Line($"register_module(\"{StateNames.Code}\", {Field});");
        writer.Code.Line($"register_module(\"{StateNames.Quantizer}\", {QuantizerField});");
    }

    public override void WriteImplementation(ModelWriter writer)
    {
        var code = writer.Code;
        code.Line("/// <inheritdoc/>");
        code.Line($"public override global::AutoencoderDsl.Parts.VectorQuantizer {QuantizerProperty} => {QuantizerField};");
        code.Line();
        code.Line("/// <inheritdoc/>");
        code.Line($"protected override Tensor {EncodeCore.Name}({EncodeCore.ParameterList}) => {Field}.forward({writer.Model.Find<EncoderPart>()!.Field}.forward(x));");
        code.Line();
    }

    /// <summary>The rank of the grid of codes: 0 for a vector, 1 for a sequence, 2 for a feature map.</summary>
    private static int Grid(ModelWriter writer) => writer.Shapes.CodeShape!.Rank - 1;
}

/// <summary>
/// <c>[VectorQuantized]</c>'s two terms (van den Oord et al. 2017): the codebook term, which moves each chosen code
/// towards the encoder outputs that chose it, and the commitment term weighted by β, which keeps the encoder near its codes.
/// </summary>
public sealed record QuantizationPart(double Commitment) : Part
{
    private const string CommitmentName = "Commitment";

    public override string DeclaredBy => "[VectorQuantized]";

    public override string? Summary => $"commitment β = {Literals.Of(Commitment)}";

    public override IEnumerable<string> LossTerms =>
        ["new global::AutoencoderDsl.Parts.CodebookTerm()", $"new global::AutoencoderDsl.Parts.CommitmentTerm({CommitmentName})"];

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => [new(CommitmentName)];

    /// <summary>At least two codes, a finite non-negative commitment weight, and no part that needs a code of another kind.</summary>
    public static void FindProblems(VectorQuantizedAttribute quantized, AttributeProblems report)
    {
        if (quantized.Codes < 2)
        {
            report.Report(DiagnosticDescriptors.InvalidQuantizer, nameof(VectorQuantizedAttribute.Codes), $"Codes is {ModelProblems.Number(quantized.Codes)}, but a codebook needs at least 2 codes, such as 512");
        }

        if (!(quantized.Commitment >= 0 && !double.IsInfinity(quantized.Commitment)))
        {
            report.Report(DiagnosticDescriptors.InvalidQuantizer, nameof(VectorQuantizedAttribute.Commitment), $"Commitment is {ModelProblems.Number(quantized.Commitment)}, but the weight of the commitment term must be finite and at least 0, such as 0.25");
        }
    }

    public override void WriteConstants(ModelWriter writer)
    {
        writer.Doc("β, the weight of the commitment term in the loss.");
        writer.Code.Line($"public const double {CommitmentName} = {Literals.Of(Commitment)};");
        writer.Code.Line();
    }
}
