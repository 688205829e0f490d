using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Export;
using AutoencoderDsl.Generators.Helpers;
using static System.FormattableString;

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
/// <param name="Input">The shape of one example.</param>
/// <param name="Encoder">The declared encoder layers.</param>
/// <param name="LatentDim">The width of the code.</param>
/// <param name="Decoder">The declared decoder layers.</param>
/// <param name="ConditionWidth">The width of a one-hot condition joined to the encoder's features and to the code; 0 without one.</param>
/// <param name="Quantized">
/// Whether the code is vector-quantized: the encoder may then end in a vector, a sequence or a feature map, whose
/// channels a linear map or a 1 × 1 convolution takes to <paramref name="LatentDim"/>, and the decoder receives that grid.
/// </param>
public sealed record Architecture(EquatableArray<long> Input, EquatableArray<Layer> Encoder, long LatentDim, EquatableArray<Layer> Decoder, long ConditionWidth = 0, bool Quantized = false)
{
    /// <summary>The width the decoder's first layer receives: the code and the condition.</summary>
    public long DecoderInputWidth => LatentDim + ConditionWidth;
}

/// <summary>One place a declared architecture breaks; <see cref="LayerIndex"/> is the layer's position in its stack, or -1.</summary>
public sealed record ShapeError(ModelPart Part, int LayerIndex, ShapeErrorKind Kind, string Message);

/// <summary>Shapes after every layer up to each stack's first error, and every independent error.</summary>
/// <param name="EncoderShapes">The shape after each encoder layer, up to its first error.</param>
/// <param name="EncoderOutput">The features the latent heads receive, when the encoder is valid.</param>
/// <param name="DecoderShapes">The shape after each decoder layer, up to its first error.</param>
/// <param name="Errors">Every error that does not follow from another: each layer's invalid arguments, each stack's first shape error, the latent and output checks.</param>
/// <param name="CodeShape">What the decoder receives (the code, with the condition joined on), or null when it depends on an encoder that failed.</param>
public sealed record InferenceResult(
    EquatableArray<Shape> EncoderShapes,
    Shape? EncoderOutput,
    EquatableArray<Shape> DecoderShapes,
    EquatableArray<ShapeError> Errors,
    Shape? CodeShape)
{
    public bool Succeeded => Errors.Count == 0;

    /// <summary>The first error, encoder errors before decoder ones, or null.</summary>
    public ShapeError? Error => Errors.Count > 0 ? Errors[0] : null;
}

/// <summary>
/// Walks an architecture from the input through the encoder, the latent heads and the decoder, applying the same
/// shape arithmetic as libtorch. The encoder and the decoder are walked independently (the decoder starts from the
/// code), so an error in one does not hide an error in the other. Pure: shared by the generator (for code and
/// comments) and the analyzers (for errors).
/// </summary>
public static class ShapeInference
{
    public static InferenceResult Run(Architecture architecture)
    {
        var errors = new List<ShapeError>();
        var input = CheckInput(architecture.Input, errors);
        var encoderShapes = new List<Shape>();
        var encoderOutput = Walk(ModelPart.Encoder, input, architecture.Encoder, encoderShapes, errors);
        if (architecture.LatentDim <= 0)
        {
            errors.Add(new ShapeError(ModelPart.Latent, -1, ShapeErrorKind.InvalidArgument, Invariant($"LatentDim must be positive, but is {architecture.LatentDim}.")));
        }
        else if (encoderOutput is not null)
        {
            CheckHeads(encoderOutput, architecture, errors);
        }

        var decoderShapes = new List<Shape>();
        var code = architecture.LatentDim <= 0 ? null
            : !architecture.Quantized ? new Shape(architecture.DecoderInputWidth)
            : encoderOutput is { Rank: <= 3 } && !errors.Any(error => error.Part is ModelPart.Encoder or ModelPart.Latent)
                ? Shape.Of(new[] { architecture.LatentDim }.Concat(encoderOutput.Dims.Skip(1)))
                : null;
        var output = architecture.LatentDim > 0 ? Walk(ModelPart.Decoder, code, architecture.Decoder, decoderShapes, errors) : null;
        if (input is not null && output is not null && !output.Equals(input))
        {
            errors.Add(new ShapeError(ModelPart.Output, -1, ShapeErrorKind.OutputMismatch, $"The decoder must output the input shape {input}, but it outputs {output}."));
        }

        bool encoderValid = encoderOutput is not null && !errors.Any(error => error.Part is ModelPart.Encoder or ModelPart.Latent);
        return new InferenceResult(
            encoderShapes.ToEquatableArray(),
            encoderValid ? encoderOutput : null,
            decoderShapes.ToEquatableArray(),
            errors.ToEquatableArray(),
            code);
    }

