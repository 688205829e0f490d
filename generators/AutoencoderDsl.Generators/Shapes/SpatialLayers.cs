using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Export;
using AutoencoderDsl.Generators.Helpers;
using static System.FormattableString;

namespace AutoencoderDsl.Generators.Shapes;

/// <summary>
/// What the convolutions and pools share. A 2-D layer takes one feature map [C, H, W] per example and a 1-D layer one
/// sequence [C, L]: generated models always pass a batch, so libtorch sees [N, C, H, W] or [N, C, L]. libtorch would also
/// read an example one rank short as a single unbatched input, which here would mistake the batch for the channels, so
/// any other per-example rank is a wrong rank.
/// </summary>
internal static class Spatial
{
    /// <param name="sibling">The layer of the other rank that does the same job, suggested for an input of that rank.</param>
    public static LayerOutcome? RequireRank(string layer, Shape input, int spatialRank, string? sibling)
    {
        if (input.Rank == spatialRank + 1)
        {
            return null;
        }

        var expected = spatialRank == 1 ? "a sequence [C, L]" : "a feature map [C, H, W]";
        var dims = spatialRank == 1 ? "C, L" : "C, H, W";
        var other = sibling is null ? string.Empty
            : input.Rank == 3 && spatialRank == 1 ? $"use {sibling} for a feature map, or "
            : input.Rank == 2 && spatialRank == 2 ? $"use {sibling} for a sequence, or "
            : string.Empty;
        return LayerOutcome.Fail(
            ShapeErrorKind.WrongRank,
            input.Rank == 1
                ? $"{layer} takes {expected}, but got the vector {input}; insert Unflatten({dims}) before it."
                : $"{layer} takes {expected}, but got {input}; {other}insert Reshape({dims}) before it.");
    }

    /// <summary>
    /// A window sliding over the padded input, as libtorch's convolutions and pools compute it (floor mode): each spatial
    /// side has ⌊(side + 2·padding − window) / stride⌋ + 1 positions, and a window larger than a padded side is an error.
    /// </summary>
    /// <param name="window">The span of the window in pixels or steps, dilation included.</param>
    /// <param name="windowSource">The arguments that make up the window, for the message.</param>
    /// <param name="padded">Whether the layer has a Padding argument, to suggest it as a fix.</param>
    public static LayerOutcome Slide(string layer, Shape input, long outChannels, long window, long stride, long padding, string windowSource, bool padded)
    {
        var sides = input.Dims.Skip(1).ToArray();
        var paddedSides = sides.Select(side => checked(side + (2 * padding))).ToArray();
        if (paddedSides.Any(side => side < window))
        {
            var paddingNote = padding > 0 ? Invariant($", {Sides(paddedSides)} with Padding {padding}") : string.Empty;
            var fixes = padded ? "a smaller Kernel, more Padding" : "a smaller Kernel";
            var (what, unit, extent) = sides.Length == 1 ? ("sequence", "steps", "has length ") : ("map", "pixels", "is ");
            return LayerOutcome.Fail(
                ShapeErrorKind.EmptyOutput,
                Invariant($"{layer} would output an empty {what}: its window spans {window} {unit} ({windowSource}) but its input {input} {extent}{Sides(sides)}{paddingNote}; use {fixes} or less downsampling before it."));
        }

        return LayerOutcome.Ok(Shape.Of(paddedSides.Select(side => ((side - window) / stride) + 1).Prepend(outChannels)));
    }

