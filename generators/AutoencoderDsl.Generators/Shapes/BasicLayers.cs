using System.Linq;
using AutoencoderDsl.Generators.Model;
using static System.FormattableString;

namespace AutoencoderDsl.Generators.Shapes;

/// <summary>Argument checks the layers share; each gives null for an acceptable argument, else the failure.</summary>
internal static class Require
{
    public static LayerOutcome? Positive(string layer, string argument, long value) =>
        value > 0 ? null : LayerOutcome.Fail(ShapeErrorKind.InvalidArgument, Invariant($"{layer} needs a positive {argument}, but got {value}."));

    public static LayerOutcome? NonNegative(string layer, string argument, long value) =>
        value >= 0 ? null : LayerOutcome.Fail(ShapeErrorKind.InvalidArgument, Invariant($"{layer} needs a non-negative {argument}, but got {value}."));

    public static LayerOutcome? Probability(string layer, double p) =>
        p >= 0 && p < 1 ? null : LayerOutcome.Fail(ShapeErrorKind.InvalidArgument, Invariant($"{layer} needs a probability in [0, 1), but got {p:R}."));

    public static LayerOutcome? Dimensions(string layer, EquatableArray<long> dims) =>
        dims.Count > 0 && dims.All(dim => dim > 0)
            ? null
            : LayerOutcome.Fail(ShapeErrorKind.InvalidArgument, $"{layer} needs one or more positive dimensions, but got {Shape.Format(dims)}.");
}

/// <summary>
/// <c>Dense(n)</c>: <c>nn.Linear</c> on the last dimension, which libtorch accepts at any rank. The DSL makes one
/// exception: on a feature map [C, H, W] it would mix only the W columns of each row, which is never what a Dense
/// after a convolution means, so rank 3 is a wrong rank whose fix is a Flatten first.
/// </summary>
public sealed record DenseLayer(long OutFeatures) : Layer
{
    public override string Name => "Dense";

    public override LayerOutcome Apply(Shape input) =>
        Require.Positive(Name, "number of output features", OutFeatures)
        ?? (input.Rank == 3
            ? LayerOutcome.Fail(
                ShapeErrorKind.WrongRank,
                $"Dense maps a feature vector, but got the feature map {input}, of which it would mix only the last dimension; insert Flatten before it.")
            : LayerOutcome.Ok(input.WithLast(OutFeatures)));

    public override string Construct(Shape input) => $"nn.Linear({Literal(input.Last)}, {Literal(OutFeatures)})";
}

/// <summary><c>Flatten</c>: every dimension of an example into one.</summary>
public sealed record FlattenLayer : Layer
{
    public override string Name => "Flatten";

    public override bool RearrangesOnly => true;

    public override LayerOutcome Apply(Shape input) => LayerOutcome.Ok(new Shape(input.Size));

    public override string Construct(Shape input) => "nn.Flatten()";
}

/// <summary><c>Unflatten(dims...)</c>: splits an example's first dimension into <see cref="Dims"/>.</summary>
public sealed record UnflattenLayer(EquatableArray<long> Dims) : Layer
{
    public override string Name => "Unflatten";

    public override bool RearrangesOnly => true;

    public override LayerOutcome Apply(Shape input)
    {
        var target = Shape.Of(Dims);
        return Require.Dimensions(Name, Dims)
            ?? (target.Size == input[0]
                ? LayerOutcome.Ok(Shape.Of(Dims.Concat(input.Dims.Skip(1))))
                : LayerOutcome.Fail(
                    ShapeErrorKind.ElementCountMismatch,
                    Invariant($"Unflatten{target} holds {target.Size} elements but its input {input} has {input[0]} in its first dimension; give dimensions whose product is {input[0]}.")));
    }

    public override string Construct(Shape input) => $"nn.Unflatten(1, [{string.Join(", ", Dims.Select(Literal))}])";
}

/// <summary>The element-wise activations; none changes the shape.</summary>
public enum ActivationKind
{
    ReLU,
    LeakyReLU,
    GELU,
    SiLU,
    Tanh,
    Sigmoid,
}

/// <summary>An element-wise activation; <see cref="NegativeSlope"/> is used only by <c>LeakyReLU</c>.</summary>
public sealed record ActivationLayer(ActivationKind Kind, double NegativeSlope = 0) : Layer
{
    public override string Name => Kind.ToString();

    public override LayerOutcome Apply(Shape input) => LayerOutcome.Ok(input);

    public override string Construct(Shape input) =>
        Kind == ActivationKind.LeakyReLU ? $"nn.LeakyReLU({Literal(NegativeSlope)})" : $"nn.{Kind}()";
}

/// <summary><c>Dropout(p)</c>: zeroes elements with probability p while training.</summary>
public sealed record DropoutLayer(double P) : Layer
{
    public override string Name => "Dropout";

    public override LayerOutcome Apply(Shape input) => Require.Probability(Name, P) ?? LayerOutcome.Ok(input);

    public override string Construct(Shape input) => $"nn.Dropout({Literal(P)})";
}

/// <summary><c>BatchNorm</c>: <c>nn.BatchNorm1d</c> over the first dimension of a vector or a sequence.</summary>
public sealed record BatchNormLayer : Layer
{
    public override string Name => "BatchNorm";

    public override LayerOutcome Apply(Shape input) =>
        input.Rank is 1 or 2
            ? LayerOutcome.Ok(input)
            : LayerOutcome.Fail(
                ShapeErrorKind.WrongRank,
                $"BatchNorm normalises features [C] or sequences [C, L], but got {input}; use BatchNorm2d for feature maps.");

    public override string Construct(Shape input) => $"nn.BatchNorm1d({Literal(input[0])})";
}
