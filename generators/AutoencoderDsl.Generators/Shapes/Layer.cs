using System.Globalization;

namespace AutoencoderDsl.Generators.Shapes;

/// <summary>
/// One declared layer: its shape rule (libtorch's arithmetic) and the TorchSharp expression that builds it.
/// Adding a layer kind means adding one record here and one entry in <see cref="LayerCatalog"/>.
/// </summary>
public abstract record Layer
{
    /// <summary>The attribute name a user writes, e.g. <c>Dense</c>.</summary>
    public abstract string Name { get; }

    /// <summary>True for layers that only move elements around, so an element-wise function commutes with them.</summary>
    public virtual bool RearrangesOnly => false;

    /// <summary>The shape of one example after this layer, or why the layer cannot take <paramref name="input"/>.</summary>
    public abstract LayerOutcome Apply(Shape input);

    /// <summary>The TorchSharp expression (under <c>using static TorchSharp.torch</c>) that builds this layer for <paramref name="input"/>.</summary>
    public abstract string Construct(Shape input);

    protected static string Literal(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    protected static string Literal(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What kind of mistake a shape error is; each kind has its own diagnostic.</summary>
public enum ShapeErrorKind
{
    /// <summary>A non-positive dimension, size, kernel or stride, or a probability outside [0, 1).</summary>
    InvalidArgument,

    /// <summary>A layer receives a rank it cannot take.</summary>
    WrongRank,

    /// <summary>A convolution or pooling would produce an empty output.</summary>
    EmptyOutput,

    /// <summary>An Unflatten or Reshape whose element count differs from its input's.</summary>
    ElementCountMismatch,

    /// <summary>The encoder does not end in a feature vector the latent heads can take.</summary>
    LatentInput,

    /// <summary>The decoder's output shape is not the input shape.</summary>
    OutputMismatch,
}

/// <summary>The result of applying a layer: an output shape, or an error and its kind.</summary>
public readonly record struct LayerOutcome(Shape? Output, ShapeErrorKind ErrorKind, string? Error)
{
    public static LayerOutcome Ok(Shape output) => new(output, default, null);

    public static LayerOutcome Fail(ShapeErrorKind kind, string error) => new(null, kind, error);
}
