using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Generators.Shapes;
using Microsoft.CodeAnalysis;

namespace AutoencoderDsl.Generators.Parsing;

/// <summary>Turns Roslyn's attribute arguments into the plain values the pure layer catalog reads.</summary>
public static class AttributeValues
{
    public static LayerArguments Of(AttributeData attribute) =>
        new(
            attribute.ConstructorArguments.Select(ValueOf).ToArray(),
            attribute.NamedArguments.ToDictionary(argument => argument.Key, argument => ValueOf(argument.Value)));

    /// <summary>Arrays become <c>object?[]</c>; an argument the compiler could not bind becomes null.</summary>
    private static object? ValueOf(TypedConstant constant) => constant.Kind switch
    {
        TypedConstantKind.Error => null,
        TypedConstantKind.Array => constant.IsNull ? null : constant.Values.Select(ValueOf).ToArray(),
        _ => constant.Value,
    };
}
