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
    /// <summary>A partial definition the user has not implemented: the generator must supply (or has supplied) its body.</summary>
    public bool IsPartialWithoutBody =>
        Property.IsPartialDefinition
        && (Property.PartialImplementationPart is null || Property.PartialImplementationPart.DeclaringSyntaxReferences.All(GeneratedCode.IsOurs));
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

    /// <summary>Distils the reading into the equatable model; null when no partial code can be emitted at all.</summary>
    public ModelDeclaration? ToDeclaration(Compilation compilation, CancellationToken cancellationToken)
    {
        // Without partial throughout, or in a file-local type, a generated part would be a separate type.
        if (!ModelProblems.IsPartialThroughout(Type) || ModelProblems.IsFileLocal(Type))
        {
            return null;
        }

        // A property mid-edit gets no body while its type does not bind or it has no getter yet: a body would only
        // repeat the user's error in our file.
        var stacks = new[] { Encoder, Decoder }
            .Where(stack => stack is { IsPartialWithoutBody: true, Property.GetMethod: not null } && !ContainsErrorType(stack.Property.Type))
            .Select(stack => ToStackDeclaration(stack!))
            .ToEquatableArray();
        var architecture = ToArchitecture();
        cancellationToken.ThrowIfCancellationRequested();

        bool generatable = !ModelProblems.Find(this, compilation, cancellationToken).Any(problem => problem.IsError);

        return new ModelDeclaration(
            HintName(Type),
            Type.ContainingNamespace.IsGlobalNamespace ? null : Type.ContainingNamespace.ToDisplayString(EscapedNames),
            ContainingTypeHeaders(Type),
            Header(Type),
            Identifier(Type.Name),
            Kind,
            Likelihood,
            Beta,
            architecture,
            stacks,
            generatable);
    }

    /// <summary>Layer attributes on both parts of a partial property would have no defined order.</summary>
    public static bool IsSplitAcrossDeclarations(IPropertySymbol property) =>
        LayersOnImplementation(property).Any()
        && property.GetAttributes().Any(attribute => IsLayerAttribute(attribute.AttributeClass) && !IsWrittenOn(attribute, property.PartialImplementationPart!));

    /// <summary>
    /// The layer attributes written on the implementing part of a partial property. Roslyn merges both parts'
    /// attributes into each part's <c>GetAttributes()</c>, so where each was written is told by its syntax.
    /// </summary>
    public static IEnumerable<AttributeData> LayersOnImplementation(IPropertySymbol property) =>
        property.PartialImplementationPart is { } implementation
            ? property.GetAttributes().Where(attribute => IsLayerAttribute(attribute.AttributeClass) && IsWrittenOn(attribute, implementation))
            : [];

    private static bool IsWrittenOn(AttributeData attribute, ISymbol part) =>
        attribute.ApplicationSyntaxReference is { } application
        && part.DeclaringSyntaxReferences.Any(declaration =>
            declaration.SyntaxTree == application.SyntaxTree && declaration.Span.Contains(application.Span));

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
            property.Type.ToDisplayString(TypeNames),
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

        // Mid-edit, type N.Outer and namespace N.Outer can both exist (CS0101), and N.Outer.A would name two models.
        return safe + (IsNestedInTypeNamedLikeNamespace(type) ? "+Nested" : string.Empty) + ".g.cs";
    }

    private static bool IsNestedInTypeNamedLikeNamespace(INamedTypeSymbol type)
    {
        var outermost = type;
        while (outermost.ContainingType is { } container)
        {
            outermost = container;
        }

        return !SymbolEqualityComparer.Default.Equals(outermost, type)
            && outermost.ContainingNamespace.GetNamespaceMembers().Any(member => member.Name == outermost.Name);
    }

    /// <summary>The type's keyword, name and type parameters, e.g. <c>record struct Pair&lt;T&gt;</c>: a partial part must repeat the kind.</summary>
    private static string Header(INamedTypeSymbol type)
    {
        var keyword = type.TypeKind switch
        {
            TypeKind.Struct => type.IsRecord ? "record struct " : "struct ",
            TypeKind.Interface => "interface ",
            _ => type.IsRecord ? "record " : "class ",
        };
        return keyword + Identifier(type.Name)
            + (type.TypeParameters.IsEmpty ? string.Empty : "<" + string.Join(", ", type.TypeParameters.Select(parameter => Identifier(parameter.Name))) + ">");
    }

    private static EquatableArray<string> ContainingTypeHeaders(INamedTypeSymbol type)
    {
        var headers = new List<string>();
        for (var current = type.ContainingType; current is not null; current = current.ContainingType)
        {
            headers.Insert(0, "partial " + Header(current));
        }

        return headers.ToEquatableArray();
    }

    /// <summary>A name as code must spell it: a type called <c>@class</c> keeps its <c>@</c>.</summary>
    private static string Identifier(string name) =>
        SyntaxFacts.IsReservedKeyword(SyntaxFacts.GetKeywordKind(name)) ? "@" + name : name;

    /// <summary>Fully qualified and with <c>?</c> where annotated: an implementing part must repeat the declared nullability.</summary>
    private static readonly SymbolDisplayFormat TypeNames = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static bool ContainsErrorType(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => ContainsErrorType(array.ElementType),
        IPointerTypeSymbol pointer => ContainsErrorType(pointer.PointedAtType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsErrorType),
        _ => false,
    };

    private static readonly SymbolDisplayFormat EscapedNames = SymbolDisplayFormat.CSharpErrorMessageFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);
}
