using System;
using System.Linq;
using AutoencoderDsl.Generators.Model;
using static System.FormattableString;

namespace AutoencoderDsl.Generators.Shapes;

/// <summary>
/// What the 2-D layers share. Each takes one feature map [C, H, W] per example: generated models always pass a batch,
/// so libtorch sees [N, C, H, W]. libtorch would also read a 3-D tensor as a single unbatched map, which here would
/// mistake the batch for the channels, so any other per-example rank is a wrong rank.
/// </summary>
internal static class FeatureMap
{
    public static LayerOutcome? RequireRank(string layer, Shape input) =>
        input.Rank == 3
            ? null
            : LayerOutcome.Fail(
                ShapeErrorKind.WrongRank,
                input.Rank == 1
                    ? $"{layer} takes a feature map [C, H, W], but got the vector {input}; insert Unflatten(C, H, W) before it."
                    : $"{layer} takes a feature map [C, H, W], but got {input}; insert Reshape(C, H, W) before it.");

    /// <summary>
    /// A window sliding over the padded map, as libtorch's convolutions and pools compute it (floor mode): each side
    /// has ⌊(side + 2·padding − window) / stride⌋ + 1 positions, and a window larger than the padded side is an error.
    /// </summary>
    /// <param name="window">The span of the window in pixels, dilation included.</param>
    /// <param name="windowSource">The arguments that make up the window, for the message.</param>
    /// <param name="padded">Whether the layer has a Padding argument, to suggest it as a fix.</param>
    public static LayerOutcome Slide(string layer, Shape input, long outChannels, long window, long stride, long padding, string windowSource, bool padded)
    {
        long height = input[1] + (2 * padding);
        long width = input[2] + (2 * padding);
        if (height < window || width < window)
        {
            var paddingNote = padding > 0 ? Invariant($", {height} × {width} with Padding {padding}") : string.Empty;
            var fixes = padded ? "a smaller Kernel, more Padding" : "a smaller Kernel";
            return LayerOutcome.Fail(
                ShapeErrorKind.EmptyOutput,
                Invariant($"{layer} would output an empty map: its window spans {window} pixels ({windowSource}) but its input {input} is {input[1]} × {input[2]}{paddingNote}; use {fixes} or less downsampling before it."));
        }

        return LayerOutcome.Ok(new Shape(outChannels, ((height - window) / stride) + 1, ((width - window) / stride) + 1));
    }

    /// <summary>A named factory argument, left out at TorchSharp's default so generated code reads like hand-written code.</summary>
    public static string Optional(string name, long value, long fallback) => value == fallback ? string.Empty : Invariant($", {name}: {value}");
}

/// <summary><c>Conv2d(out, Kernel, Stride, Padding, Dilation)</c>: <c>nn.Conv2d</c> with a square kernel.</summary>
public sealed record Conv2dLayer(long OutChannels, long Kernel, long Stride, long Padding, long Dilation) : Layer
{
    public override string Name => "Conv2d";

    public override LayerOutcome Apply(Shape input) =>
        Require.Positive(Name, "number of output channels", OutChannels)
        ?? Require.Positive(Name, "Kernel", Kernel)
        ?? Require.Positive(Name, "Stride", Stride)
        ?? Require.NonNegative(Name, "Padding", Padding)
        ?? Require.Positive(Name, "Dilation", Dilation)
        ?? FeatureMap.RequireRank(Name, input)
        ?? FeatureMap.Slide(
            Name,
            input,
            OutChannels,
            window: (Dilation * (Kernel - 1)) + 1,
            Stride,
            Padding,
            Dilation == 1 ? Invariant($"Kernel {Kernel}") : Invariant($"Kernel {Kernel}, Dilation {Dilation}"),
            padded: true);

    public override string Construct(Shape input) =>
        $"nn.Conv2d({Literal(input[0])}, {Literal(OutChannels)}, kernel_size: {Literal(Kernel)}"
        + FeatureMap.Optional("stride", Stride, 1) + FeatureMap.Optional("padding", Padding, 0) + FeatureMap.Optional("dilation", Dilation, 1) + ")";
}

/// <summary>
/// <c>ConvTranspose2d(out, Kernel, Stride, Padding, OutputPadding)</c>: <c>nn.ConvTranspose2d</c> with a square kernel;
/// each side becomes (side − 1)·Stride − 2·Padding + Kernel + OutputPadding.
/// </summary>
public sealed record ConvTranspose2dLayer(long OutChannels, long Kernel, long Stride, long Padding, long OutputPadding) : Layer
{
    public override string Name => "ConvTranspose2d";

    public override LayerOutcome Apply(Shape input) =>
        Require.Positive(Name, "number of output channels", OutChannels)
        ?? Require.Positive(Name, "Kernel", Kernel)
        ?? Require.Positive(Name, "Stride", Stride)
        ?? Require.NonNegative(Name, "Padding", Padding)
        ?? Require.NonNegative(Name, "OutputPadding", OutputPadding)
        ?? RequireOutputPaddingBelowStride()
        ?? FeatureMap.RequireRank(Name, input)
        ?? Grow(input);

    public override string Construct(Shape input) =>
        $"nn.ConvTranspose2d({Literal(input[0])}, {Literal(OutChannels)}, kernel_size: {Literal(Kernel)}"
        + FeatureMap.Optional("stride", Stride, 1) + FeatureMap.Optional("padding", Padding, 0) + FeatureMap.Optional("output_padding", OutputPadding, 0) + ")";

