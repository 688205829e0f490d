using System;
using System.Collections.Generic;

namespace AutoencoderDsl.Export;

/// <summary>
/// An ONNX graph under construction, as a layer sees it when it adds its own form (<see cref="Layer.Onnx"/>): values
/// are named by strings, the model's tensors are reached by their state-dict names, and operators are opset 17's. The
/// exporter in <c>AutoencoderDsl.Onnx</c> implements it over ONNX's messages, so the runtime needs no ONNX library.
/// </summary>
public interface IOnnxGraph
{
    /// <summary>A value name made from <paramref name="stem"/> that nothing in the graph uses yet.</summary>
    string Next(string stem);

    /// <summary>Adds a node of the operator <paramref name="op"/> that computes <paramref name="output"/>, and gives <paramref name="output"/>.</summary>
    /// <param name="op">The operator, e.g. <c>Conv</c>.</param>
    /// <param name="inputs">The values it reads, in the operator's order; an empty name leaves an optional input out.</param>
    /// <param name="output">The value it computes, usually a name from <see cref="Next"/>.</param>
    /// <param name="attributes">The operator's attributes.</param>
    string Node(string op, IReadOnlyList<string> inputs, string output, params OnnxAttribute[] attributes);

    /// <summary>The model's parameter or buffer <paramref name="stateName"/> (<c>encoder.3.weight</c>) as a float32 initialiser of that name, stored once however often it is asked for.</summary>
    string Initializer(string stateName);

    /// <summary>A float32 constant of shape <paramref name="dims"/> (empty for a scalar), under a new name made from <paramref name="stem"/>.</summary>
    string Constant(string stem, float[] values, long[] dims);

    /// <summary>An int64 constant of shape <paramref name="dims"/>, under a new name made from <paramref name="stem"/>.</summary>
    string Constant(string stem, long[] values, long[] dims);
}

/// <summary>An attribute of an ONNX node: a whole number, a float, a string, or a list of whole numbers.</summary>
public sealed class OnnxAttribute
{
    private OnnxAttribute(string name, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Value = value;
    }

    /// <summary>The attribute's name, e.g. <c>kernel_shape</c>.</summary>
    public string Name { get; }

    /// <summary>A <see cref="long"/>, a <see cref="float"/>, a <see cref="string"/>, or a <see cref="long"/> array.</summary>
    public object Value { get; }

    /// <summary>An INT attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(name, value);

    /// <summary>A FLOAT attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new(name, value);

    /// <summary>A STRING attribute.</summary>
    public static OnnxAttribute Text(string name, string value) => new(name, value);

    /// <summary>An INTS attribute.</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, values);
}

/// <summary>The element types of the values an exported graph takes and gives, by ONNX's numbers for them.</summary>
public enum OnnxElementType
{
    /// <summary>32-bit floating point: data, codes and outputs.</summary>
    Float = 1,

    /// <summary>64-bit integers: labels and code indices.</summary>
    Int64 = 7,
}

/// <summary>An input or output of an exported graph: its name, element type and the shape of one example (the batch dimension comes first and is free).</summary>
/// <param name="Name">The value's name in the graph.</param>
/// <param name="ElementType">Its element type.</param>
/// <param name="Example">The shape of one example: <c>[]</c> for one value per example.</param>
public sealed record OnnxValue(string Name, OnnxElementType ElementType, IReadOnlyList<long> Example);
