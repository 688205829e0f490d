using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Generators.Model;
using AutoencoderDsl.Generators.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoencoderDsl.Generators.Parsing;

/// <summary>One layer attribute and the layer it denotes (null when its arguments are missing or unbound).</summary>
public sealed record LayerReading(AttributeData Attribute, Layer? Layer);

/// <summary>An <c>Encoder</c> or <c>Decoder</c> member and its layer attributes.</summary>
public sealed record StackReading(IPropertySymbol Property, ImmutableArray<LayerReading> Layers)
{
    /// <summary>A declaration the generator can implement: a get-only, non-static, partial property of type Sequential.</summary>
    public bool IsImplementablePartial(Compilation compilation) =>
        IsPartialWithoutBody
        && !Property.IsStatic
        && Property.SetMethod is null
        && SymbolEqualityComparer.Default.Equals(Property.Type, compilation.GetTypeByMetadataName(KnownNames.SequentialType));

    /// <summary>A partial definition nobody has implemented yet: the generator must supply its body.</summary>
    public bool IsPartialWithoutBody => Property.IsPartialDefinition && Property.PartialImplementationPart is null;
}

/// <summary>
/// What a model class declares, read from its symbol. It keeps the attributes (and so their locations) for the
/// analyzers; <see cref="ToDeclaration"/> distils it into the value-equatable model the generator caches.
/// </summary>
public sealed class ModelReading
{
    private ModelReading(
        INamedTypeSymbol type,
        ImmutableArray<AttributeData> modelAttributes,
        ImmutableArray<AttributeData> inputAttributes,
        StackReading? encoder,
        StackReading? decoder)
    {
        Type = type;
        ModelAttributes = modelAttributes;
        InputAttributes = inputAttributes;
        Encoder = encoder;
        Decoder = decoder;
    }

    public INamedTypeSymbol Type { get; }

    /// <summary>Every <c>[Autoencoder]</c> and <c>[Variational]</c> on the class; exactly one is valid.</summary>
    public ImmutableArray<AttributeData> ModelAttributes { get; }

    public ImmutableArray<AttributeData> InputAttributes { get; }

    public StackReading? Encoder { get; }

    public StackReading? Decoder { get; }

    public AttributeData? ModelAttribute => ModelAttributes.Length == 1 ? ModelAttributes[0] : null;

    public ModelKind Kind =>
        ModelAttribute?.AttributeClass?.ToDisplayString() == KnownNames.VariationalAttribute ? ModelKind.Variational : ModelKind.Autoencoder;

    public long LatentDim => NamedInteger(ModelAttribute, KnownNames.LatentDim) ?? 0;

    public double Beta =>
        Kind == ModelKind.Variational
            ? ModelAttribute is { } attribute && Named(attribute, KnownNames.Beta) is { Value: double beta } ? beta : 1.0
            : 0.0;

    public LikelihoodKind Likelihood =>
        (LikelihoodKind)(NamedInteger(ModelAttribute, KnownNames.Likelihood) ?? (long)LikelihoodKind.Bernoulli);

    /// <summary>The declared input shape, or null when <c>[Input]</c> is missing, repeated or unbound.</summary>
    public EquatableArray<long>? InputShape =>
        InputAttributes.Length == 1 && InputAttributes[0].ConstructorArguments is [{ Kind: TypedConstantKind.Array }]
            ? AttributeValues.Of(InputAttributes[0]).Integers(0)
            : null;

    public static ModelReading Read(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var attributes = type.GetAttributes();
        var modelAttributes = attributes.Where(attribute => IsModelAttribute(attribute.AttributeClass)).ToImmutableArray();
        var inputAttributes = attributes.Where(attribute => attribute.AttributeClass?.ToDisplayString() == KnownNames.InputAttribute).ToImmutableArray();
        cancellationToken.ThrowIfCancellationRequested();
        return new ModelReading(
            type,
            modelAttributes,
            inputAttributes,
            ReadStack(type, KnownNames.EncoderProperty, cancellationToken),
            ReadStack(type, KnownNames.DecoderProperty, cancellationToken));
    }

    public static bool IsModelAttribute(INamedTypeSymbol? attributeClass) =>
        attributeClass?.ToDisplayString() is KnownNames.AutoencoderAttribute or KnownNames.VariationalAttribute;

    /// <summary>The architecture as declared; missing parts are empty, so shape inference reports them.</summary>
    public Architecture ToArchitecture() =>
        new(
            InputShape ?? EquatableArray<long>.Empty,
            LayersOf(Encoder),
            LatentDim,
            LayersOf(Decoder));

