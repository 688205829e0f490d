using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoencoderDsl.Generators.Diagnostics;

/// <summary>Where each problem is reported: the attribute, argument, keyword or name that causes it.</summary>
public static partial class ModelProblems
{
    private static ModelProblem Problem(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
        new(descriptor, location, arguments.ToImmutableArray());

    internal static ModelProblem Problem(DiagnosticDescriptor descriptor, Location location, ProblemFix? fix, params string[] arguments) =>
        new(descriptor, location, arguments.ToImmutableArray(), fix);

    private static IEnumerable<T> UserDeclarations<T>(ISymbol symbol)
        where T : SyntaxNode =>
        symbol.DeclaringSyntaxReferences.Where(reference => !GeneratedCode.IsOurs(reference)).Select(reference => reference.GetSyntax()).OfType<T>();

    /// <summary>The symbol's name as the user wrote it (not in generated code), falling back to any source location.</summary>
    private static Location IdentifierLocation(ISymbol symbol) =>
        symbol.Locations.FirstOrDefault(location => location.IsInSource && !GeneratedCode.IsOurs(location))
        ?? symbol.Locations.FirstOrDefault()
        ?? Location.None;

    internal static Location LocationOf(AttributeData attribute, INamedTypeSymbol type) =>
        attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? IdentifierLocation(type);

    internal static Location ArgumentLocation(AttributeData attribute, string name, INamedTypeSymbol type) =>
        (attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax)?.ArgumentList?.Arguments
            .FirstOrDefault(argument => argument.NameEquals?.Name.Identifier.ValueText == name)?.GetLocation()
        ?? LocationOf(attribute, type);

    internal static Location PositionalArgumentLocation(AttributeData attribute, int index, INamedTypeSymbol type) =>
        (attribute.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax)?.ArgumentList?.Arguments
            .Where(argument => argument.NameEquals is null && argument.NameColon is null)
            .ElementAtOrDefault(index)?.GetLocation()
        ?? LocationOf(attribute, type);

    private static Location LayerLocation(StackReading stack, int index, INamedTypeSymbol type) =>
        index >= 0 && index < stack.Layers.Length ? LocationOf(stack.Layers[index].Attribute, type) : IdentifierLocation(stack.Property);

    private static Location LastLayerLocation(StackReading stack, INamedTypeSymbol type) => LayerLocation(stack, stack.Layers.Length - 1, type);

    private static Location BaseTypeLocation(INamedTypeSymbol type, INamedTypeSymbol baseType) =>
        UserDeclarations<TypeDeclarationSyntax>(type)
            .SelectMany(declaration => declaration.BaseList?.Types ?? default)
            .FirstOrDefault(written => RightmostName(written.Type) == baseType.Name)?.Type.GetLocation()
        ?? IdentifierLocation(type);

    private static string? RightmostName(TypeSyntax type) => type switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax aliased => aliased.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => null,
    };

    /// <summary>The attribute as a user writes it, without the <c>Attribute</c> suffix, e.g. <c>Dense</c>.</summary>
    internal static string ShortName(AttributeData attribute)
    {
        var name = attribute.AttributeClass?.Name ?? "?";
        return name.EndsWith("Attribute", StringComparison.Ordinal) && name.Length > "Attribute".Length
            ? name.Substring(0, name.Length - "Attribute".Length)
            : name;
    }

    private static string KindName(ISymbol member) => member switch
    {
        IFieldSymbol => "field",
        IMethodSymbol => "method",
        IEventSymbol => "event",
        INamedTypeSymbol => "nested type",
        _ => member.Kind.ToString().ToLowerInvariant(),
    };

    internal static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
