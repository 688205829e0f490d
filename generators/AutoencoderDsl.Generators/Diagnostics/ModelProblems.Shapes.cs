using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Export;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Parsing;
using AutoencoderDsl.Generators.Parts;
using AutoencoderDsl.Generators.Shapes;
using Microsoft.CodeAnalysis;

namespace AutoencoderDsl.Generators.Diagnostics;

/// <summary>Shape inference's errors, each located at the attribute that causes it, and the modelling warnings.</summary>
public static partial class ModelProblems
{
    /// <summary>Every independent shape error, each at its own attribute; the modelling warnings, if asked for, when there is none.</summary>
    private static void FindShapeProblems(ModelReading reading, InferenceResult result, bool withWarnings, List<ModelProblem> problems)
    {
        var parts = reading.ToParts();
        var architecture = ModelDescription.ArchitectureOf(parts);
        if (!result.Succeeded)
        {
            problems.AddRange(result.Errors.Select(error => ShapeProblem(reading, architecture, result, error)));
        }
        else if (withWarnings)
        {
            problems.AddRange(FindModellingWarnings(reading, parts, architecture));
        }
    }

    private static ModelProblem ShapeProblem(ModelReading reading, Architecture architecture, InferenceResult result, ShapeError error)
    {
        var type = reading.Type;
        var encoder = reading.Encoder!;
        var decoder = reading.Decoder!;
        var input = Shape.Of(architecture.Input);
        var latent = result.CodeShape ?? new Shape(architecture.DecoderInputWidth);
        switch (error.Part)
        {
            case ModelPart.Input:
                return Problem(DescriptorFor(error.Kind), LocationOf(reading.InputAttributes[0], type), error.Message);
            case ModelPart.Encoder:
            case ModelPart.Decoder:
                var stack = error.Part == ModelPart.Encoder ? encoder : decoder;
                var shapes = error.Part == ModelPart.Encoder ? result.EncoderShapes : result.DecoderShapes;
                // An argument error after a stack's first shape error has no known input shape.
                var layerInput = error.LayerIndex == 0 ? (error.Part == ModelPart.Encoder ? input : latent)
                    : error.LayerIndex <= shapes.Count ? shapes[error.LayerIndex - 1]
                    : null;
                var layerLocation = LayerLocation(stack, error.LayerIndex, type);
                var flatten = error.Kind == ShapeErrorKind.WrongRank && stack.Layers[error.LayerIndex].Layer is DenseLayer && layerInput is { Rank: > 1 }
                    ? new ProblemFix(FixKind.InsertLayerBefore, layerLocation, "Flatten")
                    : null;
                return Problem(DescriptorFor(error.Kind), layerLocation, flatten, error.Message);
            case ModelPart.Latent when error.Kind == ShapeErrorKind.LatentInput:
                return Problem(DescriptorFor(error.Kind), LastLayerLocation(encoder, type), FlattenForLatent(encoder, input, result.EncoderShapes, type), error.Message);
            case ModelPart.Latent:
                return Problem(DescriptorFor(error.Kind), ArgumentLocation(reading.ModelAttribute!, nameof(ModelAttribute.LatentDim), type), error.Message);
            default:
                var output = result.DecoderShapes.Count > 0 ? result.DecoderShapes[result.DecoderShapes.Count - 1] : latent;
                var (hint, unflatten) = OutputHint(input, output, decoder, type);
                return Problem(DescriptorFor(error.Kind), LastLayerLocation(decoder, type), unflatten, output.ToString(), input.ToString(), hint);
        }
    }

    /// <summary>
    /// Each shape-error kind has its own descriptor; a kind added later falls back to <see cref="DiagnosticDescriptors.InvalidArgument"/>
    /// until it gets one (a test requires that it does).
    /// </summary>
    public static DiagnosticDescriptor DescriptorFor(ShapeErrorKind kind) => kind switch
    {
        ShapeErrorKind.WrongRank => DiagnosticDescriptors.WrongRank,
        ShapeErrorKind.EmptyOutput => DiagnosticDescriptors.EmptyOutput,
        ShapeErrorKind.ElementCountMismatch => DiagnosticDescriptors.ElementCountMismatch,
        ShapeErrorKind.LatentInput => DiagnosticDescriptors.EncoderOutputNotVector,
        ShapeErrorKind.OutputMismatch => DiagnosticDescriptors.OutputShapeMismatch,
        ShapeErrorKind.TooLarge => DiagnosticDescriptors.TooLarge,
        _ => DiagnosticDescriptors.InvalidArgument,
    };

