using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// The loss terms' formulas. Likelihood terms are summed over an example's elements and averaged over the batch
/// (nats per example); the sparsity penalties are averaged the same way where they are per example.
/// </summary>
public static class LossFunctions
{
    /// <summary>½·log 2π, the constant of a Gaussian's negative log-likelihood per element.</summary>
    public static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>Keeps a mean activation inside (0, 1), where the sparsity divergence is finite.</summary>
    private const double ActivationFloor = 1e-6;

    /// <summary>Binary cross-entropy of <paramref name="target"/> under Bernoulli(sigmoid(<paramref name="logits"/>)), computed stably from logits.</summary>
    public static Tensor BernoulliFromLogits(Tensor logits, Tensor target) =>
        nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.Sum) / logits.shape[0];

    /// <summary>Binary cross-entropy from probabilities; libtorch clamps each log term at -100, so a saturated 0 or 1 stays finite.</summary>
    /// <exception cref="InvalidOperationException">A probability lies outside [0, 1]: the decoder's output is not bounded.</exception>
    public static Tensor BernoulliFromProbabilities(Tensor probabilities, Tensor target)
    {
        try
        {
            return nn.functional.binary_cross_entropy(probabilities, target, reduction: nn.Reduction.Sum) / probabilities.shape[0];
        }
        catch (ExternalException error) when (error.Message.Contains("between 0 and 1", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                "A Bernoulli likelihood needs decoder outputs in [0, 1], but the decoder produced values outside that range. "
                + "End the decoder with Sigmoid, or declare Likelihood = Likelihood.Gaussian.",
                error);
        }
    }

    /// <summary>
    /// Half the squared error per example: the negative log-likelihood under a unit-variance Gaussian without its
    /// constant ½·log 2π per element. Not a likelihood in nats; use <see cref="GaussianNll(Tensor, Tensor, double)"/> for one.
    /// </summary>
    public static Tensor Gaussian(Tensor mean, Tensor target) =>
        HeldScalars.Half * (mean - target).square().sum() / mean.shape[0];

    /// <summary>
    /// The negative log-likelihood in nats of <paramref name="target"/> under N(<paramref name="mean"/>, σ²) per element:
    /// Σ [(x − μ)² / 2σ² + log σ + ½·log 2π] per example, averaged over the batch.
    /// </summary>
    public static Tensor GaussianNll(Tensor mean, Tensor target, double sigma)
    {
        long elements = mean.numel() / mean.shape[0];
        return ((mean - target).square().sum() / (2 * sigma * sigma * mean.shape[0])) + (elements * (Math.Log(sigma) + HalfLogTwoPi));
    }

    /// <summary>As <see cref="GaussianNll(Tensor, Tensor, double)"/> with a learned σ = exp(<paramref name="logSigma"/>), a tensor that broadcasts against the output.</summary>
    public static Tensor GaussianNll(Tensor mean, Tensor target, Tensor logSigma)
    {
        var perElement = (HeldScalars.Half * (mean - target).square() * (HeldScalars.NegativeTwo * logSigma).exp()) + logSigma + HalfLogTwoPi;
        return perElement.sum() / mean.shape[0];
    }

    /// <summary>KL(N(mean, exp(logVar)) ‖ N(0, I)) in closed form, averaged over the batch: see <see cref="GaussianKlPerExample"/>.</summary>
    // One sum over the batch and one scale, not a sum per example, a scale and a mean: a kernel and an autograd node fewer.
    public static Tensor GaussianKl(Tensor mean, Tensor logVar) =>
        (HeldScalars.One + logVar - mean.square() - logVar.exp()).sum() * (-0.5 / mean.shape[0]);

    /// <summary>KL(N(mean, exp(logVar)) ‖ N(0, I)) of each example <c>[N, D]</c> in closed form, <c>[N]</c>: -½ Σⱼ (1 + logVar − mean² − exp(logVar)).</summary>
    public static Tensor GaussianKlPerExample(Tensor mean, Tensor logVar) =>
        HeldScalars.NegativeHalf * (HeldScalars.One + logVar - mean.square() - logVar.exp()).sum(1);

    /// <summary>The L1 norm of each code <c>[N, D]</c>, averaged over the batch.</summary>
    public static Tensor L1(Tensor code) => code.abs().sum() / code.shape[0];

    /// <summary>
    /// Σⱼ KL(Bernoulli(ρ) ‖ Bernoulli(ρ̂ⱼ)), where ρ̂ⱼ is code unit j's mean activation over the batch <c>[N, D]</c>
    /// (activations in (0, 1)) and ρ the <paramref name="target"/>: ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)).
    /// A penalty per batch, not per example: it measures the batch's mean activations.
    /// </summary>
    public static Tensor SparsityKl(Tensor activations, double target)
    {
        var meanActivation = activations.mean([0]).clamp(ActivationFloor, 1 - ActivationFloor);
        return ((target * (target / meanActivation).log()) + ((1 - target) * ((1 - target) / (1 - meanActivation)).log())).sum();
    }
}

/// <summary>
/// The constant scalars of every training step, made once. TorchSharp 0.107 frees a scalar converted implicitly from a
/// number in its finalizer, which may run on the finalizer thread while the native call reading it has not returned (the
/// scalar is garbage once its handle is read); under garbage-collection pressure (data workers reading a large data set)
/// that failed steps at random with "Unknown scalar type". A scalar held here is never collected.
/// </summary>
internal static class HeldScalars
{
    public static readonly Scalar Half = 0.5.ToScalar();
    public static readonly Scalar NegativeHalf = (-0.5).ToScalar();
    public static readonly Scalar One = 1.0.ToScalar();
    public static readonly Scalar NegativeTwo = (-2.0).ToScalar();
}
