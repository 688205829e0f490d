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

/// <summary>The result of applying a layer: an output shape or an error message.</summary>
public readonly record struct LayerOutcome(Shape? Output, string? Error)
{
    public static LayerOutcome Ok(Shape output) => new(output, null);

    public static LayerOutcome Fail(string error) => new(null, error);
}