    /// <summary>
    /// The index of the decoder's final <c>Sigmoid</c> (only rearranging layers may follow it), which a Bernoulli
    /// model fuses into its loss; -1 when there is none.
    /// </summary>
    public static int FusableSigmoidIndex(EquatableArray<Layer> decoder)
    {
        for (int index = decoder.Count - 1; index >= 0; index--)
        {
            if (decoder[index] is ActivationLayer { Kind: ActivationFunction.Sigmoid })
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

    private static Shape? CheckInput(EquatableArray<long> dims, List<ShapeError> errors)
    {
        if (dims.Count == 0 || dims.Any(dim => dim <= 0))
        {
            errors.Add(new ShapeError(ModelPart.Input, -1, ShapeErrorKind.InvalidArgument, $"The input shape needs one or more positive dimensions, but got {Literals.List(dims)}."));
            return null;
        }

        var input = Shape.Of(dims);
        try
        {
            _ = input.Size;
            return input;
        }
        catch (OverflowException)
        {
            errors.Add(new ShapeError(ModelPart.Input, -1, ShapeErrorKind.TooLarge, $"The input shape {input} holds more elements than 64-bit arithmetic can count; declare a smaller input."));
            return null;
        }
    }

    /// <summary>The latent heads map the encoder's features (and the condition) to the code: a vector in, a weight that TorchSharp can hold.</summary>
    private static void CheckHeads(Shape features, Architecture architecture, List<ShapeError> errors)
    {
        if (architecture.Quantized && features.Rank > 3)
        {
            errors.Add(new ShapeError(
                ModelPart.Latent,
                -1,
                ShapeErrorKind.LatentInput,
                $"A vector quantizer reads a feature vector, a sequence [C, L] or a feature map [C, H, W], but the encoder ends with {features}; end the encoder with one of them."));
            return;
        }

        if (features.Rank != 1 && !architecture.Quantized)
        {
            errors.Add(new ShapeError(
                ModelPart.Latent,
                -1,
                ShapeErrorKind.LatentInput,
                $"The latent heads map a feature vector to the code, but the encoder ends with {features}; end the encoder with Flatten."));
            return;
        }

        long weight;
        try
        {
            // A quantized code maps each position's channels, a vector's features being its one position's.
            weight = checked(((architecture.Quantized ? features.Dims[0] : features.Last) + architecture.ConditionWidth) * architecture.LatentDim);
        }
        catch (OverflowException)
        {
            weight = long.MaxValue;
        }

        if (weight > Layer.MaxWeightElements)
        {
            errors.Add(new ShapeError(
                ModelPart.Latent,
                -1,
                ShapeErrorKind.TooLarge,
                Invariant($"The latent heads map {features.Last} features to {architecture.LatentDim} numbers, a weight of more than the {Layer.MaxWeightElements} elements TorchSharp can save in one tensor; make the encoder's last layer or LatentDim smaller.")));
        }
    }

    /// <summary>
    /// Applies each layer in turn, recording every output shape, up to the first failure; every later layer's own
    /// arguments are still checked, since they are wrong whatever the shapes. Returns the stack's output, or null.
    /// </summary>
    private static Shape? Walk(ModelPart part, Shape? input, EquatableArray<Layer> layers, List<Shape> shapes, List<ShapeError> errors)
    {
        var current = input;
        for (int index = 0; index < layers.Count; index++)
        {
            if (current is null)
            {
                if (layers[index].Validate() is { } invalid)
                {
                    errors.Add(new ShapeError(part, index, invalid.ErrorKind, invalid.Error!));
                }

                continue;
            }

            var outcome = layers[index].Apply(current);
            if (outcome.Output is null)
            {
                errors.Add(new ShapeError(part, index, outcome.ErrorKind, outcome.Error!));
            }
            else
            {
                shapes.Add(outcome.Output);
            }

            current = outcome.Output;
        }

        return current;
    }
}
