using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Generators.Parsing;
using AutoencoderDsl.Generators.Parts;
using Microsoft.CodeAnalysis;

namespace AutoencoderDsl.Generators.Diagnostics;

/// <summary>
/// The options of the model attribute and the arguments of every part attribute: whether each part attribute could be
/// built and is there once here, and each part's own rules beside the part (its <c>FindProblems</c>).
/// </summary>
public static partial class ModelProblems
{
    /// <summary>The model attribute's options, by the parts they describe: the likelihood and, for a VAE, the KL term.</summary>
    private static void FindModelOptionProblems(ModelReading reading, AttributeData attribute, List<ModelProblem> problems)
    {
        if (reading.Model is not { } model)
        {
            return;
        }

        var report = new AttributeProblems(attribute, reading.Type, problems);
        ReconstructionPart.FindProblems(model, report);
        if (model is VariationalAttribute variational)
        {
            KlPart.FindProblems(variational, report);
        }

        if (model is VectorQuantizedAttribute quantized)
        {
            QuantizationPart.FindProblems(quantized, report);
        }
    }

    private static void FindPartProblems(ModelReading reading, List<ModelProblem> problems)
    {
        var type = reading.Type;
        foreach (var part in reading.PartAttributes.Where(part => part.Instance is null))
        {
            problems.Add(Problem(DiagnosticDescriptors.UnboundArguments, LocationOf(part.Attribute, type), ShortName(part.Attribute), "the part cannot be built"));
        }

        // The compiler refuses a repeated part too (CS0579), but the model would otherwise be generated with the first.
        foreach (var repeated in reading.PartAttributes.GroupBy(part => (ISymbol?)part.Attribute.AttributeClass, SymbolEqualityComparer.Default).SelectMany(group => group.Skip(1)))
        {
            problems.Add(Problem(DiagnosticDescriptors.RepeatedPart, LocationOf(repeated.Attribute, type), type.Name, ShortName(repeated.Attribute)));
        }

        if (reading.Part<ClassConditionalAttribute>() is { } conditional)
        {
            ClassConditioningPart.FindProblems(conditional, Report<ClassConditionalAttribute>(reading, problems));
        }

        if (reading.Part<SparseAttribute>() is { } sparse)
        {
            SparsityPart.FindProblems(sparse, reading.IsVariational, Report<SparseAttribute>(reading, problems));
        }

        if (reading.Part<DenoisingAttribute>() is { } denoising)
        {
            DenoisingPart.FindProblems(denoising, Report<DenoisingAttribute>(reading, problems));
        }

        if (reading.Part<NeighbourhoodAttribute>() is { } neighbourhood)
        {
            NeighbourhoodPart.FindProblems(neighbourhood, Report<NeighbourhoodAttribute>(reading, problems));
        }

        if (reading.Model is VectorQuantizedAttribute)
        {
            FindQuantizedCombinationProblems(reading, problems);
        }
    }

    /// <summary>The parts a vector-quantized code cannot take, each reported at its attribute.</summary>
    private static void FindQuantizedCombinationProblems(ModelReading reading, List<ModelProblem> problems)
    {
        if (reading.Part<SparseAttribute>() is not null)
        {
            Report<SparseAttribute>(reading, problems).Report(
                DiagnosticDescriptors.QuantizedCombination,
                null,
                FixKind.RemoveAttribute,
                "[Sparse]",
                reading.Type.Name,
                "a sparsity penalty needs a code of activations, but a quantized code is a choice among the codebook's vectors, already as compact as log2(Codes) bits a position; remove [Sparse]");
        }

        if (reading.Part<NeighbourhoodAttribute>() is not null)
        {
            Report<NeighbourhoodAttribute>(reading, problems).Report(
                DiagnosticDescriptors.QuantizedCombination,
                null,
                FixKind.RemoveAttribute,
                "[Neighbourhood]",
                reading.Type.Name,
                "the neighbourhood term lays examples out by their distances in a continuous code, but a quantized code puts each example on one of the codebook's vectors, so the distances it would read are between codebook vectors; remove [Neighbourhood], or declare [Autoencoder] or [Variational]");
        }

        if (reading.Part<ClassConditionalAttribute>() is not null)
        {
            Report<ClassConditionalAttribute>(reading, problems).Report(
                DiagnosticDescriptors.QuantizedCombination,
                null,
                FixKind.RemoveAttribute,
                "[ClassConditional]",
                reading.Type.Name,
                "the label would have to be joined to every position of the code grid, which this version does not do; declare [Variational] with [ClassConditional] to generate examples of a chosen class, or remove [ClassConditional]");
        }
    }

    /// <summary>Where the part of attribute <typeparamref name="T"/> reports its problems.</summary>
    private static AttributeProblems Report<T>(ModelReading reading, List<ModelProblem> problems)
        where T : ModelPartAttribute => new(reading.PartAttribute<T>()!, reading.Type, problems);
}
