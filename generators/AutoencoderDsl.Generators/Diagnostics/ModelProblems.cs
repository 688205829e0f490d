using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoencoderDsl.Generators.Diagnostics;

/// <summary>
/// Every rule a model declaration must follow, in one place: the analyzers report these problems and the generator
/// emits a model only when none of them is an error, so the two always agree.
/// </summary>
public static partial class ModelProblems
{
    /// <summary>The problems of a type: as a model if it carries a model attribute, else any DSL attribute it should not have.</summary>
    public static ImmutableArray<ModelProblem> Find(ModelReading reading, Compilation compilation, CancellationToken cancellationToken)
    {
        var problems = new List<ModelProblem>();
        if (reading.ModelAttributes.IsEmpty)
        {
            FindUndeclaredModel(reading.Type, problems);
            return problems.ToImmutableArray();
        }

        FindTypeProblems(reading, problems);
        FindModelAttributeProblems(reading, compilation, problems);
        FindPartProblems(reading, problems);
        FindInputProblems(reading, problems);
        FindStackProblems(reading, reading.Encoder, KnownNames.EncoderProperty, compilation, problems);
        FindStackProblems(reading, reading.Decoder, KnownNames.DecoderProperty, compilation, problems);
        FindLayersOutsideStacks(reading.Type, problems);
        FindGeneratedMemberConflicts(reading, problems);
        cancellationToken.ThrowIfCancellationRequested();
        if (HasReadableArchitecture(reading))
        {
            FindShapeProblems(reading, problems);
        }

        return problems.ToImmutableArray();
    }

    /// <summary>
    /// Shapes are inferred only when every piece they depend on could be read, so a missing or unbound piece is reported
    /// once, and not again as the shape error its absence would cause.
    /// </summary>
    private static bool HasReadableArchitecture(ModelReading reading) =>
        reading.Model is { } model
        && Enum.IsDefined(typeof(Likelihood), model.Likelihood)
        && reading.InputShape is not null
        && reading.Encoder is not null
        && reading.Decoder is not null
        && reading.Encoder.Layers.Concat(reading.Decoder.Layers).All(layer => layer.Layer is not null)
        && reading.PartAttributes.All(part => part.Instance is not null)
        && reading.Part<ClassConditionalAttribute>() is null or { Classes: >= 2 };

    /// <summary>The declarations of <paramref name="type"/> that lack <c>partial</c>.</summary>
    public static IEnumerable<TypeDeclarationSyntax> NonPartialDeclarations(INamedTypeSymbol type) =>
        UserDeclarations<TypeDeclarationSyntax>(type).Where(declaration => !declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    /// <summary>True when every declaration of the type and of the types containing it is <c>partial</c>.</summary>
    public static bool IsPartialThroughout(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (NonPartialDeclarations(current).Any())
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A type that is not partial but contains a model: reported on the container itself, so the diagnostic is local
    /// to the symbol the analyzer is visiting (the IDE shows non-local ones only in full-solution analysis).
    /// </summary>
    public static ImmutableArray<ModelProblem> FindAsContainer(INamedTypeSymbol type)
    {
        var declarations = NonPartialDeclarations(type).ToList();
        if (declarations.Count == 0 || NestedModels(type).FirstOrDefault() is not { } model)
        {
            return ImmutableArray<ModelProblem>.Empty;
        }

        return declarations
            .Select(declaration => Problem(DiagnosticDescriptors.ContainingTypeNotPartial, declaration.Identifier.GetLocation(), new ProblemFix(FixKind.MakePartial), type.Name, model.Name))
            .ToImmutableArray();
    }

    private static IEnumerable<INamedTypeSymbol> NestedModels(INamedTypeSymbol type) =>
        type.GetTypeMembers().SelectMany(nested =>
            nested.GetAttributes().Any(attribute => ModelReading.IsModelAttribute(attribute.AttributeClass))
                ? NestedModels(nested).Prepend(nested)
                : NestedModels(nested));

    /// <summary>A file-local type (or one nested in it) cannot be extended from the generator's file at all.</summary>
    public static bool IsFileLocal(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsFileLocal)
            {
                return true;
            }
        }

        return false;
    }
}
