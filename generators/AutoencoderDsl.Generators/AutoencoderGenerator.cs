using AutoencoderDsl.Generators.Emit;
using AutoencoderDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoencoderDsl.Generators;

/// <summary>Turns classes marked <c>[Autoencoder]</c> or <c>[Variational]</c> into TorchSharp modules.</summary>
[Generator(LanguageNames.CSharp)]
public sealed class AutoencoderGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // A class carrying both attributes is invalid; only the [Autoencoder] pipeline emits it, so hint names stay unique.
        var autoencoders = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.AutoencoderAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (context, cancellationToken) =>
                    ModelReading.Read((INamedTypeSymbol)context.TargetSymbol, cancellationToken)
                        .ToDeclaration(context.SemanticModel.Compilation, cancellationToken))
            .WithTrackingName(TrackingNames.Autoencoders);

        var variationals = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.VariationalAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (context, cancellationToken) =>
                {
                    var reading = ModelReading.Read((INamedTypeSymbol)context.TargetSymbol, cancellationToken);
                    return reading.ModelAttributes.Length > 1
                        ? null
                        : reading.ToDeclaration(context.SemanticModel.Compilation, cancellationToken);
                })
            .WithTrackingName(TrackingNames.Variationals);

        Register(context, autoencoders);
        Register(context, variationals);
    }

    private static void Register(IncrementalGeneratorInitializationContext context, IncrementalValuesProvider<Model.ModelDeclaration?> models) =>
        context.RegisterSourceOutput(
            models.Where(static model => model is not null).WithTrackingName(TrackingNames.Declared),
            static (output, model) => output.AddSource(model!.HintName, ModelEmitter.Emit(model)));
}
