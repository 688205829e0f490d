using System;

namespace AutoencoderDsl;

/// <summary>How the decoder's output is scored against the target.</summary>
public enum Likelihood
{
    /// <summary>Each element is a probability in [0, 1]; the loss is binary cross-entropy (nats).</summary>
    Bernoulli,

    /// <summary>
    /// Each element is the mean of a Gaussian. Without <see cref="ModelAttribute.Sigma"/> or
    /// <see cref="ModelAttribute.LearnedVariance"/> the loss is half the squared error: the negative log-likelihood of
    /// a unit-variance Gaussian without its constant ½·log 2π per element. With either, it is the full negative
    /// log-likelihood in nats.
    /// </summary>
    Gaussian,
}

/// <summary>What <see cref="AutoencoderAttribute"/> and <see cref="VariationalAttribute"/> share: the code and the likelihood.</summary>
public abstract class ModelAttribute : Attribute
{
    /// <summary>The number of numbers in the latent code.</summary>
    public int LatentDim { get; set; }

    /// <summary>How reconstructions are scored; <see cref="Likelihood.Bernoulli"/> unless set.</summary>
    public Likelihood Likelihood { get; set; } = Likelihood.Bernoulli;

    /// <summary>
    /// For <see cref="Likelihood.Gaussian"/>: the fixed standard deviation of every output element, so the loss is the
    /// full negative log-likelihood in nats. Positive; unset (0) means unit variance without the constant.
    /// </summary>
    public double Sigma { get; set; }

    /// <summary>
    /// For <see cref="Likelihood.Gaussian"/>: learn the standard deviation, one σ shared by every output element
    /// (state-dict name <c>log_scale</c>, holding log σ), so the loss is the full negative log-likelihood in nats.
    /// One shared σ converges to the root mean squared error; one per element could shrink without bound on
    /// elements that never vary, such as the blank border of an image.
    /// </summary>
    public bool LearnedVariance { get; set; }
}

/// <summary>Declares a deterministic autoencoder: the encoder's features map linearly to a code of <see cref="ModelAttribute.LatentDim"/> numbers.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AutoencoderAttribute : ModelAttribute
{
}

/// <summary>Declares a variational autoencoder whose loss is the negative ELBO with a weighted KL term.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class VariationalAttribute : ModelAttribute
{
    /// <summary>The weight of the KL term (1 for a plain VAE, more for a β-VAE); finite and at least 0.</summary>
    public double Beta { get; set; } = 1.0;

    /// <summary>
    /// The number of epochs over which the KL weight rises linearly from 0 to <see cref="Beta"/>: epoch e (from 1)
    /// trains with β · min(1, (e − 1) / KlWarmupEpochs). 0, the default, trains with <see cref="Beta"/> from the start.
    /// </summary>
    public int KlWarmupEpochs { get; set; }
}

/// <summary>The shape of one example, without the batch dimension: <c>[Input(784)]</c> or <c>[Input(1, 28, 28)]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    /// <summary>Declares the shape of one example.</summary>
    public InputAttribute(params int[] dims) => Dims = dims;

    /// <summary>The dimensions of one example.</summary>
    public int[] Dims { get; }
}

/// <summary>
/// Declares a vector-quantized autoencoder (VQ-VAE, van den Oord et al. 2017): the encoder's output is mapped to
/// <see cref="ModelAttribute.LatentDim"/> channels, and every vector (of a feature vector, or at every position of a
/// sequence or feature map) is replaced by its nearest of <see cref="Codes"/> learned codes. <c>Encode</c> gives the code
/// indices, <c>Decode</c> takes them, and <c>Sample</c> draws them from a prior fitted on the training codes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class VectorQuantizedAttribute : ModelAttribute
{
    /// <summary>K, the number of codes in the codebook; at least 2.</summary>
    public int Codes { get; set; } = 512;

    /// <summary>β, the weight of the commitment term that keeps the encoder's output near its code; finite and at least 0 (the paper's 0.25 by default).</summary>
    public double Commitment { get; set; } = 0.25;

    /// <summary>
    /// Whether a code chosen by no example in a training epoch is moved, at the epoch's end, onto an encoder output of the
    /// epoch's last batch, so that it can be chosen again; on by default.
    /// </summary>
    public bool RestartDeadCodes { get; set; } = true;
}
