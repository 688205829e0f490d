using System.Collections.Generic;
using System.Globalization;
using AutoencoderDsl.Generators.Emit;
using AutoencoderDsl.Generators.Shapes;

namespace AutoencoderDsl.Generators.Parts;

/// <summary>
/// <c>[ClassConditional(Classes = n)]</c>: the one-hot label is joined to the encoder's features before the latent heads
/// and to the code before the decoder, and every public method takes the labels.
/// </summary>
public sealed record ClassConditioningPart(long Classes) : Part
{
    public const string LabelsName = "labels";
    public const string LabelName = "label";
    private const string ClassesName = "Classes";

    public override string DeclaredBy => "[ClassConditional]";

    public override string? Summary => $"conditioned on {Literals.Of(Classes)} classes";

    public override long ConditionWidth => Classes;

    public override IEnumerable<string> SpecEntries => ["Condition = new global::AutoencoderDsl.Parts.ClassCondition(Classes)"];

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => [new(ClassesName)];

    /// <summary>The labels parameter of most public methods.</summary>
    public IReadOnlyList<ApiParameter> LabelsParameters => [Labels(LabelsName, "example")];

    /// <summary>A labels parameter, <c>Int64 [N]</c>, for the examples or codes of <paramref name="of"/>.</summary>
    public ApiParameter Labels(string name, string of, bool optional = false) =>
        new(optional ? ApiType.OptionalTensor : ApiType.Tensor, name, $"The class of each {of}: <c>Int64 [N]</c>, each in [0, {Literals.Of(Classes)}).", optional ? "null" : null);

    /// <summary>A single label parameter.</summary>
    public ApiParameter Label(string what) => new(ApiType.Long, LabelName, $"{what}, in [0, {Literals.Of(Classes)}).");

    /// <summary>The features or code with the condition joined on.</summary>
    public string Join(string expression) => $"cat([{expression}, condition!], dim: 1)";

    public override void WriteConstants(ModelWriter writer)
    {
        writer.Doc("The number of classes the model is conditioned on.");
        writer.Code.Line($"public const int {ClassesName} = {Literals.Of(Classes)};");
        writer.Code.Line();
    }
}

/// <summary>
/// <c>[Denoising(noise, level)]</c>: while training, inputs are corrupted and clipped to the data range and the loss
/// compares the reconstruction with the clean input; <c>Denoise</c> cleans data that is already noisy.
/// </summary>
public sealed record DenoisingPart(Noise Noise, double Level, double Min, double Max) : Part
{
    public override string DeclaredBy => "[Denoising]";

    public override string? Summary => Noise switch
    {
        Noise.Gaussian => $"trained to remove Gaussian noise of σ = {Literals.Of(Level)}",
        Noise.Masking => $"trained to restore inputs with {Percent(Level)} of their values zeroed",
        _ => $"trained to remove salt-and-pepper noise on {Percent(Level)} of the values",
    };

    public override IEnumerable<string> SpecEntries =>
    [
        $"Corruption = new global::AutoencoderDsl.Parts.InputCorruption(global::AutoencoderDsl.Noise.{Noise}, Level: {Literals.Of(Level)}"
        + (Min == 0 ? string.Empty : $", Min: {Literals.Of(Min)}")
        + (Max == 1 ? string.Empty : $", Max: {Literals.Of(Max)}")
        + ")",
    ];

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => [Denoise(model)];

    private static ApiMethod Denoise(ModelDescription model)
    {
        var condition = model.Find<ClassConditioningPart>();
        return new(
            ApiSection.Inference,
            "public Tensor",
            "Denoise",
            [new ApiParameter(ApiType.Tensor, "x", $"Noisy examples <c>{model.Find<CorePart>()!.Batch}</c>."), .. condition?.LabelsParameters ?? []],
            $"ReconstructBatch(x, {(condition is null ? "labels: null" : ClassConditioningPart.LabelsName)})",
            "Cleans a batch of noisy examples: reconstructs each, without gradients in evaluation mode, where no noise is added.");
    }

    private static string Percent(double share) => (share * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %";
}

/// <summary>
/// The reconstruction term under the declared likelihood: Bernoulli (from logits when the decoder's final Sigmoid is
/// fused), or Gaussian as half the squared error, with a fixed σ or with one learned σ (a parameter, <c>log_scale</c>).
/// </summary>
public sealed record ReconstructionPart(Likelihood Likelihood, bool FromLogits, double? Sigma, bool LearnedScale) : Part
{
    private const string ScaleField = "logScale";
    private const string ScaleHook = "LogScale";

    public override string DeclaredBy => LearnedScale ? "LearnedVariance = true" : "every model";

