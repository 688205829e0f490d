using System;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>The loss terms, each summed over an example's elements and averaged over the batch (nats per example).</summary>
public static class LossFunctions
{
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

    /// <summary>Negative log-likelihood under a unit-variance Gaussian, without its constant: half the squared error.</summary>
    public static Tensor Gaussian(Tensor mean, Tensor target) =>
        0.5 * (mean - target).square().sum() / mean.shape[0];

    /// <summary>KL(N(mean, exp(logVar)) ‖ N(0, I)) in closed form: -½ Σ (1 + logVar − mean² − exp(logVar)).</summary>
    public static Tensor GaussianKl(Tensor mean, Tensor logVar) =>
        -0.5 * (1 + logVar - mean.square() - logVar.exp()).sum() / mean.shape[0];
}
