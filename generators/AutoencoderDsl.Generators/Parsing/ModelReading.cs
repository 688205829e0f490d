using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Generators.Diagnostics;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Parts;
using AutoencoderDsl.Generators.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoencoderDsl.Generators.Parsing;

/// <summary>One layer attribute and the layer it denotes (null when it is not ours or its arguments are missing or unbound).</summary>
public sealed record LayerReading(AttributeData Attribute, Layer? Layer);

/// <summary>One part attribute and its instance (null when its arguments are missing or unbound).</summary>
public sealed record PartReading(AttributeData Attribute, ModelPartAttribute? Instance);

/// <summary>An <c>Encoder</c> or <c>Decoder</c> member and its layer attributes.</summary>
public sealed record StackReading(IPropertySymbol Property, ImmutableArray<LayerReading> Layers)
{
    /// <summary>A partial definition the user has not implemented: the generator must supply (or has supplied) its body.</summary>
    public bool IsPartialWithoutBody =>
        Property.IsPartialDefinition
        && (Property.PartialImplementationPart is null || Property.PartialImplementationPart.DeclaringSyntaxReferences.All(GeneratedCode.IsOurs));
}

/// <summary>
/// What a model class declares, read from its symbol (step 1 of the pipeline). It keeps the attributes, and so their
/// locations, for the analyzers; <see cref="ToDescription"/> distils it into the value-equatable model of parts that
/// the generator caches.
/// </summary>
public sealed class ModelReading
{
    private ModelReading(
        INamedTypeSymbol type,
        ImmutableArray<AttributeData> modelAttributes,
        ImmutableArray<AttributeData> inputAttributes,
        ImmutableArray<PartReading> partAttributes,
        StackReading? encoder,
        StackReading? decoder,
        Compilation compilation)
    {
        Type = type;
        ModelAttributes = modelAttributes;
        InputAttributes = inputAttributes;
        PartAttributes = partAttributes;
        Encoder = encoder;
        Decoder = decoder;
        Model = modelAttributes.Length == 1 ? AttributeInstances.Create<ModelAttribute>(modelAttributes[0], compilation) : null;
        var input = inputAttributes.Length == 1 ? AttributeInstances.Create<InputAttribute>(inputAttributes[0], compilation) : null;
        InputShape = input?.Dims is { } dims ? dims.Select(dim => (long)dim).ToEquatableArray() : null;
    }

    public INamedTypeSymbol Type { get; }

    /// <summary>Every <c>[Autoencoder]</c> and <c>[Variational]</c> on the class; exactly one is valid.</summary>
    public ImmutableArray<AttributeData> ModelAttributes { get; }

    public ImmutableArray<AttributeData> InputAttributes { get; }

    /// <summary>Every part attribute on the class, such as <c>[Denoising]</c>.</summary>
    public ImmutableArray<PartReading> PartAttributes { get; }

    public StackReading? Encoder { get; }

    public StackReading? Decoder { get; }

    /// <summary>The one model attribute, read into its type; null when there is none, more than one, or it does not bind.</summary>
    public ModelAttribute? Model { get; }

    public AttributeData? ModelAttribute => ModelAttributes.Length == 1 ? ModelAttributes[0] : null;

    public bool IsVariational => AttributeInstances.Is<VariationalAttribute>(ModelAttribute?.AttributeClass);

    /// <summary>The declared input shape, or null when <c>[Input]</c> is missing, repeated or unbound.</summary>
    public EquatableArray<long>? InputShape { get; }

    /// <summary>The instance of the part attribute <typeparamref name="T"/>, or null when the class has none or it does not bind.</summary>
    public T? Part<T>()
        where T : ModelPartAttribute => PartAttributes.Select(part => part.Instance).OfType<T>().FirstOrDefault();

    /// <summary>The application of the part attribute <typeparamref name="T"/>, for locations.</summary>
    public AttributeData? PartAttribute<T>()
        where T : ModelPartAttribute => PartAttributes.FirstOrDefault(part => AttributeInstances.Is<T>(part.Attribute.AttributeClass))?.Attribute;

