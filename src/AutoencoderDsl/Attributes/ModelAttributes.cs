using System;

namespace AutoencoderDsl;

/// <summary>How the decoder's output is scored against the target.</summary>
public enum Likelihood
{
    /// <summary>Each element is a probability in [0, 1]; the loss is binary cross-entropy (nats).</summary>
    Bernoulli,

    /// <summary>Each element is the mean of a unit-variance Gaussian; the loss is half the squared error.</summary>
    Gaussian,
}

/// <summary>Declares a deterministic autoencoder: the encoder's features map linearly to a code of <see cref="LatentDim"/> numbers.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AutoencoderAttribute : Attribute
{
    /// <summary>The number of numbers in the latent code.</summary>
    public int LatentDim { get; set; }

    /// <summary>How reconstructions are scored; <see cref="Likelihood.Bernoulli"/> unless set.</summary>
    public Likelihood Likelihood { get; set; } = Likelihood.Bernoulli;
}

/// <summary>Declares a variational autoencoder whose loss is the negative ELBO with a weighted KL term.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class VariationalAttribute : Attribute
{
    /// <summary>The number of latent dimensions.</summary>
    public int LatentDim { get; set; }

    /// <summary>The weight of the KL term (1 for a plain VAE, more for a β-VAE).</summary>
    public double Beta { get; set; } = 1.0;

    /// <summary>How reconstructions are scored; <see cref="Likelihood.Bernoulli"/> unless set.</summary>
    public Likelihood Likelihood { get; set; } = Likelihood.Bernoulli;
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
