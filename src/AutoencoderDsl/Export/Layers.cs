using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AutoencoderDsl.Export;

/// <summary>
/// One layer of a declared encoder or decoder as the runtime knows it, written by the generator beside the TorchSharp
/// module it builds: what exporting the model to PyTorch or ONNX needs. <see cref="Index"/> is the layer's declared
/// position, its name in the state dict (<c>encoder.3.weight</c>).
/// </summary>
/// <param name="Index">The declared position.</param>
public abstract record Layer(int Index)
{
    /// <summary>The attribute a user writes, e.g. <c>Dense</c>, for messages.</summary>
    public abstract string Name { get; }

    /// <summary>The PyTorch expression that builds the same module, under <c>import torch.nn as nn</c>.</summary>
    public abstract string PyTorch { get; }

    /// <summary>A number as Python writes it.</summary>
    protected static string Py(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }

    /// <summary>Whole numbers as a Python tuple.</summary>
    protected static string PyTuple(IReadOnlyList<long> values) => values.Count == 1 ? $"({values[0]},)" : "(" + string.Join(", ", values) + ")";
}

/// <summary><c>Dense</c>: a linear map of the last dimension.</summary>
public sealed record Linear(int Index, long InFeatures, long OutFeatures) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => "Dense";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.Linear({InFeatures}, {OutFeatures})";
}

/// <summary>An element-wise activation; <paramref name="NegativeSlope"/> is LeakyReLU's.</summary>
public sealed record Activation(int Index, ActivationFunction Function, double NegativeSlope = 0) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => Function.ToString();

    /// <inheritdoc/>
    public override string PyTorch => Function == ActivationFunction.LeakyReLU ? $"nn.LeakyReLU({Py(NegativeSlope)})" : $"nn.{Function}()";
}

/// <summary><c>Dropout</c> (elements) and <c>Dropout2d</c> (whole channels of a feature map); nothing at inference.</summary>
public sealed record Dropout(int Index, double P, bool Channels = false) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => Channels ? "Dropout2d" : "Dropout";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.{Name}({Py(P)})";
}

/// <summary>Batch normalisation over the first dimension: of features or sequences (<paramref name="SpatialRank"/> 0 or 1), or of feature maps (2).</summary>
public sealed record BatchNorm(int Index, long Features, int SpatialRank) : Layer(Index)
{
    /// <summary>libtorch's and PyTorch's default ε.</summary>
    public const double Epsilon = 1e-5;

    /// <inheritdoc/>
    public override string Name => SpatialRank == 2 ? "BatchNorm2d" : "BatchNorm1d";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.{Name}({Features})";
}

/// <summary><c>Flatten</c>: every dimension of an example into one.</summary>
public sealed record Flatten(int Index) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => "Flatten";

    /// <inheritdoc/>
    public override string PyTorch => "nn.Flatten()";
}

/// <summary><c>Unflatten</c> and <c>Reshape</c>: an example's elements, in order, as <paramref name="Dims"/>.</summary>
/// <param name="Index">The declared position.</param>
/// <param name="Dims">The shape of one example after the layer.</param>
/// <param name="Declared">The attribute, for messages.</param>
public sealed record Reshape(int Index, IReadOnlyList<long> Dims, string Declared = "Reshape") : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => Declared;

    /// <inheritdoc/>
    public override string PyTorch => $"nn.Sequential(nn.Flatten(), nn.Unflatten(1, {PyTuple(Dims)}))";
}

/// <summary><c>Conv1d</c> and <c>Conv2d</c> with a square kernel.</summary>
public sealed record Convolution(int Index, int SpatialRank, long InChannels, long OutChannels, long Kernel, long Stride, long Padding, long Dilation) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => $"Conv{SpatialRank}d";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.{Name}({InChannels}, {OutChannels}, kernel_size={Kernel}, stride={Stride}, padding={Padding}, dilation={Dilation})";
}

/// <summary><c>ConvTranspose1d</c> and <c>ConvTranspose2d</c> with a square kernel.</summary>
public sealed record TransposedConvolution(int Index, int SpatialRank, long InChannels, long OutChannels, long Kernel, long Stride, long Padding, long OutputPadding) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => $"ConvTranspose{SpatialRank}d";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.{Name}({InChannels}, {OutChannels}, kernel_size={Kernel}, stride={Stride}, padding={Padding}, output_padding={OutputPadding})";
}

/// <summary>Max or average pooling with a square window, no padding, floor mode.</summary>
public sealed record Pool(int Index, int SpatialRank, PoolKind Kind, long Kernel, long Stride) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => $"{Kind}Pool{SpatialRank}d";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.{Name}(kernel_size={Kernel}, stride={Stride})";
}

/// <summary><c>Upsample</c>: nearest-neighbour, height and width each times <paramref name="Scale"/>.</summary>
public sealed record Upsample(int Index, long Scale) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => "Upsample";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.Upsample(scale_factor=({Py(Scale)}, {Py(Scale)}), mode=\"nearest\")";
}

/// <summary>The layers of a declared stack, in order, with the ones a model applies elsewhere (a fused Sigmoid) left out.</summary>
public static class Layers
{
    /// <summary>The PyTorch <c>nn.Sequential</c> of <paramref name="layers"/>, with their declared positions as child names.</summary>
    public static string PyTorchSequential(IReadOnlyList<Layer> layers, string indent) =>
        layers.Count == 0
            ? "nn.Sequential()"
            : "nn.Sequential(OrderedDict([\n" + string.Concat(layers.Select(layer => $"{indent}    (\"{layer.Index}\", {layer.PyTorch}),\n")) + indent + "]))";
}