    /// <param name="compilation">The compilation <paramref name="type"/> is in, where an attribute's arguments can be bound again.</param>
    public static ModelReading Read(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
    {
        var attributes = type.GetAttributes();
        var modelAttributes = attributes.Where(attribute => IsModelAttribute(attribute.AttributeClass)).ToImmutableArray();
        var inputAttributes = attributes.Where(attribute => AttributeInstances.Is<InputAttribute>(attribute.AttributeClass)).ToImmutableArray();
        var partAttributes = attributes
            .Where(attribute => AttributeInstances.DerivesFrom<ModelPartAttribute>(attribute.AttributeClass))
            .Select(attribute => new PartReading(attribute, AttributeInstances.Create<ModelPartAttribute>(attribute, compilation)))
            .ToImmutableArray();
        cancellationToken.ThrowIfCancellationRequested();
        return new ModelReading(
            type,
            modelAttributes,
            inputAttributes,
            partAttributes,
            ReadStack(type, KnownNames.EncoderProperty, compilation, cancellationToken),
            ReadStack(type, KnownNames.DecoderProperty, compilation, cancellationToken),
            compilation);
    }

    public static bool IsModelAttribute(INamedTypeSymbol? attributeClass) =>
        AttributeInstances.DerivesFrom<ModelAttribute>(attributeClass) && !attributeClass!.IsAbstract;

    /// <summary>The layers of a stack as declared; empty when the stack is missing or a layer could not be read.</summary>
    public static EquatableArray<Layer> LayersOf(StackReading? stack) =>
        stack is null || stack.Layers.Any(layer => layer.Layer is null)
            ? EquatableArray<Layer>.Empty
            : stack.Layers.Select(layer => layer.Layer!).ToEquatableArray();

    /// <summary>The parts the declaration describes (step 2 of the pipeline); missing pieces are empty, so the problems report them.</summary>
    /// <remarks>Described once per reading: the problem search, the shapes and the description all ask.</remarks>
    public EquatableArray<Part> ToParts() => parts ??= ModelParts.Describe(this);

    private EquatableArray<Part>? parts;

    /// <summary>
    /// The shapes the declared architecture gives (step 3 of the pipeline), inferred once for the problem search and
    /// the generated code; null when a piece they depend on is missing or unbound, which is reported once, and not
    /// again as the shape error its absence would cause.
    /// </summary>
    public InferenceResult? Shapes
    {
        get
        {
            if (!shapesInferred)
            {
                shapes = HasReadableArchitecture() ? ShapeInference.Run(ModelDescription.ArchitectureOf(ToParts())) : null;
                shapesInferred = true;
            }

            return shapes;
        }
    }

    private InferenceResult? shapes;
    private bool shapesInferred;

    private bool HasReadableArchitecture() =>
        Model is { } model
        && Enum.IsDefined(typeof(Likelihood), model.Likelihood)
        && InputShape is not null
        && Encoder is not null
        && Decoder is not null
        && Encoder.Layers.Concat(Decoder.Layers).All(layer => layer.Layer is not null)
        && PartAttributes.All(part => part.Instance is not null)
        && Part<ClassConditionalAttribute>() is null or { Classes: >= 2 };

    /// <summary>Distils the reading into the equatable model; null when no partial code can be emitted at all.</summary>
    public ModelDescription? ToDescription(Compilation compilation, CancellationToken cancellationToken)
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
        cancellationToken.ThrowIfCancellationRequested();

        // A declaration without errors always has its shapes: every piece they depend on was read.
        var shapes = ModelProblems.HasError(this, compilation, cancellationToken) ? null : Shapes;

        return new ModelDescription(
            HintName(Type),
            Type.ContainingNamespace.IsGlobalNamespace ? null : Type.ContainingNamespace.ToDisplayString(EscapedNames),
            ContainingTypeHeaders(Type),
            Header(Type),
            Identifier(Type.Name),
            ToParts(),
            stacks,
            shapes);
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

    /// <summary>Any attribute deriving from our <c>LayerAttribute</c>, ours or a user's.</summary>
    public static bool IsLayerAttribute(INamedTypeSymbol? attributeClass) => AttributeInstances.DerivesFrom<LayerAttribute>(attributeClass);

    private static StackReading? ReadStack(INamedTypeSymbol type, string name, Compilation compilation, CancellationToken cancellationToken)
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
                var instance = AttributeInstances.Create<LayerAttribute>(attribute, compilation);
                layers.Add(new LayerReading(attribute, instance is null ? null : LayerCatalog.Create(instance)));
            }
        }

        return new StackReading(property, layers.ToImmutable());
    }

    private static StackDeclaration ToStackDeclaration(StackReading stack)
    {
        var property = stack.Property;
        var syntax = property.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as PropertyDeclarationSyntax;
        var modifiers = syntax is null ? "public partial" : string.Join(" ", syntax.Modifiers.Select(modifier => modifier.Text));
        return new StackDeclaration(
            property.Name,
            modifiers,
            property.Type.ToDisplayString(TypeNames),
            HasSetter: property.SetMethod is not null,
            SetterIsInit: property.SetMethod?.IsInitOnly == true);
    }

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
