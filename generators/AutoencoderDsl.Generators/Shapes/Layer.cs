using System;

namespace AutoencoderDsl.Generators.Shapes;

/// <summary>
/// One declared layer: its argument checks, its shape rule (libtorch's arithmetic) and the TorchSharp expression that
/// builds it. Adding a layer kind means adding one record and one line in <see cref="LayerCatalog"/>.
/// </summary>
public abstract record Layer
{
    /// <summary>
    /// The most elements one weight tensor may hold: TorchSharp moves a tensor's data through a single .NET span when it
    /// saves or loads it, and a span holds at most 2³¹ − 1 bytes.
    /// </summary>
    public const long MaxWeightElements = int.MaxValue / sizeof(float);

    /// <summary>The attribute name a user writes, e.g. <c>Dense</c>.</summary>
    public abstract string Name { get; }

    /// <summary>True for layers that only move elements around, so an element-wise function commutes with them.</summary>
    public virtual bool RearrangesOnly => false;

    /// <summary>Why the layer's own arguments are invalid, whatever its input; null when they are valid.</summary>
    public virtual LayerOutcome? Validate() => null;

    /// <summary>
    /// The shape of one example after this layer, or why the layer cannot take <paramref name="input"/>: its arguments,
    /// its rank rule, or a shape or weight too large for 64-bit arithmetic or for TorchSharp.
    /// </summary>
    public LayerOutcome Apply(Shape input)
    {
        if (Validate() is { } invalid)
        {
            return invalid;
        }

        try
        {
            var outcome = Infer(input);
            if (outcome.Output is { } output)
            {
                _ = output.Size;
                long weight = LargestWeight(input);
                if (weight > MaxWeightElements)
                {
                    return LayerOutcome.Fail(
                        ShapeErrorKind.TooLarge,
                        FormattableString.Invariant($"{Name} on {input} would need a weight of {weight} elements, more than the {MaxWeightElements} that TorchSharp can save in one tensor; make the layer or its input smaller."));
                }
            }

            return outcome;
        }
        catch (OverflowException)
        {
            return LayerOutcome.Fail(
                ShapeErrorKind.TooLarge,
                $"{Name} on {input} gives a shape or weight too large to count in 64-bit arithmetic; make the layer or its input smaller.");
        }
    }

    /// <summary>The TorchSharp expression (under <c>using static TorchSharp.torch</c>) that builds this layer for <paramref name="input"/>.</summary>
    public abstract string Construct(Shape input);

    /// <summary>The expression that builds this layer in a stack, right after <paramref name="previous"/> (null for the first layer).</summary>
    public virtual string Construct(Shape input, Layer? previous) => Construct(input);

    /// <summary>
    /// True when this layer's backward pass needs its input and weights but not its output, so an activation right
    /// after it may overwrite that output in place: one tensor and one pass over memory fewer per batch.
    /// </summary>
    public virtual bool OutputNotNeededForBackward => false;

    /// <summary>
    /// The C# expression of the runtime's description of this layer (an <c>AutoencoderDsl.Architecture.Layer</c>) at
    /// declared position <paramref name="index"/>, from which the model is exported to PyTorch and ONNX.
    /// </summary>
    public abstract string Describe(int index, Shape input, Shape output);

    /// <summary>The runtime's architecture namespace, as generated code names it.</summary>
    protected const string Architecture = "global::AutoencoderDsl.Export.";

    /// <summary>The shape rule for valid arguments; arithmetic that could overflow must be <c>checked</c>.</summary>
    protected abstract LayerOutcome Infer(Shape input);

    /// <summary>The element count of the layer's largest weight for <paramref name="input"/>; 0 for a layer without one.</summary>
    protected virtual long LargestWeight(Shape input) => 0;

    protected static string Literal(double value) => Literals.Of(value);

    protected static string Literal(long value) => Literals.Of(value);
}

/// <summary>What kind of mistake a shape error is; each kind has its own diagnostic.</summary>
public enum ShapeErrorKind
{
    /// <summary>A non-positive dimension, size, kernel or stride, a non-finite number, or a probability outside [0, 1).</summary>
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

    /// <summary>A shape or weight overflows 64-bit arithmetic or exceeds what TorchSharp can hold in one tensor.</summary>
    TooLarge,
}

/// <summary>The result of applying a layer: an output shape, or an error and its kind.</summary>
public readonly record struct LayerOutcome(Shape? Output, ShapeErrorKind ErrorKind, string? Error)
{
    public static LayerOutcome Ok(Shape output) => new(output, default, null);

    public static LayerOutcome Fail(ShapeErrorKind kind, string error) => new(null, kind, error);
}