    /// <summary>True when every declaring part of the class and of its containing types is <c>partial</c>.</summary>
    public bool IsPartialThroughout()
    {
        for (var current = Type; current is not null; current = current.ContainingType)
        {
            if (!current.DeclaringSyntaxReferences.All(reference =>
                    reference.GetSyntax() is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Distils the reading into the equatable model; null when no partial code can be emitted at all.</summary>
    public ModelDeclaration? ToDeclaration(Compilation compilation, CancellationToken cancellationToken)
    {
        if (!IsPartialThroughout())
        {
            return null;
        }

        var stacks = new[] { Encoder, Decoder }
            .Where(stack => stack is { IsPartialWithoutBody: true })
            .Select(stack => ToStackDeclaration(stack!))
            .ToEquatableArray();
        var architecture = ToArchitecture();
        cancellationToken.ThrowIfCancellationRequested();

        bool generatable =
            ModelAttribute is not null
            && Type.TypeParameters.IsEmpty
            && !Type.IsStatic
            && !Type.IsRecord
            && Encoder?.IsImplementablePartial(compilation) == true
            && Decoder?.IsImplementablePartial(compilation) == true
            && Encoder.Layers.Concat(Decoder.Layers).All(layer => layer.Layer is not null)
            && !IsSplitAcrossDeclarations(Encoder.Property)
            && !IsSplitAcrossDeclarations(Decoder.Property)
            && Beta >= 0 && !double.IsInfinity(Beta) && !double.IsNaN(Beta)
            && System.Enum.IsDefined(typeof(LikelihoodKind), Likelihood)
            && ShapeInference.Run(architecture).Succeeded;

        return new ModelDeclaration(
            HintName(Type),
            Type.ContainingNamespace.IsGlobalNamespace ? null : Type.ContainingNamespace.ToDisplayString(),
            ContainingTypeHeaders(Type),
            Header(Type),
            Type.Name,
            Kind,
            Likelihood,
            Beta,
            architecture,
            stacks,
            generatable);
    }

    /// <summary>Layer attributes on both parts of a partial property would have no defined order.</summary>
    public static bool IsSplitAcrossDeclarations(IPropertySymbol property) =>
        property.PartialImplementationPart is { } implementation
        && implementation.GetAttributes().Any(attribute => IsLayerAttribute(attribute.AttributeClass))
        && property.GetAttributes().Any(attribute => IsLayerAttribute(attribute.AttributeClass));

    public static bool IsLayerAttribute(INamedTypeSymbol? attributeClass)
    {
        for (var current = attributeClass?.BaseType; current is not null; current = current.BaseType)
        {
            if (current.ToDisplayString() == KnownNames.LayerAttribute)
            {
                return true;
            }
        }

        return false;
    }

    private static StackReading? ReadStack(INamedTypeSymbol type, string name, CancellationToken cancellationToken)
    {
        if (type.GetMembers(name).OfType<IPropertySymbol>().FirstOrDefault() is not { } property)
        {
            return null;
        }

        var layers = ImmutableArray.CreateBuilder<LayerReading>();
        foreach (var attribute in property.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsLayerAttribute(attribute.AttributeClass))
            {
                layers.Add(new LayerReading(attribute, LayerCatalog.Create(attribute.AttributeClass!.Name, AttributeValues.Of(attribute))));
            }
        }

        return new StackReading(property, layers.ToImmutable());
    }

    private static EquatableArray<Layer> LayersOf(StackReading? stack) =>
        stack is null || stack.Layers.Any(layer => layer.Layer is null)
            ? EquatableArray<Layer>.Empty
            : stack.Layers.Select(layer => layer.Layer!).ToEquatableArray();

    private static StackDeclaration ToStackDeclaration(StackReading stack)
    {
        var property = stack.Property;
        var syntax = property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as PropertyDeclarationSyntax;
        var modifiers = syntax is null ? "public partial" : string.Join(" ", syntax.Modifiers.Select(modifier => modifier.Text));
        return new StackDeclaration(
            property.Name,
            modifiers,
            property.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            LayersOf(stack),
            HasSetter: property.SetMethod is not null,
            SetterIsInit: property.SetMethod?.IsInitOnly == true);
    }

    private static TypedConstant? Named(AttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name)
            {
                return argument.Value;
            }
        }

        return null;
    }

    private static long? NamedInteger(AttributeData? attribute, string name) =>
        attribute is not null && Named(attribute, name) is { Kind: not TypedConstantKind.Error, Value: int value } ? value : null;

    private static string HintName(INamedTypeSymbol type)
    {
        var name = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty);
        var safe = new string(name.Select(character => char.IsLetterOrDigit(character) || character == '.' ? character : '_').ToArray());
        return safe + ".g.cs";
    }

    private static string Header(INamedTypeSymbol type) =>
        (type.IsRecord ? "record " : "class ") + type.Name
        + (type.TypeParameters.IsEmpty ? string.Empty : "<" + string.Join(", ", type.TypeParameters.Select(parameter => parameter.Name)) + ">");

    private static EquatableArray<string> ContainingTypeHeaders(INamedTypeSymbol type)
    {
        var headers = new List<string>();
        for (var current = type.ContainingType; current is not null; current = current.ContainingType)
        {
            var keyword = current.TypeKind switch
            {
                TypeKind.Struct => current.IsRecord ? "record struct " : "struct ",
                TypeKind.Interface => "interface ",
                _ => current.IsRecord ? "record " : "class ",
            };
            headers.Insert(0, "partial " + keyword + current.Name
                + (current.TypeParameters.IsEmpty ? string.Empty : "<" + string.Join(", ", current.TypeParameters.Select(parameter => parameter.Name)) + ">"));
        }

        return headers.ToEquatableArray();
    }
}
