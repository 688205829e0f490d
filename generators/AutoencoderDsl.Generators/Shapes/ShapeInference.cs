using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Generators.Model;

namespace AutoencoderDsl.Generators.Shapes;

/// <summary>The parts of a model that shape inference walks, in order.</summary>
public enum ModelPart
{
    Input,
    Encoder,
    Latent,
    Decoder,
    Output,
}

/// <summary>A declared architecture, as shape inference sees it.</summary>
public sealed record Architecture(EquatableArray<long> Input, EquatableArray<Layer> Encoder, long LatentDim, EquatableArray<Layer> Decoder);

/// <summary>The first place a declared architecture breaks; <see cref="LayerIndex"/> is the layer's position in its stack, or -1.</summary>
public sealed record ShapeError(ModelPart Part, int LayerIndex, ShapeErrorKind Kind, string Message);

/// <summary>Shapes after every layer, up to the first error.</summary>
public sealed record InferenceResult(
    EquatableArray<Shape> EncoderShapes,
    Shape? EncoderOutput,
    EquatableArray<Shape> DecoderShapes,
    ShapeError? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Walks an architecture from the input through the encoder, the latent heads and the decoder, applying the same
/// shape arithmetic as libtorch. Pure: shared by the generator (for code and comments) and the analyzers (for errors).
/// </summary>
public static class ShapeInference
{
    public static InferenceResult Run(Architecture architecture)
    {
        var encoderShapes = new List<Shape>();
        var decoderShapes = new List<Shape>();
        InferenceResult Fail(ModelPart part, int index, ShapeErrorKind kind, string message) =>
            new(encoderShapes.ToEquatableArray(), null, decoderShapes.ToEquatableArray(), new ShapeError(part, index, kind, message));

        if (architecture.Input.Count == 0 || architecture.Input.Any(dim => dim <= 0))
        {
            return Fail(ModelPart.Input, -1, ShapeErrorKind.InvalidArgument, $"The input shape needs one or more positive dimensions, but got {Shape.Format(architecture.Input)}.");
        }

        var input = Shape.Of(architecture.Input);
        if (Walk(input, architecture.Encoder, encoderShapes) is { Error: not null } encoderError)
        {
            return Fail(ModelPart.Encoder, encoderShapes.Count, encoderError.ErrorKind, encoderError.Error);
        }

        var encoderOutput = encoderShapes.Count > 0 ? encoderShapes[encoderShapes.Count - 1] : input;
        if (architecture.LatentDim <= 0)
        {
            return Fail(ModelPart.Latent, -1, ShapeErrorKind.InvalidArgument, $"LatentDim must be positive, but is {architecture.LatentDim}.");
        }

        if (encoderOutput.Rank != 1)
        {
            return Fail(
                ModelPart.Latent,
                -1,
                ShapeErrorKind.LatentInput,
                $"The latent heads map a feature vector to the code, but the encoder ends with {encoderOutput}; end the encoder with Flatten.");
        }

        if (Walk(new Shape(architecture.LatentDim), architecture.Decoder, decoderShapes) is { Error: not null } decoderError)
        {
            return Fail(ModelPart.Decoder, decoderShapes.Count, decoderError.ErrorKind, decoderError.Error);
        }

        var output = decoderShapes.Count > 0 ? decoderShapes[decoderShapes.Count - 1] : new Shape(architecture.LatentDim);
        if (!output.Equals(input))
        {
            return Fail(ModelPart.Output, -1, ShapeErrorKind.OutputMismatch, $"The decoder must output the input shape {input}, but it outputs {output}.");
        }

        return new InferenceResult(encoderShapes.ToEquatableArray(), encoderOutput, decoderShapes.ToEquatableArray(), null);
    }

    /// <summary>Applies each layer in turn, recording every output shape; returns the first failure, if any.</summary>
    private static LayerOutcome? Walk(Shape input, EquatableArray<Layer> layers, List<Shape> shapes)
    {
        var current = input;
        foreach (var layer in layers)
        {
            var outcome = layer.Apply(current);
            if (outcome.Output is null)
            {
                return outcome;
            }

            shapes.Add(outcome.Output);
            current = outcome.Output;
        }

        return null;
    }

    /// <summary>
    /// The index of the decoder's final <c>Sigmoid</c> (only rearranging layers may follow it), which a Bernoulli
    /// model fuses into its loss; -1 when there is none.
    /// </summary>
    public static int FusableSigmoidIndex(EquatableArray<Layer> decoder)
    {
        for (int index = decoder.Count - 1; index >= 0; index--)
        {
            if (decoder[index] is ActivationLayer { Kind: ActivationKind.Sigmoid })
            {
                return index;
            }

            if (!decoder[index].RearrangesOnly)
            {
                return -1;
            }
        }

        return -1;
    }
}
