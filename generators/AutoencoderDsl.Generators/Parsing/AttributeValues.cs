using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Generators.Shapes;
using Microsoft.CodeAnalysis;

namespace AutoencoderDsl.Generators.Parsing;

/// <summary>Turns Roslyn's attribute arguments into the plain values the pure layer catalog reads.</summary>
public static class AttributeValues
{
    public static LayerArguments Of(AttributeData attribute)
    {
        // Not ToDictionary: half-typed code can name an argument twice, and reading it must not throw.
        var named = new Dictionary<string, object?>();
        foreach (var argument in attribute.NamedArguments)
        {
            named[argument.Key] = ValueOf(argument.Value);
        }

        return new(attribute.ConstructorArguments.Select(ValueOf).ToArray(), named);
    }

    /// <summary>Arrays become <c>object?[]</c>; an argument the compiler could not bind becomes null.</summary>
    private static object? ValueOf(TypedConstant constant) => constant.Kind switch
    {
        TypedConstantKind.Error => null,
        TypedConstantKind.Array => constant.IsNull ? null : constant.Values.Select(ValueOf).ToArray(),
        _ => constant.Value,
    };
}