    /// <summary>libtorch needs OutputPadding below Stride or dilation; the DSL's dilation is 1, so below Stride.</summary>
    private LayerOutcome? RequireOutputPaddingBelowStride() =>
        OutputPadding < Stride
            ? null
            : LayerOutcome.Fail(
                ShapeErrorKind.InvalidArgument,
                Invariant($"{Name} needs an OutputPadding smaller than its Stride {Stride}, but got {OutputPadding}; use an OutputPadding of at most {Stride - 1}."));

    private LayerOutcome Grow(Shape input)
    {
        long Side(long side) => ((side - 1) * Stride) - (2 * Padding) + Kernel + OutputPadding;
        long height = Side(input[1]);
        long width = Side(input[2]);
        if (height <= 0 || width <= 0)
        {
            long maxPadding = (Side(Math.Min(input[1], input[2])) + (2 * Padding) - 1) / 2;
            return LayerOutcome.Fail(
                ShapeErrorKind.EmptyOutput,
                Invariant($"{Name} would output an empty map ({height} × {width}) from its input {input}, because Padding {Padding} trims more than the kernel adds; use a Padding of at most {maxPadding}."));
        }

        return LayerOutcome.Ok(new Shape(OutChannels, height, width));
    }
}

/// <summary>Which statistic a pooling layer takes over each window.</summary>
public enum PoolKind
{
    Max,
    Avg,
}

/// <summary><c>MaxPool2d</c> and <c>AvgPool2d</c>: <c>nn.MaxPool2d</c>/<c>nn.AvgPool2d</c> with a square window, no padding, floor mode.</summary>
/// <param name="Stride">The resolved stride: the catalog substitutes the kernel size when the declaration leaves it out, as libtorch does.</param>
public sealed record Pool2dLayer(PoolKind Kind, long Kernel, long Stride) : Layer
{
    public override string Name => Kind + "Pool2d";

    public override LayerOutcome Apply(Shape input) =>
        Require.Positive(Name, "Kernel", Kernel)
        ?? Require.Positive(Name, "Stride", Stride)
        ?? FeatureMap.RequireRank(Name, input)
        ?? FeatureMap.Slide(Name, input, input[0], window: Kernel, Stride, padding: 0, Invariant($"Kernel {Kernel}"), padded: false);

    public override string Construct(Shape input) =>
        $"nn.{Name}(kernel_size: {Literal(Kernel)}{FeatureMap.Optional("stride", Stride, Kernel)})";
}

/// <summary><c>Upsample(scale)</c>: <c>nn.Upsample</c>, nearest neighbour, multiplying height and width by a whole factor.</summary>
public sealed record UpsampleLayer(long Scale) : Layer
{
    public override string Name => "Upsample";

    /// <summary>Nearest-neighbour upsampling only copies elements, so an element-wise function commutes with it.</summary>
    public override bool RearrangesOnly => true;

    public override LayerOutcome Apply(Shape input) =>
        Require.Positive(Name, "Scale", Scale)
        ?? FeatureMap.RequireRank(Name, input)
        ?? LayerOutcome.Ok(new Shape(input[0], input[1] * Scale, input[2] * Scale));

    /// <summary>One factor per spatial dimension, so libtorch itself insists on a 2-D map.</summary>
    public override string Construct(Shape input) => $"nn.Upsample(scale_factor: [{Literal(Scale)}, {Literal(Scale)}])";
}

/// <summary><c>BatchNorm2d</c>: <c>nn.BatchNorm2d</c> over the channels of a feature map.</summary>
public sealed record BatchNorm2dLayer : Layer
{
    public override string Name => "BatchNorm2d";

    public override LayerOutcome Apply(Shape input) => FeatureMap.RequireRank(Name, input) ?? LayerOutcome.Ok(input);

    public override string Construct(Shape input) => $"nn.BatchNorm2d({Literal(input[0])})";
}

/// <summary><c>Dropout2d(p)</c>: <c>nn.Dropout2d</c>, zeroing whole channels of a feature map while training.</summary>
public sealed record Dropout2dLayer(double P) : Layer
{
    public override string Name => "Dropout2d";

    public override LayerOutcome Apply(Shape input) =>
        Require.Probability(Name, P) ?? FeatureMap.RequireRank(Name, input) ?? LayerOutcome.Ok(input);

    public override string Construct(Shape input) => $"nn.Dropout2d({Literal(P)})";
}

/// <summary><c>Reshape(dims...)</c>: the elements of each example, in order, as <see cref="Dims"/>; the batch dimension stays.</summary>
public sealed record ReshapeLayer(EquatableArray<long> Dims) : Layer
{
    public override string Name => "Reshape";

    public override bool RearrangesOnly => true;

    public override LayerOutcome Apply(Shape input)
    {
        var target = Shape.Of(Dims);
        return Require.Dimensions(Name, Dims)
            ?? (target.Size == input.Size
                ? LayerOutcome.Ok(target)
                : LayerOutcome.Fail(
                    ShapeErrorKind.ElementCountMismatch,
                    Invariant($"Reshape{target} holds {target.Size} elements but its input {input} has {input.Size}; give dimensions whose product is {input.Size}.")));
    }

    /// <summary>
    /// TorchSharp has no reshape module, so it is built from the simplest of Flatten and Unflatten that does the job:
    /// Flatten alone when the target is the flat example, Unflatten alone on a vector, both otherwise.
    /// </summary>
    public override string Construct(Shape input)
    {
        var unflatten = $"nn.Unflatten(1, [{string.Join(", ", Dims.Select(Literal))}])";
        return Dims.Count == 1 && Dims[0] == input.Size ? "nn.Flatten()"
            : input.Rank == 1 ? unflatten
            : $"nn.Sequential(nn.Flatten(), {unflatten})";
    }
}
