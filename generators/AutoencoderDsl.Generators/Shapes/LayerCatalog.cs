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

    /// <summary>A named argument without a default: null when it is missing or unbound.</summary>
    public long? NamedInteger(string name) => Named.TryGetValue(name, out var value) ? AsInteger(value) : null;

    /// <summary>A named argument with a default: <paramref name="fallback"/> when it is missing, null when it is unbound.</summary>
    public long? NamedInteger(string name, long fallback) => Named.ContainsKey(name) ? NamedInteger(name) : fallback;

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

        // The defaults below are the attributes' (src/AutoencoderDsl/Attributes/ConvolutionAttributes.cs), which are libtorch's.
        ["Conv2d"] = args =>
            args.Integer(0) is long channels
            && args.NamedInteger("Kernel") is long kernel
            && args.NamedInteger("Stride", 1) is long stride
            && args.NamedInteger("Padding", 0) is long padding
            && args.NamedInteger("Dilation", 1) is long dilation
                ? new Conv2dLayer(channels, kernel, stride, padding, dilation)
                : null,
        ["ConvTranspose2d"] = args =>
            args.Integer(0) is long channels
            && args.NamedInteger("Kernel") is long kernel
            && args.NamedInteger("Stride", 1) is long stride
            && args.NamedInteger("Padding", 0) is long padding
            && args.NamedInteger("OutputPadding", 0) is long outputPadding
                ? new ConvTranspose2dLayer(channels, kernel, stride, padding, outputPadding)
                : null,
        ["MaxPool2d"] = args => Pool(PoolKind.Max, args),
        ["AvgPool2d"] = args => Pool(PoolKind.Avg, args),
        ["Upsample"] = args => args.Integer(0) is long scale ? new UpsampleLayer(scale) : null,
        ["BatchNorm2d"] = _ => new BatchNorm2dLayer(),
        ["Dropout2d"] = args => args.Real(0) is double p ? new Dropout2dLayer(p) : null,
        ["Reshape"] = args => args.Integers(0) is { } dims ? new ReshapeLayer(dims) : null,
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

    /// <summary>A pool whose stride, when not declared, is its kernel size, as in libtorch.</summary>
    private static Layer? Pool(PoolKind kind, LayerArguments args) =>
        args.NamedInteger("Kernel") is long kernel && args.NamedInteger("Stride", kernel) is long stride
            ? new Pool2dLayer(kind, kernel, stride)
            : null;
}
