using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Parts;

/// <summary>What a loss term reads: the decoder's raw output, the target, the code and the likelihood.</summary>
/// <param name="Decoded">The decoder's raw output (logits when the sigmoid is fused).</param>
/// <param name="Target">What the output should reconstruct (the clean input, when denoising).</param>
/// <param name="Code">The code the decoder was given, and the posterior for a variational model.</param>
/// <param name="Likelihood">How the output is scored.</param>
/// <param name="LogScale">The learned log σ of a Gaussian likelihood, or null.</param>
/// <param name="Neighbourhood">The codes of each example's graph neighbour and the pool its negatives come from, for a model with <see cref="NeighbourhoodTerm"/>; null otherwise.</param>
public sealed record LossInputs(Tensor Decoded, Tensor Target, LatentCode Code, LikelihoodModel Likelihood, Tensor? LogScale, NeighbourCodes? Neighbourhood = null);

/// <summary>
/// One term of a model's loss, contributed by one declared part. The total is Σ weight · term, each term kept in the
/// history under its <see cref="Name"/>, and each weight (when it varies) beside it.
/// </summary>
public abstract record LossTerm
{
    /// <summary>The term's name in losses, metrics and histories, e.g. <c>kl</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The term's value on one batch.</summary>
    public abstract Tensor Compute(LossInputs inputs);

    /// <summary>The term's weight while training epoch <paramref name="epoch"/> (from 1), or outside training when null.</summary>
    public abstract double WeightAt(int? epoch);

    /// <summary>
    /// <see cref="Compute"/> in PyTorch for a model scored by <paramref name="likelihood"/>: a Python expression of
    /// <c>decoded</c>, <c>target</c>, <c>z</c>, <c>mean</c>, <c>log_var</c> and <c>self</c>.
    /// </summary>
    public abstract string PyTorch(LikelihoodModel likelihood);

    /// <summary><see cref="WeightAt"/> in PyTorch: a Python expression of <c>epoch</c> (None outside training).</summary>
    public virtual string PyTorchWeight => FormattableString.Invariant($"{WeightAt(null):R}");
}

/// <summary>The negative log-likelihood of the target under the likelihood, in nats per example; weight 1.</summary>
public sealed record ReconstructionTerm : LossTerm
{
    /// <inheritdoc/>
    public override string Name => LossMetrics.ReconstructionName;

    /// <inheritdoc/>
    public override Tensor Compute(LossInputs inputs) => inputs.Likelihood.NegativeLogLikelihood(inputs.Decoded, inputs.Target, inputs.LogScale);

    /// <inheritdoc/>
    public override double WeightAt(int? epoch) => 1;

    /// <inheritdoc/>
    public override string PyTorch(LikelihoodModel likelihood) => likelihood.PyTorchNegativeLogLikelihood;
}

/// <summary>
/// KL(q(z|x) ‖ N(0, I)) in closed form, in nats per example, weighted by β. With a warm-up of w epochs, epoch e trains
/// with β · min(1, (e − 1) / w); evaluation always uses β.
/// </summary>
/// <param name="Beta">The weight; finite and at least 0.</param>
/// <param name="WarmupEpochs">The epochs over which the weight rises from 0 to β; 0 for none.</param>
public sealed record KlTerm(double Beta, int WarmupEpochs = 0) : LossTerm
{
    /// <summary>The checked weight.</summary>
    public double Beta { get; init; } = double.IsFinite(Beta) && Beta >= 0
        ? Beta
        : throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "Beta must be finite and at least 0.");

    /// <summary>The checked warm-up.</summary>
    public int WarmupEpochs { get; init; } = WarmupEpochs >= 0
        ? WarmupEpochs
        : throw new ArgumentOutOfRangeException(nameof(WarmupEpochs), WarmupEpochs, "The warm-up must be at least 0 epochs.");

    /// <inheritdoc/>
    public override string Name => LossMetrics.KlName;

    /// <inheritdoc/>
    public override Tensor Compute(LossInputs inputs) =>
        inputs.Code is { Mean: { } mean, LogVar: { } logVar }
            ? LossFunctions.GaussianKl(mean, logVar)
            : throw new InvalidOperationException("The KL term needs a variational code (a posterior mean and log-variance).");

    /// <inheritdoc/>
    public override double WeightAt(int? epoch) =>
        epoch is int current && WarmupEpochs > 0 ? Beta * Math.Min(1.0, (current - 1) / (double)WarmupEpochs) : Beta;

    /// <inheritdoc/>
    public override string PyTorch(LikelihoodModel likelihood) => "(-0.5 * (1 + log_var - mean.square() - log_var.exp()).sum(1)).mean()";

    /// <inheritdoc/>
    public override string PyTorchWeight => WarmupEpochs > 0
        ? FormattableString.Invariant($"{Beta:R} if epoch is None else {Beta:R} * min(1.0, (epoch - 1) / {WarmupEpochs})")
        : base.PyTorchWeight;
}

/// <summary>
/// A sparsity penalty on a deterministic code: with <see cref="Target"/> unset, the L1 norm of each code (per example);
/// with it set, Σⱼ KL(ρ ‖ ρ̂ⱼ) between the target and each unit's mean activation over the batch (the code then holds
/// sigmoid activations). Weighted by <paramref name="Weight"/>.
/// </summary>
/// <param name="Weight">The penalty's weight; positive and finite.</param>
/// <param name="Target">The target mean activation in (0, 1), or null for the L1 penalty.</param>
public sealed record SparsityTerm(double Weight, double? Target = null) : LossTerm
{
    /// <summary>The checked weight.</summary>
    public double Weight { get; init; } = double.IsFinite(Weight) && Weight > 0
        ? Weight
        : throw new ArgumentOutOfRangeException(nameof(Weight), Weight, "The sparsity weight must be positive and finite.");

    /// <summary>The checked target.</summary>
    public double? Target { get; init; } = Target is double target && !(target > 0 && target < 1)
        ? throw new ArgumentOutOfRangeException(nameof(Target), target, "The sparsity target must lie in (0, 1).")
        : Target;

    /// <summary>The name of the sparsity term.</summary>
    public const string TermName = "sparsity";

    /// <inheritdoc/>
    public override string Name => TermName;

    /// <inheritdoc/>
    public override Tensor Compute(LossInputs inputs) =>
        Target is double target ? LossFunctions.SparsityKl(inputs.Code.Z, target) : LossFunctions.L1(inputs.Code.Z);

    /// <inheritdoc/>
    public override string PyTorch(LikelihoodModel likelihood) => Target is double target
        ? FormattableString.Invariant($"sparsity_kl(z, {target:R})")
        : "z.abs().sum() / z.shape[0]";

    /// <inheritdoc/>
    public override double WeightAt(int? epoch) => Weight;
}