    public override string? Summary => Likelihood == Likelihood.Bernoulli ? "Bernoulli likelihood"
        : LearnedScale ? "Gaussian likelihood with a learned σ"
        : Sigma is double sigma ? $"Gaussian likelihood with σ = {Literals.Of(sigma)}"
        : "Gaussian likelihood (half the squared error)";

    public override string? StateDictNote => LearnedScale ? "<c>log_scale</c> (log σ of the Gaussian likelihood)" : null;

    public override IEnumerable<string> SpecEntries =>
    [
        "Likelihood = " + (Likelihood == Likelihood.Bernoulli ? $"new global::AutoencoderDsl.Parts.BernoulliLikelihood(FromLogits: {(FromLogits ? "true" : "false")})"
            : LearnedScale ? "new global::AutoencoderDsl.Parts.GaussianLikelihood(LearnedScale: true)"
            : Sigma is double sigma ? $"new global::AutoencoderDsl.Parts.GaussianLikelihood(Sigma: {Literals.Of(sigma)})"
            : "new global::AutoencoderDsl.Parts.GaussianLikelihood()"),
    ];

    public override string? LossTerm => "new global::AutoencoderDsl.Parts.ReconstructionTerm()";

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => LearnedScale ? [new(ScaleField), new(ScaleHook)] : [];

    public override void WriteFields(ModelWriter writer)
    {
        if (LearnedScale)
        {
            writer.Code.Line($"private readonly global::TorchSharp.Modules.Parameter {ScaleField};");
        }
    }

    public override void WriteConstruction(ModelWriter writer)
    {
        if (LearnedScale)
        {
            writer.Code.Line($"{ScaleField} = nn.Parameter(zeros(1)); // log σ, one σ shared by every output element");
        }
    }

    public override void WriteRegistration(ModelWriter writer)
    {
        if (LearnedScale)
        {
            writer.Code.Line($"register_parameter(\"log_scale\", {ScaleField});");
        }
    }

    public override void WriteImplementation(ModelWriter writer)
    {
        if (LearnedScale)
        {
            writer.Code.Line("/// <inheritdoc/>");
            writer.Code.Line($"protected override Tensor? {ScaleHook} => {ScaleField};");
            writer.Code.Line();
        }
    }
}

/// <summary>
/// <c>[Variational]</c>'s KL term: KL(q(z|x) ‖ N(0, I)) weighted by β, rising linearly from 0 over the warm-up epochs.
/// </summary>
public sealed record KlPart(double Beta, int WarmupEpochs) : Part
{
    private const string BetaName = "Beta";
    private const string WarmupName = "KlWarmupEpochs";

    public override string DeclaredBy => "[Variational]";

    public override string? Summary => WarmupEpochs > 0
        ? $"β = {Literals.Of(Beta)} after a {Literals.Of(WarmupEpochs)}-epoch warm-up"
        : $"β = {Literals.Of(Beta)}";

    public override string? LossTerm => WarmupEpochs > 0
        ? "new global::AutoencoderDsl.Parts.KlTerm(Beta, WarmupEpochs: KlWarmupEpochs)"
        : "new global::AutoencoderDsl.Parts.KlTerm(Beta)";

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => WarmupEpochs > 0 ? [new(BetaName), new(WarmupName)] : [new(BetaName)];

    public override void WriteConstants(ModelWriter writer)
    {
        writer.Doc("The weight of the KL term in the loss.");
        writer.Code.Line($"public const double {BetaName} = {Literals.Of(Beta)};");
        writer.Code.Line();
        if (WarmupEpochs > 0)
        {
            writer.Doc($"The epochs over which the KL weight rises from 0 to <see cref=\"{BetaName}\"/>: epoch e trains with β · min(1, (e − 1) / {WarmupName}).");
            writer.Code.Line($"public const int {WarmupName} = {Literals.Of(WarmupEpochs)};");
            writer.Code.Line();
        }
    }
}

/// <summary>
/// <c>[Sparse]</c>: the L1 norm of the code times <paramref name="Weight"/>, or with a <paramref name="Target"/> the KL
/// divergence between it and each code unit's mean activation.
/// </summary>
public sealed record SparsityPart(double Weight, double? Target) : Part
{
    public override string DeclaredBy => "[Sparse]";

    public override string? Summary => Target is double target
        ? $"sparse code (mean activation {Literals.Of(target)}, weight {Literals.Of(Weight)})"
        : $"sparse code (L1 weight {Literals.Of(Weight)})";

    public override string? LossTerm => Target is double target
        ? $"new global::AutoencoderDsl.Parts.SparsityTerm(Weight: {Literals.Of(Weight)}, Target: {Literals.Of(target)})"
        : $"new global::AutoencoderDsl.Parts.SparsityTerm(Weight: {Literals.Of(Weight)})";
}