    /// <summary>The spatial sides as a message shows them: <c>7 × 7</c>, or <c>20</c> for a sequence.</summary>
    public static string Sides(IEnumerable<long> sides) => string.Join(" × ", sides.Select(side => side.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// The runtime's factories for convolutions: TorchSharp's modules, except where libtorch's CPU kernel gets the layer
    /// wrong (the runtime's <c>Convolutions</c> says which and why). Same arguments, parameters and state-dict names.
    /// </summary>
    public const string Convolutions = "global::AutoencoderDsl.Convolutions.";

    /// <summary>A named factory argument, left out at TorchSharp's default so generated code reads like hand-written code.</summary>
    public static string Optional(string name, long value, long fallback) => value == fallback ? string.Empty : Invariant($", {name}: {value}");

    /// <summary>The arguments every convolution has.</summary>
    public static LayerOutcome? RequireConvolution(string layer, long outChannels, long kernel, long stride, long padding) =>
        Require.Positive(layer, "number of output channels", outChannels)
        ?? Require.Positive(layer, "Kernel", kernel)
        ?? Require.Positive(layer, "Stride", stride)
        ?? Require.NonNegative(layer, "Padding", padding);

    /// <summary>The weight of a convolution: in × out × kernel^rank elements.</summary>
    public static long ConvolutionWeight(Shape input, long outChannels, long kernel)
    {
        long weight = checked(input[0] * outChannels);
        for (int side = 1; side < input.Rank; side++)
        {
            weight = checked(weight * kernel);
        }

        return weight;
    }
}

/// <summary>
/// <c>Conv1d</c> and <c>Conv2d(out, Kernel, Stride, Padding, Dilation)</c>: <c>nn.Conv1d</c>/<c>nn.Conv2d</c> with a
/// square kernel, sliding over a sequence or a feature map.
/// </summary>
public abstract record SlidingConvolutionLayer(long OutChannels, long Kernel, long Stride, long Padding, long Dilation) : Layer
{
    public override bool OutputNotNeededForBackward => true;

    /// <summary>1 for a sequence, 2 for a feature map.</summary>
    public abstract int SpatialRank { get; }

    private string Sibling => SpatialRank == 1 ? "Conv2d" : "Conv1d";

    public override LayerOutcome? Validate() =>
        Spatial.RequireConvolution(Name, OutChannels, Kernel, Stride, Padding)
        ?? Require.Positive(Name, "Dilation", Dilation);

    public override string Construct(Shape input) =>
        $"{Spatial.Convolutions}{Name}({Literal(input[0])}, {Literal(OutChannels)}, kernel_size: {Literal(Kernel)}"
        + Spatial.Optional("stride", Stride, 1) + Spatial.Optional("padding", Padding, 0) + Spatial.Optional("dilation", Dilation, 1) + ")";

    public override string Describe(int index, Shape input, Shape output) =>
        $"new {Architecture}Convolution({Literal(index)}, {Literal(SpatialRank)}, {Literal(input[0])}, {Literal(OutChannels)}, {Literal(Kernel)}, {Literal(Stride)}, {Literal(Padding)}, {Literal(Dilation)})";

    protected override LayerOutcome Infer(Shape input) =>
        Spatial.RequireRank(Name, input, SpatialRank, Sibling)
        ?? Spatial.Slide(
            Name,
            input,
            OutChannels,
            window: checked((Dilation * (Kernel - 1)) + 1),
            Stride,
            Padding,
            Dilation == 1 ? Invariant($"Kernel {Kernel}") : Invariant($"Kernel {Kernel}, Dilation {Dilation}"),
            padded: true);

    protected override long LargestWeight(Shape input) => Spatial.ConvolutionWeight(input, OutChannels, Kernel);
}

/// <summary><c>Conv2d</c> on a feature map [C, H, W].</summary>
public sealed record Conv2dLayer(long OutChannels, long Kernel, long Stride, long Padding, long Dilation)
    : SlidingConvolutionLayer(OutChannels, Kernel, Stride, Padding, Dilation)
{
    public override string Name => "Conv2d";

    public override int SpatialRank => 2;
}

/// <summary><c>Conv1d</c> on a sequence [C, L].</summary>
public sealed record Conv1dLayer(long OutChannels, long Kernel, long Stride, long Padding, long Dilation)
    : SlidingConvolutionLayer(OutChannels, Kernel, Stride, Padding, Dilation)
{
    public override string Name => "Conv1d";

    public override int SpatialRank => 1;
}

/// <summary>
/// <c>ConvTranspose1d</c> and <c>ConvTranspose2d(out, Kernel, Stride, Padding, OutputPadding)</c>: each spatial side
/// becomes (side − 1)·Stride − 2·Padding + Kernel + OutputPadding.
/// </summary>
public abstract record TransposedConvolutionLayer(long OutChannels, long Kernel, long Stride, long Padding, long OutputPadding) : Layer
{
    public override bool OutputNotNeededForBackward => true;

    /// <summary>1 for a sequence, 2 for a feature map.</summary>
    public abstract int SpatialRank { get; }

    private string Sibling => SpatialRank == 1 ? "ConvTranspose2d" : "ConvTranspose1d";

    public override LayerOutcome? Validate() =>
        Spatial.RequireConvolution(Name, OutChannels, Kernel, Stride, Padding)
        ?? Require.NonNegative(Name, "OutputPadding", OutputPadding)
        ?? RequireOutputPaddingBelowStride();

    public override string Construct(Shape input) =>
        $"{Spatial.Convolutions}{Name}({Literal(input[0])}, {Literal(OutChannels)}, kernel_size: {Literal(Kernel)}"
        + Spatial.Optional("stride", Stride, 1) + Spatial.Optional("padding", Padding, 0) + Spatial.Optional("output_padding", OutputPadding, 0) + ")";

    public override string Describe(int index, Shape input, Shape output) =>
        $"new {Architecture}TransposedConvolution({Literal(index)}, {Literal(SpatialRank)}, {Literal(input[0])}, {Literal(OutChannels)}, {Literal(Kernel)}, {Literal(Stride)}, {Literal(Padding)}, {Literal(OutputPadding)})";

    protected override LayerOutcome Infer(Shape input) => Spatial.RequireRank(Name, input, SpatialRank, Sibling) ?? Grow(input);

    protected override long LargestWeight(Shape input) => Spatial.ConvolutionWeight(input, OutChannels, Kernel);

    /// <summary>libtorch needs OutputPadding below Stride or dilation; the DSL's dilation is 1, so below Stride.</summary>
    private LayerOutcome? RequireOutputPaddingBelowStride() =>
        OutputPadding < Stride
            ? null
            : LayerOutcome.Fail(
                ShapeErrorKind.InvalidArgument,
                Invariant($"{Name} needs an OutputPadding smaller than its Stride {Stride}, but got {OutputPadding}; use an OutputPadding of at most {Stride - 1}."));

    private LayerOutcome Grow(Shape input)
    {
        long Side(long side) => checked(((side - 1) * Stride) - (2 * Padding) + Kernel + OutputPadding);
        var sides = input.Dims.Skip(1).Select(Side).ToArray();
        if (sides.Any(side => side <= 0))
        {
            long maxPadding = (Side(input.Dims.Skip(1).Min()) + (2 * Padding) - 1) / 2;
            var empty = sides.Length == 1 ? Invariant($"an empty sequence (length {sides[0]})") : $"an empty map ({Spatial.Sides(sides)})";
            return LayerOutcome.Fail(
                ShapeErrorKind.EmptyOutput,
                Invariant($"{Name} would output {empty} from its input {input}, because Padding {Padding} trims more than the kernel adds; use a Padding of at most {maxPadding}."));
        }

        return LayerOutcome.Ok(Shape.Of(sides.Prepend(OutChannels)));
    }
}

/// <summary><c>ConvTranspose2d</c> on a feature map [C, H, W].</summary>
public sealed record ConvTranspose2dLayer(long OutChannels, long Kernel, long Stride, long Padding, long OutputPadding)
    : TransposedConvolutionLayer(OutChannels, Kernel, Stride, Padding, OutputPadding)
{
    public override string Name => "ConvTranspose2d";

    public override int SpatialRank => 2;
}

/// <summary><c>ConvTranspose1d</c> on a sequence [C, L].</summary>
public sealed record ConvTranspose1dLayer(long OutChannels, long Kernel, long Stride, long Padding, long OutputPadding)
    : TransposedConvolutionLayer(OutChannels, Kernel, Stride, Padding, OutputPadding)
{
    public override string Name => "ConvTranspose1d";

    public override int SpatialRank => 1;
}

/// <summary>Max and average pooling with a square window, no padding, floor mode.</summary>
/// <param name="Stride">The resolved stride: the attribute gives the kernel size when the declaration leaves it out, as libtorch does.</param>
public abstract record PoolLayer(PoolKind Kind, long Kernel, long Stride) : Layer
{
    /// <summary>1 for a sequence, 2 for a feature map.</summary>
    public abstract int SpatialRank { get; }

    public override string Name => Invariant($"{Kind}Pool{SpatialRank}d");

    private string Sibling => Invariant($"{Kind}Pool{3 - SpatialRank}d");

    public override LayerOutcome? Validate() =>
        Require.Positive(Name, "Kernel", Kernel)
        ?? Require.Positive(Name, "Stride", Stride);

    public override string Construct(Shape input) =>
        $"nn.{Name}(kernel_size: {Literal(Kernel)}{Spatial.Optional("stride", Stride, Kernel)})";

    public override string Describe(int index, Shape input, Shape output) =>
        $"new {Architecture}Pool({Literal(index)}, {Literal(SpatialRank)}, {Architecture}PoolKind.{Kind}, {Literal(Kernel)}, {Literal(Stride)})";

    protected override LayerOutcome Infer(Shape input) =>
        Spatial.RequireRank(Name, input, SpatialRank, Sibling)
        ?? Spatial.Slide(Name, input, input[0], window: Kernel, Stride, padding: 0, Invariant($"Kernel {Kernel}"), padded: false);
}

/// <summary><c>MaxPool2d</c> and <c>AvgPool2d</c> on a feature map [C, H, W].</summary>
public sealed record Pool2dLayer(PoolKind Kind, long Kernel, long Stride) : PoolLayer(Kind, Kernel, Stride)
{
    public override int SpatialRank => 2;
}

/// <summary><c>MaxPool1d</c> and <c>AvgPool1d</c> on a sequence [C, L].</summary>
public sealed record Pool1dLayer(PoolKind Kind, long Kernel, long Stride) : PoolLayer(Kind, Kernel, Stride)
{
    public override int SpatialRank => 1;
}

/// <summary><c>Upsample(scale)</c>: <c>nn.Upsample</c>, nearest neighbour, multiplying height and width by a whole factor.</summary>
public sealed record UpsampleLayer(long Scale) : Layer
{
    public override string Name => "Upsample";

    /// <summary>Nearest-neighbour upsampling only copies elements, so an element-wise function commutes with it.</summary>
    public override bool RearrangesOnly => true;

    public override LayerOutcome? Validate() => Require.Positive(Name, "Scale", Scale);

    /// <summary>One factor per spatial dimension, so libtorch itself insists on a 2-D map.</summary>
    public override string Construct(Shape input) => $"nn.Upsample(scale_factor: [{Literal(Scale)}, {Literal(Scale)}])";

    public override string Describe(int index, Shape input, Shape output) => $"new {Architecture}Upsample({Literal(index)}, {Literal(Scale)})";

    protected override LayerOutcome Infer(Shape input) =>
        Spatial.RequireRank(Name, input, 2, sibling: null)
        ?? LayerOutcome.Ok(new Shape(input[0], checked(input[1] * Scale), checked(input[2] * Scale)));
}

/// <summary>
/// <c>ResidualBlock1d</c> and <c>ResidualBlock2d(channels)</c>: the runtime's <c>ResidualBlock</c>, ResNet's basic block
/// of stride 1. Its convolutions have kernel 3 and padding 1 (the skip's, kernel 1), so the sides stay and only the
/// channels change.
/// </summary>
public abstract record ResidualBlockLayer(long Channels) : Layer
{
    /// <summary>1 for a sequence, 2 for a feature map.</summary>
    public abstract int SpatialRank { get; }

    public override string Name => Invariant($"ResidualBlock{SpatialRank}d");

    private string Sibling => Invariant($"ResidualBlock{3 - SpatialRank}d");

    public override LayerOutcome? Validate() => Require.Positive(Name, "number of channels", Channels);

    public override string Construct(Shape input) => $"new global::AutoencoderDsl.ResidualBlock({Literal(SpatialRank)}, {Literal(input[0])}, {Literal(Channels)})";

    public override string Describe(int index, Shape input, Shape output) =>
        $"new {Architecture}ResidualBlock({Literal(index)}, {Literal(SpatialRank)}, {Literal(input[0])}, {Literal(Channels)})";

    protected override LayerOutcome Infer(Shape input) =>
        Spatial.RequireRank(Name, input, SpatialRank, Sibling) ?? LayerOutcome.Ok(Shape.Of(input.Dims.Skip(1).Prepend(Channels)));

    /// <summary>The first convolution's weight, or the second's when the block widens its input.</summary>
    protected override long LargestWeight(Shape input) =>
        System.Math.Max(Spatial.ConvolutionWeight(input, Channels, 3), Spatial.ConvolutionWeight(Shape.Of(input.Dims.Skip(1).Prepend(Channels)), Channels, 3));
}

/// <summary><c>ResidualBlock2d</c> on a feature map [C, H, W].</summary>
public sealed record ResidualBlock2dLayer(long Channels) : ResidualBlockLayer(Channels)
{
    public override int SpatialRank => 2;
}

/// <summary><c>ResidualBlock1d</c> on a sequence [C, L].</summary>
public sealed record ResidualBlock1dLayer(long Channels) : ResidualBlockLayer(Channels)
{
    public override int SpatialRank => 1;
}

/// <summary><c>BatchNorm2d</c>: <c>nn.BatchNorm2d</c> over the channels of a feature map.</summary>
public sealed record BatchNorm2dLayer : Layer
{
    public override bool OutputNotNeededForBackward => true;

    public override string Name => "BatchNorm2d";

    public override string Construct(Shape input) => $"nn.BatchNorm2d({Literal(input[0])})";

    public override string Describe(int index, Shape input, Shape output) => $"new {Architecture}BatchNorm({Literal(index)}, {Literal(input[0])}, 2)";

    protected override LayerOutcome Infer(Shape input) => Spatial.RequireRank(Name, input, 2, "BatchNorm1d") ?? LayerOutcome.Ok(input);

    protected override long LargestWeight(Shape input) => input[0];
}

/// <summary><c>Dropout2d(p)</c>: <c>nn.Dropout2d</c>, zeroing whole channels of a feature map while training.</summary>
public sealed record Dropout2dLayer(double P) : Layer
{
    public override string Name => "Dropout2d";

    public override LayerOutcome? Validate() => Require.Probability(Name, P);

    public override string Construct(Shape input) => $"nn.Dropout2d({Literal(P)})";

    public override string Describe(int index, Shape input, Shape output) => $"new {Architecture}Dropout({Literal(index)}, {Literal(P)}, Channels: true)";

    protected override LayerOutcome Infer(Shape input) => Spatial.RequireRank(Name, input, 2, "Dropout") ?? LayerOutcome.Ok(input);
}

/// <summary><c>Reshape(dims...)</c>: the elements of each example, in order, as <see cref="Dims"/>; the batch dimension stays.</summary>
public sealed record ReshapeLayer(EquatableArray<long> Dims) : Layer
{
    public override string Name => "Reshape";

    public override bool RearrangesOnly => true;

    public override LayerOutcome? Validate() => Require.Dimensions(Name, Dims);

    /// <summary>
    /// TorchSharp has no reshape module, so it is built from the simplest of Flatten and Unflatten that does the job:
    /// Flatten alone when the target is the flat example, Unflatten alone on a vector, both otherwise.
    /// </summary>
    public override string Construct(Shape input)
    {
        var unflatten = $"nn.Unflatten(1, {Literals.List(Dims)})";
        return Dims.Count == 1 && Dims[0] == input.Size ? "nn.Flatten()"
            : input.Rank == 1 ? unflatten
            : $"nn.Sequential(nn.Flatten(), {unflatten})";
    }

    public override string Describe(int index, Shape input, Shape output) => $"new {Architecture}Reshape({Literal(index)}, {Literals.List(output.Dims)})";

    protected override LayerOutcome Infer(Shape input)
    {
        var target = Shape.Of(Dims);
        return target.Size == input.Size
            ? LayerOutcome.Ok(target)
            : LayerOutcome.Fail(
                ShapeErrorKind.ElementCountMismatch,
                Invariant($"Reshape{target} holds {target.Size} elements but its input {input} has {input.Size}; give dimensions whose product is {input.Size}."));
    }
}
