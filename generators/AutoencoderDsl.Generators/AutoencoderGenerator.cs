using System.Linq;
using System.Threading;
using AutoencoderDsl.Generators.Emit;
using AutoencoderDsl.Generators.Parsing;
using AutoencoderDsl.Generators.Parts;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoencoderDsl.Generators;

/// <summary>
/// Turns classes marked <c>[Autoencoder]</c>, <c>[Variational]</c> or <c>[VectorQuantized]</c> into TorchSharp modules, in four steps: read the
/// declaration (<see cref="ModelReading"/>), describe its parts (<see cref="ModelParts"/>), infer its shapes
/// (<see cref="Shapes.ShapeInference"/>) and emit the class (<see cref="ModelEmitter"/>).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class AutoencoderGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var autoencoders = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownNames.AutoencoderAttribute, static (node, _) => node is TypeDeclarationSyntax, Declare)
            .WithTrackingName(TrackingNames.Autoencoders);

        var variationals = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownNames.VariationalAttribute, static (node, _) => node is TypeDeclarationSyntax, Declare)
            .WithTrackingName(TrackingNames.Variationals);

        var quantized = context.SyntaxProvider
            .ForAttributeWithMetadataName(KnownNames.VectorQuantizedAttribute, static (node, _) => node is TypeDeclarationSyntax, Declare)
            .WithTrackingName(TrackingNames.VectorQuantized);

        Register(context, autoencoders);
        Register(context, variationals);
        Register(context, quantized);
    }

    /// <summary>
    /// A class can carry several model attributes (an error), on one part or on several, and each pipeline visits each
    /// part that has its attribute. Only the visit of the part holding the class's first model attribute, in that
    /// attribute's pipeline, declares the model, so it is emitted once and its hint name stays unique.
    /// </summary>
    private static ModelDescription? Declare(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var reading = ModelReading.Read((INamedTypeSymbol)context.TargetSymbol, context.SemanticModel.Compilation, cancellationToken);
        var first = reading.ModelAttributes.FirstOrDefault()?.ApplicationSyntaxReference;
        bool declaresHere = first is not null
            && first.SyntaxTree == context.TargetNode.SyntaxTree
            && context.TargetNode.Span.Contains(first.Span)
            && context.Attributes.Any(attribute => attribute.ApplicationSyntaxReference?.Span == first.Span);
        return declaresHere ? reading.ToDescription(context.SemanticModel.Compilation, cancellationToken) : null;
    }

    private static void Register(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<ModelDescription?> models) =>
        context.RegisterSourceOutput(
            models.Where(static model => model is not null).WithTrackingName(TrackingNames.Declared),
            static (output, model) => output.AddSource(model!.HintName, ModelEmitter.Emit(model)));
}
