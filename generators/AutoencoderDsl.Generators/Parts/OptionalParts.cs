using System;
using System.Collections.Generic;
using System.Globalization;
using AutoencoderDsl.Export;
using AutoencoderDsl.Generators.Diagnostics;
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
    public const string TrainLabelsName = "trainLabels";
    public const string ValidationLabelsName = "validationLabels";
    public const string LabelName = "label";
    private const string ClassesName = "Classes";

    public override string DeclaredBy => "[ClassConditional]";

    public override string? Summary => $"conditioned on {Literals.Of(Classes)} classes";

    public override long ConditionWidth => Classes;

    public override IEnumerable<string> SpecEntries => ["Condition = new global::AutoencoderDsl.Parts.ClassCondition(Classes)"];

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => [new(ClassesName)];

    /// <summary>A condition needs at least two classes.</summary>
    public static void FindProblems(ClassConditionalAttribute conditional, AttributeProblems report)
    {
        if (conditional.Classes < 2)
        {
            report.Report(DiagnosticDescriptors.InvalidClassCount, nameof(ClassConditionalAttribute.Classes), ModelProblems.Number(conditional.Classes));
        }
    }

    /// <summary>The labels parameter of most public methods.</summary>
    /// <summary>Whether a generated method's parameter of this name takes a labels tensor, <c>Int64 [N]</c>.</summary>
    public static bool IsLabelsParameter(string name) => name is LabelsName or TrainLabelsName or ValidationLabelsName;

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

    /// <summary>A known noise at a level it can have, and a data range to clip to that is not empty (and finite for salt and pepper).</summary>
    public static void FindProblems(DenoisingAttribute denoising, AttributeProblems report)
    {
        void Report(string? argument, string message) => report.Report(DiagnosticDescriptors.InvalidNoise, argument, message);

        if (!Enum.IsDefined(typeof(Noise), denoising.Noise))
        {
            report.ReportAtPosition(DiagnosticDescriptors.InvalidNoise, 0, $"Noise is {(int)denoising.Noise}, which is none of Noise.Gaussian, Noise.Masking and Noise.SaltAndPepper");
        }
        else if (denoising.Noise == Noise.Gaussian && !(denoising.Level > 0 && !double.IsInfinity(denoising.Level)))
        {
            report.ReportAtPosition(DiagnosticDescriptors.InvalidNoise, 1, $"The level of Gaussian noise is its standard deviation, which must be positive and finite, but it is {ModelProblems.Number(denoising.Level)}");
        }
        else if (denoising.Noise != Noise.Gaussian && !(denoising.Level > 0 && denoising.Level < 1))
        {
            report.ReportAtPosition(DiagnosticDescriptors.InvalidNoise, 1, $"The level of {denoising.Noise} noise is the share of values it corrupts, which must lie in (0, 1), but it is {ModelProblems.Number(denoising.Level)}");
        }

        if (!(denoising.Min < denoising.Max))
        {
            Report(report.IsWritten(nameof(DenoisingAttribute.Max)) ? nameof(DenoisingAttribute.Max) : nameof(DenoisingAttribute.Min), $"The data range [{ModelProblems.Number(denoising.Min)}, {ModelProblems.Number(denoising.Max)}] is empty; Min must be below Max");
        }
        else if (denoising.Noise == Noise.SaltAndPepper && (double.IsInfinity(denoising.Min) || double.IsInfinity(denoising.Max)))
        {
            Report(null, "Salt-and-pepper noise sets values to Min and Max, so both must be finite");
        }
    }

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

    public override string? StateDictNote => LearnedScale ? $"<c>{StateNames.LogScale}</c> (log σ of the Gaussian likelihood)" : null;

    public override IEnumerable<string> SpecEntries =>
    [
        "Likelihood = " + (Likelihood == Likelihood.Bernoulli ? $"new global::AutoencoderDsl.Parts.BernoulliLikelihood(FromLogits: {(FromLogits ? "true" : "false")})"
            : LearnedScale ? "new global::AutoencoderDsl.Parts.GaussianLikelihood(LearnedScale: true)"
            : Sigma is double sigma ? $"new global::AutoencoderDsl.Parts.GaussianLikelihood(Sigma: {Literals.Of(sigma)})"
            : "new global::AutoencoderDsl.Parts.GaussianLikelihood()"),
    ];

    public override IEnumerable<string> LossTerms => ["new global::AutoencoderDsl.Parts.ReconstructionTerm()"];

    /// <summary>The model attribute's likelihood and its options: a σ only for a Gaussian, fixed or learned.</summary>
    public static void FindProblems(ModelAttribute model, AttributeProblems report)
    {
        if (!Enum.IsDefined(typeof(Likelihood), model.Likelihood))
        {
            report.Report(DiagnosticDescriptors.InvalidLikelihood, nameof(ModelAttribute.Likelihood), ((int)model.Likelihood).ToString(CultureInfo.InvariantCulture));
        }

        bool gaussian = model.Likelihood == Likelihood.Gaussian;
        bool sigmaWritten = report.IsWritten(nameof(ModelAttribute.Sigma));
        if (sigmaWritten)
        {
            if (!gaussian)
            {
                report.Report(DiagnosticDescriptors.LikelihoodOption, nameof(ModelAttribute.Sigma), FixKind.RemoveArgument, $"Sigma is the standard deviation of a Gaussian likelihood, but the likelihood is {model.Likelihood}; remove Sigma or declare Likelihood = Likelihood.Gaussian");
            }
            else if (!(model.Sigma > 0 && !double.IsInfinity(model.Sigma)))
            {
                report.Report(DiagnosticDescriptors.LikelihoodOption, nameof(ModelAttribute.Sigma), $"Sigma is {ModelProblems.Number(model.Sigma)}, but a standard deviation must be positive and finite");
            }
        }

        if (model.LearnedVariance)
        {
            if (!gaussian)
            {
                report.Report(DiagnosticDescriptors.LikelihoodOption, nameof(ModelAttribute.LearnedVariance), FixKind.RemoveArgument, $"LearnedVariance learns the standard deviation of a Gaussian likelihood, but the likelihood is {model.Likelihood}; remove LearnedVariance or declare Likelihood = Likelihood.Gaussian");
            }
            else if (sigmaWritten)
            {
                report.Report(DiagnosticDescriptors.LikelihoodOption, nameof(ModelAttribute.LearnedVariance), "A Gaussian likelihood takes a fixed Sigma or LearnedVariance = true, not both; remove one of them");
            }
        }
    }

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
            writer.Code.Line($"register_parameter(\"{StateNames.LogScale}\", {ScaleField});");
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

    public override IEnumerable<string> LossTerms =>
    [
        WarmupEpochs > 0 ? "new global::AutoencoderDsl.Parts.KlTerm(Beta, WarmupEpochs: KlWarmupEpochs)" : "new global::AutoencoderDsl.Parts.KlTerm(Beta)",
    ];

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => WarmupEpochs > 0 ? [new(BetaName), new(WarmupName)] : [new(BetaName)];

    /// <summary>β non-negative and finite, and a warm-up of no fewer than 0 epochs.</summary>
    public static void FindProblems(VariationalAttribute variational, AttributeProblems report)
    {
        if (!(variational.Beta >= 0 && !double.IsInfinity(variational.Beta)))
        {
            report.Report(DiagnosticDescriptors.InvalidBeta, nameof(VariationalAttribute.Beta), ModelProblems.Number(variational.Beta));
        }

        if (variational.KlWarmupEpochs < 0)
        {
            report.Report(DiagnosticDescriptors.InvalidWarmup, nameof(VariationalAttribute.KlWarmupEpochs), ModelProblems.Number(variational.KlWarmupEpochs));
        }
    }

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

    public override IEnumerable<string> LossTerms =>
    [
        Target is double target
            ? $"new global::AutoencoderDsl.Parts.SparsityTerm(Weight: {Literals.Of(Weight)}, Target: {Literals.Of(target)})"
            : $"new global::AutoencoderDsl.Parts.SparsityTerm(Weight: {Literals.Of(Weight)})",
    ];

    /// <summary>A sparse code needs a deterministic latent, and either an L1 weight or a target activation with its weight.</summary>
    public static void FindProblems(SparseAttribute sparse, bool variational, AttributeProblems report)
    {
        if (variational)
        {
            report.Report(DiagnosticDescriptors.SparsityWithoutDeterministicCode, null, FixKind.RemoveAttribute, report.TypeName);
        }

        bool l1 = report.IsWritten(nameof(SparseAttribute.L1));
        bool target = report.IsWritten(nameof(SparseAttribute.Target));
        void Report(string? argument, string message, FixKind? fix = null) => report.Report(DiagnosticDescriptors.InvalidSparsity, argument, fix, message);

        if (l1 == target)
        {
            Report(
                l1 ? nameof(SparseAttribute.Target) : null,
                l1
                    ? "[Sparse] takes L1 (a penalty on the code's L1 norm) or Target (a mean activation for each code unit), not both; remove one of them"
                    : "[Sparse] needs L1 = λ, a penalty on the code's L1 norm, or Target = ρ, a mean activation for each code unit, such as Target = 0.05");
        }

        if (l1 && !(sparse.L1 > 0 && !double.IsInfinity(sparse.L1)))
        {
            Report(nameof(SparseAttribute.L1), $"L1 is {ModelProblems.Number(sparse.L1)}, but the weight of the L1 penalty must be positive and finite, such as 1e-4");
        }

        if (target && !(sparse.Target > 0 && sparse.Target < 1))
        {
            Report(nameof(SparseAttribute.Target), $"Target is {ModelProblems.Number(sparse.Target)}, but a mean activation must lie in (0, 1), such as 0.05");
        }

        if (report.IsWritten(nameof(SparseAttribute.Weight)))
        {
            if (l1 && !target)
            {
                Report(nameof(SparseAttribute.Weight), "Weight weighs the penalty towards Target; the L1 penalty's weight is L1 itself, so remove Weight", FixKind.RemoveArgument);
            }
            else if (!(sparse.Weight > 0 && !double.IsInfinity(sparse.Weight)))
            {
                Report(nameof(SparseAttribute.Weight), $"Weight is {ModelProblems.Number(sparse.Weight)}, but the weight of the sparsity penalty must be positive and finite");
            }
        }
    }
}

