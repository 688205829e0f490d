using System.Linq;
using AutoencoderDsl.Generators.Model;

namespace AutoencoderDsl.Generators.Shapes;

/// <summary><c>Dense(n)</c>: <c>nn.Linear</c> on the last dimension, as libtorch applies it to any rank.</summary>
public sealed record DenseLayer(long OutFeatures) : Layer
{
    public override string Name => "Dense";

    public override LayerOutcome Apply(Shape input) =>
        OutFeatures <= 0
            ? LayerOutcome.Fail(ShapeErrorKind.InvalidArgument, $"Dense needs a positive number of output features, but got {OutFeatures}.")
            : LayerOutcome.Ok(input.WithLast(OutFeatures));

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
        if (Dims.Count == 0 || Dims.Any(dim => dim <= 0))
        {
            return LayerOutcome.Fail(ShapeErrorKind.InvalidArgument, $"Unflatten needs one or more positive dimensions, but got {Shape.Format(Dims)}.");
        }

        var target = Shape.Of(Dims);
        return target.Size == input[0]
            ? LayerOutcome.Ok(Shape.Of(Dims.Concat(input.Dims.Skip(1))))
            : LayerOutcome.Fail(
                ShapeErrorKind.ElementCountMismatch,
                $"Unflatten{target} holds {target.Size} elements but its input {input} has {input[0]} in its first dimension.");
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

    public override LayerOutcome Apply(Shape input) =>
        P >= 0 && P < 1
            ? LayerOutcome.Ok(input)
            : LayerOutcome.Fail(ShapeErrorKind.InvalidArgument, $"Dropout needs a probability in [0, 1), but got {Literal(P)}.");

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
