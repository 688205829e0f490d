using System.Collections.Immutable;
using System.Linq;
using AutoencoderDsl.Generators.Parsing;
using AutoencoderDsl.Generators.Parts;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AutoencoderDsl.Generators.Diagnostics;

/// <summary>
/// Reports every <see cref="ModelProblems"/> of each type, at the attribute or keyword that causes it, and every call
/// that leaves out the labels a class-conditional model needs (<see cref="DiagnosticDescriptors.CallWithoutLabels"/>)
/// or passes a number for them (<see cref="DiagnosticDescriptors.NumberAsLabels"/>).
/// </summary>
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
        DiagnosticDescriptors.CallWithoutLabels,
        DiagnosticDescriptors.NumberAsLabels,
        DiagnosticDescriptors.InvalidQuantizer,
        DiagnosticDescriptors.QuantizedCombination,
        DiagnosticDescriptors.InvalidNeighbourhood,
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
            var withoutLabels = start.Compilation.GetTypeByMetadataName(typeof(WithoutLabelsAttribute).FullName!);
            var conditional = start.Compilation.GetTypeByMetadataName(typeof(ClassConditionalAttribute).FullName!);
            if (withoutLabels is not null && conditional is not null)
            {
                start.RegisterOperationAction(context => AnalyzeCall(context, withoutLabels, conditional), OperationKind.Invocation);
            }
        });
    }

    /// <summary>A runtime method that takes no labels, called on a class-conditional model: it would throw when it ran.</summary>
    private static void AnalyzeCall(OperationAnalysisContext context, INamedTypeSymbol withoutLabels, INamedTypeSymbol conditional)
    {
        var call = (IInvocationOperation)context.Operation;
        if (call.Instance?.Type is not INamedTypeSymbol receiver)
        {
            return;
        }

        // Most calls are neither, and these two checks of the method are cheaper than walking the receiver's base types.
        bool takesNoLabels = call.TargetMethod.GetAttributes().Any(attribute => SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, withoutLabels));
        if ((!takesNoLabels && !call.TargetMethod.Parameters.Any(parameter => ClassConditioningPart.IsLabelsParameter(parameter.Name)))
            || ConditionalModel(receiver, conditional) is not { } model)
        {
            return;
        }

        ReportNumbersAsLabels(context, call);
        if (takesNoLabels)
        {
            // TorchSharp's call takes one input, so a conditional model's labels go through forward(x, labels).
            var instead = call.TargetMethod.Name == "call" ? "forward" : call.TargetMethod.Name;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.CallWithoutLabels, call.Syntax.GetLocation(), model.Name, call.TargetMethod.Name, instead));
        }
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

    /// <summary>The class-conditional model <paramref name="receiver"/> is or derives from; null for any other type.</summary>
    private static INamedTypeSymbol? ConditionalModel(INamedTypeSymbol receiver, INamedTypeSymbol conditional)
    {
        for (INamedTypeSymbol? type = receiver; type is not null; type = type.BaseType)
        {
            if (type.GetAttributes().Any(attribute => SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, conditional)))
            {
                return type;
            }
        }

        return null;
    }

    /// <summary>
    /// A number given for a labels tensor: TorchSharp converts it implicitly into a 0-d tensor, which the model refuses
    /// only when it runs (<c>Sample(64)</c> binds to <c>Sample(Tensor labels)</c> that way).
    /// </summary>
    private static void ReportNumbersAsLabels(OperationAnalysisContext context, IInvocationOperation call)
    {
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter is { } parameter
                && ClassConditioningPart.IsLabelsParameter(parameter.Name)
                && argument.Value is IConversionOperation { IsImplicit: true, Conversion.IsUserDefined: true, Operand.Type: { } operand }
                && operand.SpecialType is >= SpecialType.System_SByte and <= SpecialType.System_Double)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NumberAsLabels, argument.Value.Syntax.GetLocation(), call.TargetMethod.Name, parameter.Name));
            }
        }
    }
}