/// <summary>
/// <c>[Neighbourhood]</c>: UMAP's fuzzy-graph cross-entropy, or InfoNCE, between the code and the k-nearest-neighbour
/// graph of the training inputs, weighted by <paramref name="Weight"/>, on a deterministic code or a posterior mean.
/// </summary>
public sealed record NeighbourhoodPart(double Weight, int Neighbours, double MinDistance, int NegativeSamples, NeighbourhoodLoss Loss) : Part
{
    // A reader of the class wants the term's weight and k, as β and the class count before them; the curve's minimum
    // distance, the negatives per step and the loss are the term's own settings, in its spec entry.
    private const string WeightName = "NeighbourhoodWeight";
    private const string NeighboursName = "Neighbours";

    public override string DeclaredBy => "[Neighbourhood]";

    public override string? Summary => $"{Literals.Of(Neighbours)}-nearest-neighbour graph kept in the code by {(Loss == NeighbourhoodLoss.Contrastive ? "InfoNCE" : "UMAP's loss")} (weight {Literals.Of(Weight)}, minimum distance {Literals.Of(MinDistance)})";

    public override IEnumerable<string> LossTerms =>
    [
        $"new global::AutoencoderDsl.Parts.NeighbourhoodTerm(Weight: {WeightName}, Neighbours: {NeighboursName}, MinDistance: {Literals.Of(MinDistance)}, NegativeSamples: {Literals.Of(NegativeSamples)}, Loss: global::AutoencoderDsl.NeighbourhoodLoss.{Loss})",
    ];

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => [new(WeightName), new(NeighboursName)];

