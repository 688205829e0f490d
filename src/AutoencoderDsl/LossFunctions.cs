using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>The loss terms, each summed over an example's elements and averaged over the batch (nats per example).</summary>
public static class LossFunctions
{
    /// <summary>Binary cross-entropy of <paramref name="target"/> under Bernoulli(sigmoid(<paramref name="logits"/>)), computed stably from logits.</summary>
    public static Tensor BernoulliFromLogits(Tensor logits, Tensor target) =>
        nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.Sum) / logits.shape[0];

    /// <summary>Binary cross-entropy from probabilities; libtorch clamps each log term at -100, so a saturated 0 or 1 stays finite.</summary>
    public static Tensor BernoulliFromProbabilities(Tensor probabilities, Tensor target) =>
        nn.functional.binary_cross_entropy(probabilities, target, reduction: nn.Reduction.Sum) / probabilities.shape[0];

    /// <summary>Negative log-likelihood under a unit-variance Gaussian, without its constant: half the squared error.</summary>
    public static Tensor Gaussian(Tensor mean, Tensor target) =>
        0.5 * (mean - target).square().sum() / mean.shape[0];

    /// <summary>KL(N(mean, exp(logVar)) ‖ N(0, I)) in closed form: -½ Σ (1 + logVar − mean² − exp(logVar)).</summary>
    public static Tensor GaussianKl(Tensor mean, Tensor logVar) =>
        -0.5 * (1 + logVar - mean.square() - logVar.exp()).sum() / mean.shape[0];
}