    /// <summary>Flatten goes before the first dense layer that receives a feature map, else at the end of the encoder.</summary>
    private static ProblemFix? FlattenForLatent(StackReading encoder, Shape input, EquatableArray<Shape> shapes, INamedTypeSymbol type)
    {
        for (int index = 0; index < encoder.Layers.Length; index++)
        {
            var layerInput = index == 0 ? input : shapes[index - 1];
            if (encoder.Layers[index].Layer is DenseLayer && layerInput.Rank > 1)
            {
                return new ProblemFix(FixKind.InsertLayerBefore, LayerLocation(encoder, index, type), "Flatten");
            }
        }

        return encoder.Layers.IsEmpty ? null : new ProblemFix(FixKind.InsertLayerAfter, LastLayerLocation(encoder, type), "Flatten");
    }

    private static (string Hint, ProblemFix? Fix) OutputHint(Shape input, Shape output, StackReading decoder, INamedTypeSymbol type)
    {
        var unflatten = "Unflatten(" + string.Join(", ", input.Dims.Select(Number)) + ")";
        if (output.Rank != 1)
        {
            return ($"its last layers must produce {input}", null);
        }

        if (output.Size == input.Size)
        {
            var fix = decoder.Layers.IsEmpty ? null : new ProblemFix(FixKind.InsertLayerAfter, LastLayerLocation(decoder, type), unflatten);
            return ($"end the decoder with {unflatten}", fix);
        }

        return input.Rank == 1
            ? ($"end the decoder with Dense({Number(input.Size)})", null)
            : ($"end the decoder with Dense({Number(input.Size)}) and {unflatten}", null);
    }

    private static IEnumerable<ModelProblem> FindModellingWarnings(ModelReading reading, EquatableArray<Part> parts, Architecture architecture)
    {
        var type = reading.Type;
        var encoder = reading.Encoder!;
        var decoder = reading.Decoder!;

        if (reading.Model!.Likelihood == Likelihood.Bernoulli && !decoder.Layers.IsEmpty && ShapeInference.FusableSigmoidIndex(architecture.Decoder) < 0)
        {
            int last = LastComputingIndex(architecture.Decoder);
            var fix = last >= 0 && architecture.Decoder[last] is ActivationLayer
                ? new ProblemFix(FixKind.ReplaceLayer, LayerLocation(decoder, last, type), "Sigmoid")
                : new ProblemFix(FixKind.InsertLayerAfter, LastLayerLocation(decoder, type), "Sigmoid");
            var ending = architecture.Decoder[last >= 0 ? last : architecture.Decoder.Count - 1].Name;
            yield return Problem(DiagnosticDescriptors.BernoulliOutputUnbounded, LastLayerLocation(decoder, type), fix, ending);
        }

        // Each of these keeps an overcomplete code from learning the identity.
        var inputSize = Shape.Of(architecture.Input).Size;
        bool regularised = parts.OfType<KlPart>().Any(kl => kl.Beta > 0)
            || parts.OfType<QuantizationPart>().Any()
            || parts.OfType<DenoisingPart>().Any()
            || parts.OfType<SparsityPart>().Any()
            || architecture.Encoder.Any(layer => layer is DropoutLayer or Dropout2dLayer);
        if (architecture.LatentDim >= inputSize && !regularised)
        {
            yield return Problem(
                DiagnosticDescriptors.LatentNotBottleneck,
                ArgumentLocation(reading.ModelAttribute!, nameof(ModelAttribute.LatentDim), type),
                Number(architecture.LatentDim),
                Number(inputSize));
        }

        int squashing = LastComputingIndex(architecture.Encoder);
        if (squashing >= 0 && architecture.Encoder[squashing] is ActivationLayer { Kind: ActivationFunction.Sigmoid or ActivationFunction.Tanh } activation)
        {
            var location = LayerLocation(encoder, squashing, type);
            yield return Problem(DiagnosticDescriptors.SquashedLatentInput, location, new ProblemFix(FixKind.RemoveAttribute, location), activation.Name);
        }
    }

    /// <summary>The last layer that computes rather than rearranges, or -1.</summary>
    private static int LastComputingIndex(EquatableArray<Layer> layers)
    {
        for (int index = layers.Count - 1; index >= 0; index--)
        {
            if (!layers[index].RearrangesOnly)
            {
                return index;
            }
        }

        return -1;
    }
}
