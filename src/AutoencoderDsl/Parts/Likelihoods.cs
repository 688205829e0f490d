using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Parts;

/// <summary>How a model scores its decoder's output against the target, and what <c>Decode</c> returns.</summary>
public abstract record LikelihoodModel
{
    /// <summary>Whether the model learns a log σ that <see cref="NegativeLogLikelihood"/> needs.</summary>
    public virtual bool LearnsScale => false;

    /// <summary>What <c>Decode</c> returns for the decoder's raw output <paramref name="decoded"/>.</summary>
    public virtual Tensor Output(Tensor decoded) => decoded;

    /// <summary>The negative log-likelihood of <paramref name="target"/> per example, averaged over the batch.</summary>
    /// <param name="decoded">The decoder's raw output (logits when the sigmoid is fused).</param>
    /// <param name="target">What the output should reconstruct.</param>
    /// <param name="logScale">The learned log σ when <see cref="LearnsScale"/>; otherwise null.</param>
    public abstract Tensor NegativeLogLikelihood(Tensor decoded, Tensor target, Tensor? logScale);
}

/// <summary>
/// Binary cross-entropy in nats. With <paramref name="FromLogits"/> the generated decoder stops before its final
/// sigmoid, the loss is computed from the logits (stable where probabilities saturate) and <c>Decode</c> applies it.
/// </summary>
/// <param name="FromLogits">Whether the decoder's raw output is logits.</param>
public sealed record BernoulliLikelihood(bool FromLogits) : LikelihoodModel
{
    /// <inheritdoc/>
    public override Tensor Output(Tensor decoded) => FromLogits ? decoded.sigmoid() : decoded;

    /// <inheritdoc/>
    public override Tensor NegativeLogLikelihood(Tensor decoded, Tensor target, Tensor? logScale) =>
        FromLogits ? LossFunctions.BernoulliFromLogits(decoded, target) : LossFunctions.BernoulliFromProbabilities(decoded, target);
}

/// <summary>
/// A Gaussian around the decoder's output. With neither option set, half the squared error (unit variance, without the
/// constant); with <paramref name="Sigma"/>, the full negative log-likelihood in nats under that fixed σ; with
/// <paramref name="LearnedScale"/>, the same under one learned σ shared by every output element.
/// </summary>
/// <param name="Sigma">A fixed standard deviation, or null.</param>
/// <param name="LearnedScale">Whether σ is learned.</param>
public sealed record GaussianLikelihood(double? Sigma = null, bool LearnedScale = false) : LikelihoodModel
{
    /// <summary>Checks the options: at most one of them, and a positive finite σ.</summary>
    public double? Sigma { get; init; } = Sigma is double sigma && (!double.IsFinite(sigma) || sigma <= 0)
        ? throw new ArgumentOutOfRangeException(nameof(Sigma), sigma, "Sigma must be positive and finite.")
        : Sigma is not null && LearnedScale
            ? throw new ArgumentException("Give a fixed Sigma or a learned scale, not both.", nameof(Sigma))
            : Sigma;

    /// <inheritdoc/>
    public override bool LearnsScale => LearnedScale;

    /// <inheritdoc/>
    public override Tensor NegativeLogLikelihood(Tensor decoded, Tensor target, Tensor? logScale) =>
        LearnedScale ? LossFunctions.GaussianNll(decoded, target, logScale ?? throw new InvalidOperationException("A learned Gaussian scale needs its log σ parameter."))
        : Sigma is double sigma ? LossFunctions.GaussianNll(decoded, target, sigma)
        : LossFunctions.Gaussian(decoded, target);
}
