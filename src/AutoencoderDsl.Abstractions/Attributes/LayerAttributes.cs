using System;

namespace AutoencoderDsl;

/// <summary>
/// A layer of an <c>Encoder</c> or <c>Decoder</c> property. Layers apply in the order they are written,
/// so one property carries many of them, the same kind repeated as often as needed.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
}

/// <summary>A fully connected layer on the last dimension (<c>torch.nn.Linear</c>).</summary>
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>Declares a dense layer with <paramref name="outFeatures"/> outputs.</summary>
    public DenseAttribute(int outFeatures) => OutFeatures = outFeatures;

    /// <summary>The number of output features.</summary>
    public int OutFeatures { get; }
}

/// <summary>Flattens every dimension of an example into one (<c>torch.nn.Flatten</c>).</summary>
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>Splits the features of an example into the given dimensions (<c>torch.nn.Unflatten</c>).</summary>
public sealed class UnflattenAttribute : LayerAttribute
{
    /// <summary>Declares the shape the features are split into.</summary>
    public UnflattenAttribute(params int[] dims) => Dims = dims;

    /// <summary>The shape of one example after the layer.</summary>
    public int[] Dims { get; }
}

/// <summary>max(0, x).</summary>
public sealed class ReLUAttribute : LayerAttribute
{
}

/// <summary>max(0, x) + slope · min(0, x).</summary>
public sealed class LeakyReLUAttribute : LayerAttribute
{
    /// <summary>Declares a leaky ReLU with the given negative slope.</summary>
    public LeakyReLUAttribute(double negativeSlope = 0.01) => NegativeSlope = negativeSlope;

    /// <summary>The slope for negative inputs.</summary>
    public double NegativeSlope { get; }
}

/// <summary>The Gaussian error linear unit.</summary>
public sealed class GELUAttribute : LayerAttribute
{
}

/// <summary>x · sigmoid(x), also called swish.</summary>
public sealed class SiLUAttribute : LayerAttribute
{
}

/// <summary>The hyperbolic tangent.</summary>
public sealed class TanhAttribute : LayerAttribute
{
}

/// <summary>The logistic function, bounding outputs to [0, 1].</summary>
public sealed class SigmoidAttribute : LayerAttribute
{
}

/// <summary>Zeroes each element with probability <see cref="P"/> while training.</summary>
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Declares dropout with drop probability <paramref name="p"/>.</summary>
    public DropoutAttribute(double p = 0.5) => P = p;

    /// <summary>The probability that an element is zeroed.</summary>
    public double P { get; }
}

/// <summary>Batch normalisation over the feature dimension (<c>torch.nn.BatchNorm1d</c>).</summary>
public sealed class BatchNormAttribute : LayerAttribute
{
}
