using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>Checks tensors at the public API boundary, so a wrong shape fails with both shapes named instead of deep in libtorch.</summary>
public static class Shapes
{
    /// <summary>Formats a shape as <c>[N, 1, 28, 28]</c>.</summary>
    public static string Format(IEnumerable<long> dims) => "[" + string.Join(", ", dims) + "]";

    /// <summary>Throws unless <paramref name="tensor"/> is a floating-point batch of examples of shape <paramref name="exampleShape"/>.</summary>
    public static void RequireBatch(Tensor tensor, IReadOnlyList<long> exampleShape, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(tensor, parameterName);
        var actual = tensor.shape;
        bool matches = actual.Length == exampleShape.Count + 1
            && actual.Skip(1).SequenceEqual(exampleShape);
        if (!matches)
        {
            throw new ArgumentException(
                $"Expected a batch of shape [N, {string.Join(", ", exampleShape)}] but got {Format(actual)}.",
                parameterName);
        }

        RequireFloatingPoint(tensor, parameterName);
    }

    /// <summary>Throws unless <paramref name="tensor"/> is one example of shape <paramref name="exampleShape"/>.</summary>
    public static void RequireExample(Tensor tensor, IReadOnlyList<long> exampleShape, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(tensor, parameterName);
        if (!tensor.shape.SequenceEqual(exampleShape))
        {
            throw new ArgumentException(
                $"Expected one example of shape {Format(exampleShape)} but got {Format(tensor.shape)}.",
                parameterName);
        }

        RequireFloatingPoint(tensor, parameterName);
    }

    private static void RequireFloatingPoint(Tensor tensor, string parameterName)
    {
        if (!torch.is_floating_point(tensor))
        {
            throw new ArgumentException(
                $"Expected a floating-point tensor but got {tensor.dtype}; convert it with .to(torch.float32).",
                parameterName);
        }
    }
}
