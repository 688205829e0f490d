using System.Collections.Immutable;
using AutoencoderDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AutoencoderDsl.Generators.Diagnostics;

/// <summary>Reports every <see cref="ModelProblems"/> of each type, at the attribute or keyword that causes it.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        DiagnosticDescriptors.ModelNotPartial,
        DiagnosticDescriptors.ContainingTypeNotPartial,
        DiagnosticDescriptors.UnsupportedModelType,
        DiagnosticDescriptors.ModelBaseClass,
        DiagnosticDescriptors.ConflictingModelAttributes,
        DiagnosticDescriptors.MissingModelAttribute,
        DiagnosticDescriptors.MissingInput,
        DiagnosticDescriptors.RepeatedInput,
        DiagnosticDescriptors.MissingStackProperty,
        DiagnosticDescriptors.WrongStackMember,
        DiagnosticDescriptors.StackNotPartial,
        DiagnosticDescriptors.StackAccessors,
        DiagnosticDescriptors.StackSplitAcrossDeclarations,
        DiagnosticDescriptors.LayerOutsideStack,
        DiagnosticDescriptors.UnknownLayer,
        DiagnosticDescriptors.UnboundArguments,
        DiagnosticDescriptors.InvalidBeta,
        DiagnosticDescriptors.InvalidLikelihood,
        DiagnosticDescriptors.InvalidArgument,
        DiagnosticDescriptors.WrongRank,
        DiagnosticDescriptors.EmptyOutput,
        DiagnosticDescriptors.ElementCountMismatch,
        DiagnosticDescriptors.EncoderOutputNotVector,
        DiagnosticDescriptors.OutputShapeMismatch,
        DiagnosticDescriptors.BernoulliOutputUnbounded,
        DiagnosticDescriptors.LatentNotBottleneck,
        DiagnosticDescriptors.SquashedLatentInput,
        DiagnosticDescriptors.GeneratedMemberConflict,
        DiagnosticDescriptors.InvalidClassCount,
        DiagnosticDescriptors.InvalidSparsity,
        DiagnosticDescriptors.SparsityWithoutDeterministicCode,
        DiagnosticDescriptors.InvalidNoise,
        DiagnosticDescriptors.InvalidWarmup,
        DiagnosticDescriptors.LikelihoodOption,
        DiagnosticDescriptors.TooLarge,
        DiagnosticDescriptors.RepeatedPart,
        DiagnosticDescriptors.ModelNamedLikeGeneratedMember,
    ];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            // A compilation that does not reference the runtime cannot declare a model: skip every type at no cost.
            if (start.Compilation.GetTypeByMetadataName(typeof(LayerAttribute).FullName!) is null)
            {
                return;
            }

            start.RegisterSymbolAction(Analyze, SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var reading = ModelReading.Read(type, context.Compilation, context.CancellationToken);
        foreach (var problem in ModelProblems.Find(reading, context.Compilation, context.CancellationToken).AddRange(ModelProblems.FindAsContainer(type)))
        {
            context.ReportDiagnostic(problem.ToDiagnostic());
        }
    }
}
