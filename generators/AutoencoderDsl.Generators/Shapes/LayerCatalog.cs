using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Generators.Model;

namespace AutoencoderDsl.Generators.Shapes;

/// <summary>
/// Arguments of one layer attribute, as plain values: constructor arguments in order (an array argument as
/// <c>object?[]</c>) and named arguments by name. Null stands for an argument the compiler could not bind.
/// </summary>
public sealed class LayerArguments
{
    public LayerArguments(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> named)
    {
        Positional = positional;
        Named = named;
    }

    public IReadOnlyList<object?> Positional { get; }

    public IReadOnlyDictionary<string, object?> Named { get; }

    public long? Integer(int position) => position < Positional.Count ? AsInteger(Positional[position]) : null;

    public double? Real(int position) => position < Positional.Count ? AsReal(Positional[position]) : null;

    public EquatableArray<long>? Integers(int position) =>
        position < Positional.Count && Positional[position] is object?[] values && values.All(value => AsInteger(value) is not null)
            ? values.Select(value => AsInteger(value)!.Value).ToEquatableArray()
            : null;

    public long? NamedInteger(string name, long fallback) =>
        Named.TryGetValue(name, out var value) ? AsInteger(value) : fallback;

    private static long? AsInteger(object? value) => value switch
    {
        int number => number,
        long number => number,
        short number => number,
        byte number => number,
        _ => null,
    };

    private static double? AsReal(object? value) => value switch
    {
        double number => number,
        float number => number,
        _ => AsInteger(value),
    };
}

/// <summary>The layer attributes the DSL knows, by the name a user writes.</summary>
public static class LayerCatalog
{
    private static readonly Dictionary<string, Func<LayerArguments, Layer?>> Factories = new(StringComparer.Ordinal)
    {
        ["Dense"] = args => args.Integer(0) is long features ? new DenseLayer(features) : null,
        ["Flatten"] = _ => new FlattenLayer(),
        ["Unflatten"] = args => args.Integers(0) is { } dims ? new UnflattenLayer(dims) : null,
        ["ReLU"] = _ => new ActivationLayer(ActivationKind.ReLU),
        ["LeakyReLU"] = args => args.Real(0) is double slope ? new ActivationLayer(ActivationKind.LeakyReLU, slope) : null,
        ["GELU"] = _ => new ActivationLayer(ActivationKind.GELU),
        ["SiLU"] = _ => new ActivationLayer(ActivationKind.SiLU),
        ["Tanh"] = _ => new ActivationLayer(ActivationKind.Tanh),
        ["Sigmoid"] = _ => new ActivationLayer(ActivationKind.Sigmoid),
        ["Dropout"] = args => args.Real(0) is double p ? new DropoutLayer(p) : null,
        ["BatchNorm"] = _ => new BatchNormLayer(),
    };

    /// <summary>The attribute class names (with the <c>Attribute</c> suffix) in namespace <c>AutoencoderDsl</c>.</summary>
    public static IEnumerable<string> AttributeClassNames => Factories.Keys.Select(name => name + "Attribute");

    /// <summary>The layer for an attribute, or null when the name is unknown or an argument is missing or unbound.</summary>
    public static Layer? Create(string attributeClassName, LayerArguments arguments)
    {
        var name = attributeClassName.EndsWith("Attribute", StringComparison.Ordinal)
            ? attributeClassName.Substring(0, attributeClassName.Length - "Attribute".Length)
            : attributeClassName;
        return Factories.TryGetValue(name, out var factory) ? factory(arguments) : null;
    }
}