    /// <summary>
    /// The runtime term's ranges: a positive finite weight, k of at least 2, a minimum distance in [0, 1), at least one
    /// negative, a defined loss, and no negative count written beside the loss that does not read it.
    /// </summary>
    public static void FindProblems(NeighbourhoodAttribute neighbourhood, AttributeProblems report)
    {
        void Report(string argument, string message) => report.Report(DiagnosticDescriptors.InvalidNeighbourhood, argument, message);

        if (neighbourhood.Neighbours < 2)
        {
            Report(nameof(NeighbourhoodAttribute.Neighbours), $"Neighbours is {ModelProblems.Number(neighbourhood.Neighbours)}, but the graph joins each training example to its k nearest others and needs k of at least 2, such as Neighbours = 15");
        }

        if (!(neighbourhood.Weight > 0 && !double.IsInfinity(neighbourhood.Weight)))
        {
            Report(nameof(NeighbourhoodAttribute.Weight), $"Weight is {ModelProblems.Number(neighbourhood.Weight)}, but the weight of the neighbourhood term must be positive and finite, such as Weight = 1");
        }

        if (!(neighbourhood.MinDistance >= 0 && neighbourhood.MinDistance < 1))
        {
            Report(nameof(NeighbourhoodAttribute.MinDistance), $"MinDistance is {ModelProblems.Number(neighbourhood.MinDistance)}, but UMAP's minimum distance between neighbours' codes must lie in [0, 1), such as MinDistance = 0.1");
        }

        if (neighbourhood.NegativeSamples < 1)
        {
            Report(nameof(NeighbourhoodAttribute.NegativeSamples), $"NegativeSamples is {ModelProblems.Number(neighbourhood.NegativeSamples)}, but each example needs at least 1 code to be pushed away from, such as NegativeSamples = 5");
        }

        if (!Enum.IsDefined(typeof(NeighbourhoodLoss), neighbourhood.Loss))
        {
            Report(nameof(NeighbourhoodAttribute.Loss), $"Loss is {(int)neighbourhood.Loss}, which is neither NeighbourhoodLoss.Umap nor NeighbourhoodLoss.Contrastive");
        }
        else if (neighbourhood.Loss == NeighbourhoodLoss.Contrastive && report.IsWritten(nameof(NeighbourhoodAttribute.NegativeSamples)))
        {
            Report(nameof(NeighbourhoodAttribute.NegativeSamples), "NegativeSamples is UMAP's negative sample rate, but the contrastive loss pushes each example from every other code of the batch and reads no such count; remove NegativeSamples, or declare Loss = NeighbourhoodLoss.Umap");
        }
    }

    public override void WriteConstants(ModelWriter writer)
    {
        writer.Doc("The weight of the neighbourhood term in the loss.");
        writer.Code.Line($"public const double {WeightName} = {Literals.Of(Weight)};");
        writer.Code.Line();
        writer.Doc("k, the nearest training examples each example's neighbour graph joins it to.");
        writer.Code.Line($"public const int {NeighboursName} = {Literals.Of(Neighbours)};");
        writer.Code.Line();
    }
}
