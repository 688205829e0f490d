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
    public static ImmutableArray<ModelProblem> Find(ModelReading reading, Compilation compilation, CancellationToken cancellationToken) =>
        Search(reading, compilation, untilFirstError: false, cancellationToken).ToImmutableArray();

    /// <summary>
    /// Whether the declaration has an error, which keeps the generator from emitting it. The rules are those of
    /// <see cref="Find"/>, so the generator and the analyzers agree, but the search stops once a group of rules has
    /// found an error and never looks for the modelling warnings, which cannot change the answer.
    /// </summary>
    public static bool HasError(ModelReading reading, Compilation compilation, CancellationToken cancellationToken) =>
        Search(reading, compilation, untilFirstError: true, cancellationToken).Exists(problem => problem.IsError);

    private static List<ModelProblem> Search(ModelReading reading, Compilation compilation, bool untilFirstError, CancellationToken cancellationToken)
    {
        var problems = new List<ModelProblem>();
        if (reading.ModelAttributes.IsEmpty)
        {
            FindUndeclaredModel(reading.Type, problems);
            return problems;
        }

        bool Done() => untilFirstError && problems.Exists(problem => problem.IsError);

        FindTypeProblems(reading, problems);
        FindModelAttributeProblems(reading, compilation, problems);
        FindPartProblems(reading, problems);
        FindInputProblems(reading, problems);
        FindStackProblems(reading, reading.Encoder, KnownNames.EncoderProperty, compilation, problems);
        FindStackProblems(reading, reading.Decoder, KnownNames.DecoderProperty, compilation, problems);
        FindLayersOutsideStacks(reading.Type, problems);
        cancellationToken.ThrowIfCancellationRequested();
        if (Done())
        {
            return problems;
        }

        // The costlier rules come last: each member the parts generate is looked up in the class, then the shapes.
        FindGeneratedMemberConflicts(reading, problems);
        if (!Done() && reading.Shapes is { } shapes)
        {
            FindShapeProblems(reading, shapes, withWarnings: !untilFirstError, problems);
        }

        return problems;
    }

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
