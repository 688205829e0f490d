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

    /// <summary>
    /// The Python module class that <see cref="PyTorch"/> names when PyTorch has none of its own, written once before
    /// the model's class, whatever the number of layers that use it; null for a layer built from PyTorch's modules.
    /// </summary>
    public virtual string? PyTorchDefinition => null;

    /// <summary>
    /// Adds what this layer computes in evaluation mode to <paramref name="graph"/>, reading <paramref name="input"/>,
    /// and gives the value it computes; null for a layer without an ONNX form, which the export then refuses by name.
    /// </summary>
    /// <param name="graph">The graph under construction.</param>
    /// <param name="input">The value the layer reads: a batch of what the layer before gives.</param>
    /// <param name="prefix">The layer's state-dict prefix, e.g. <c>encoder.3</c>, which its parameters' names start with.</param>
    public virtual string? Onnx(IOnnxGraph graph, string input, string prefix) => null;

    /// <summary>A number as Python writes it.</summary>
    protected static string Py(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }

    /// <summary>Whole numbers as a Python tuple.</summary>
    protected static string PyTuple(IReadOnlyList<long> values) => values.Count == 1 ? $"({values[0]},)" : "(" + string.Join(", ", values) + ")";

    /// <summary><paramref name="value"/> once for each of <paramref name="count"/> axes, as ONNX's per-axis attributes take it.</summary>
    protected static long[] Repeat(long value, int count) => Enumerable.Repeat(value, count).ToArray();

    /// <summary>A convolution whose weight (and bias, when it has one) are <paramref name="prefix"/>'s, into <paramref name="output"/> (a new name when null); pads are the same on every side.</summary>
    protected static string OnnxConvolution(IOnnxGraph graph, string input, string prefix, int spatialRank, long kernel, long stride, long padding, long dilation, bool bias, string? output = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var weight = graph.Initializer(prefix + ".weight");
        return graph.Node(
            "Conv",
            bias ? [input, weight, graph.Initializer(prefix + ".bias")] : [input, weight],
            output ?? graph.Next(prefix),
            OnnxAttribute.Ints("kernel_shape", Repeat(kernel, spatialRank)),
            OnnxAttribute.Ints("strides", Repeat(stride, spatialRank)),
            OnnxAttribute.Ints("pads", Repeat(padding, 2 * spatialRank)),
            OnnxAttribute.Ints("dilations", Repeat(dilation, spatialRank)));
    }

    /// <summary>A batch normalisation with <paramref name="prefix"/>'s affine parameters and running statistics.</summary>
    protected static string OnnxBatchNorm(IOnnxGraph graph, string input, string prefix) =>
        graph.Node(
            "BatchNormalization",
            [input, graph.Initializer(prefix + ".weight"), graph.Initializer(prefix + ".bias"), graph.Initializer(prefix + ".running_mean"), graph.Initializer(prefix + ".running_var")],
            graph.Next(prefix),
            OnnxAttribute.Float("epsilon", (float)BatchNorm.Epsilon));
}

/// <summary><c>Dense</c>: a linear map of the last dimension.</summary>
public sealed record Linear(int Index, long InFeatures, long OutFeatures) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => "Dense";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.Linear({InFeatures}, {OutFeatures})";

    /// <inheritdoc/>
    /// <remarks>x · Wᵀ + b, on the last dimension at any rank; runtimes fold the transpose of the constant weight.</remarks>
    public override string Onnx(IOnnxGraph graph, string input, string prefix) => OnnxMap(graph, input, prefix, graph.Next(prefix));

    /// <summary>The linear map whose weight and bias are <paramref name="stateName"/><c>.weight</c> and <c>.bias</c>, into the value <paramref name="output"/>: a Dense layer's, or a latent head's.</summary>
    public static string OnnxMap(IOnnxGraph graph, string input, string stateName, string output)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var transposed = graph.Node("Transpose", [graph.Initializer(stateName + ".weight")], graph.Next(stateName + "_weight_t"));
        var product = graph.Node("MatMul", [input, transposed], graph.Next(stateName + "_matmul"));
        return graph.Node("Add", [product, graph.Initializer(stateName + ".bias")], output);
    }
}

/// <summary>An element-wise activation; <paramref name="NegativeSlope"/> is LeakyReLU's.</summary>
public sealed record Activation(int Index, ActivationFunction Function, double NegativeSlope = 0) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => Function.ToString();

    /// <inheritdoc/>
    public override string PyTorch => Function == ActivationFunction.LeakyReLU ? $"nn.LeakyReLU({Py(NegativeSlope)})" : $"nn.{Function}()";

    /// <inheritdoc/>
    public override string Onnx(IOnnxGraph graph, string input, string prefix) => Function switch
    {
        ActivationFunction.ReLU => graph.Node("Relu", [input], graph.Next(prefix)),
        ActivationFunction.LeakyReLU => graph.Node("LeakyRelu", [input], graph.Next(prefix), OnnxAttribute.Float("alpha", (float)NegativeSlope)),
        ActivationFunction.Tanh => graph.Node("Tanh", [input], graph.Next(prefix)),
        ActivationFunction.Sigmoid => graph.Node("Sigmoid", [input], graph.Next(prefix)),
        ActivationFunction.SiLU => graph.Node("Mul", [input, graph.Node("Sigmoid", [input], graph.Next(prefix + "_sigmoid"))], graph.Next(prefix)),

        // Opset 17 has no Gelu: x · ½ (1 + erf(x / √2)), the exact form TorchSharp's and PyTorch's default computes.
        ActivationFunction.GELU => graph.Node(
            "Mul",
            [graph.Node("Mul", [input, graph.Constant(prefix + ".half", [0.5f], [])], graph.Next(prefix + "_half")),
             graph.Node("Add", [graph.Node("Erf", [graph.Node("Div", [input, graph.Constant(prefix + ".sqrt2", [MathF.Sqrt(2)], [])], graph.Next(prefix + "_scaled"))], graph.Next(prefix + "_erf")), graph.Constant(prefix + ".one", [1f], [])], graph.Next(prefix + "_sum"))],
            graph.Next(prefix)),
        _ => throw new NotSupportedException($"ONNX export has no form for the activation {Name} at {prefix}."),
    };
}

/// <summary><c>Dropout</c> (elements) and <c>Dropout2d</c> (whole channels of a feature map); nothing at inference.</summary>
public sealed record Dropout(int Index, double P, bool Channels = false) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => Channels ? "Dropout2d" : "Dropout";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.{Name}({Py(P)})";

    /// <inheritdoc/>
    public override string Onnx(IOnnxGraph graph, string input, string prefix) => input;
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

    /// <inheritdoc/>
    public override string Onnx(IOnnxGraph graph, string input, string prefix) => OnnxBatchNorm(graph, input, prefix);
}

/// <summary><c>Flatten</c>: every dimension of an example into one.</summary>
public sealed record Flatten(int Index) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => "Flatten";

    /// <inheritdoc/>
    public override string PyTorch => "nn.Flatten()";

    /// <inheritdoc/>
    public override string Onnx(IOnnxGraph graph, string input, string prefix) =>
        graph.Node("Flatten", [input], graph.Next(prefix), OnnxAttribute.Int("axis", 1));
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

    /// <inheritdoc/>
    public override string Onnx(IOnnxGraph graph, string input, string prefix) =>
        graph.Node("Reshape", [input, graph.Constant(prefix + ".shape", Dims.Prepend(-1L).ToArray(), [Dims.Count + 1])], graph.Next(prefix));
}

/// <summary><c>Conv1d</c> and <c>Conv2d</c> with a square kernel.</summary>
public sealed record Convolution(int Index, int SpatialRank, long InChannels, long OutChannels, long Kernel, long Stride, long Padding, long Dilation) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => $"Conv{SpatialRank}d";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.{Name}({InChannels}, {OutChannels}, kernel_size={Kernel}, stride={Stride}, padding={Padding}, dilation={Dilation})";

    /// <inheritdoc/>
    public override string Onnx(IOnnxGraph graph, string input, string prefix) =>
        OnnxConvolution(graph, input, prefix, SpatialRank, Kernel, Stride, Padding, Dilation, bias: true);

    /// <summary>
    /// The 1 × 1 convolution whose weight and bias are <paramref name="stateName"/><c>.weight</c> and <c>.bias</c>, into
    /// the value <paramref name="output"/>: a latent head's map of every position of a sequence or feature map to the code width.
    /// </summary>
    public static string OnnxPointwise(IOnnxGraph graph, string input, string stateName, int spatialRank, string output) =>
        OnnxConvolution(graph, input, stateName, spatialRank, kernel: 1, stride: 1, padding: 0, dilation: 1, bias: true, output);
}

/// <summary><c>ConvTranspose1d</c> and <c>ConvTranspose2d</c> with a square kernel.</summary>
public sealed record TransposedConvolution(int Index, int SpatialRank, long InChannels, long OutChannels, long Kernel, long Stride, long Padding, long OutputPadding) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => $"ConvTranspose{SpatialRank}d";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.{Name}({InChannels}, {OutChannels}, kernel_size={Kernel}, stride={Stride}, padding={Padding}, output_padding={OutputPadding})";

    /// <inheritdoc/>
    public override string Onnx(IOnnxGraph graph, string input, string prefix) =>
        graph.Node(
            "ConvTranspose",
            [input, graph.Initializer(prefix + ".weight"), graph.Initializer(prefix + ".bias")],
            graph.Next(prefix),
            OnnxAttribute.Ints("kernel_shape", Repeat(Kernel, SpatialRank)),
            OnnxAttribute.Ints("strides", Repeat(Stride, SpatialRank)),
            OnnxAttribute.Ints("pads", Repeat(Padding, 2 * SpatialRank)),
            OnnxAttribute.Ints("output_padding", Repeat(OutputPadding, SpatialRank)));
}

/// <summary>Max or average pooling with a square window, no padding, floor mode.</summary>
public sealed record Pool(int Index, int SpatialRank, PoolKind Kind, long Kernel, long Stride) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => $"{Kind}Pool{SpatialRank}d";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.{Name}(kernel_size={Kernel}, stride={Stride})";

    /// <inheritdoc/>
    public override string Onnx(IOnnxGraph graph, string input, string prefix) =>
        graph.Node(
            Kind == PoolKind.Max ? "MaxPool" : "AveragePool",
            [input],
            graph.Next(prefix),
            OnnxAttribute.Ints("kernel_shape", Repeat(Kernel, SpatialRank)),
            OnnxAttribute.Ints("strides", Repeat(Stride, SpatialRank)));
}

/// <summary><c>Upsample</c>: nearest-neighbour, height and width each times <paramref name="Scale"/>.</summary>
public sealed record Upsample(int Index, long Scale) : Layer(Index)
{
    /// <inheritdoc/>
    public override string Name => "Upsample";

    /// <inheritdoc/>
    public override string PyTorch => $"nn.Upsample(scale_factor=({Py(Scale)}, {Py(Scale)}), mode=\"nearest\")";

    /// <inheritdoc/>
    public override string Onnx(IOnnxGraph graph, string input, string prefix) =>
        graph.Node(
            "Resize",
            [input, "", graph.Constant(prefix + ".scales", [1f, 1f, Scale, Scale], [4])],
            graph.Next(prefix),
            OnnxAttribute.Text("mode", "nearest"),
            OnnxAttribute.Text("coordinate_transformation_mode", "asymmetric"),
            OnnxAttribute.Text("nearest_mode", "floor"));
}

/// <summary>
/// <c>ResidualBlock1d</c> and <c>ResidualBlock2d</c>: ResNet's basic block of stride 1. Two convolutions of kernel 3
/// and padding 1 (<c>conv1</c>, <c>conv2</c>, without biases), each followed by a batch norm (<c>norm1</c>,
/// <c>norm2</c>), the first of them by ReLU; the block's input added to the result, through a 1 × 1 convolution and a
/// batch norm (<c>skip.0</c>, <c>skip.1</c>) when <paramref name="InChannels"/> differs from <paramref name="Channels"/>;
/// then ReLU.
/// </summary>
public sealed record ResidualBlock(int Index, int SpatialRank, long InChannels, long Channels) : Layer(Index)
{
    /// <summary>The Python class of the block, the same modules under the same names as the runtime's.</summary>
    private const string PythonClass = """"
        class ResidualBlock(nn.Module):
            """ResNet's basic block of stride 1, as AutoencoderDsl's ResidualBlock1d and ResidualBlock2d build it."""

            def __init__(self, rank, in_channels, channels):
                super().__init__()
                conv, norm = (nn.Conv1d, nn.BatchNorm1d) if rank == 1 else (nn.Conv2d, nn.BatchNorm2d)
                self.conv1 = conv(in_channels, channels, 3, padding=1, bias=False)
                self.norm1 = norm(channels)
                self.conv2 = conv(channels, channels, 3, padding=1, bias=False)
                self.norm2 = norm(channels)
                self.skip = nn.Sequential(conv(in_channels, channels, 1, bias=False), norm(channels)) if in_channels != channels else None

            def forward(self, x):
                residual = self.norm2(self.conv2(torch.relu(self.norm1(self.conv1(x)))))
                return torch.relu(residual + (x if self.skip is None else self.skip(x)))
        """";

    /// <inheritdoc/>
    public override string Name => $"ResidualBlock{SpatialRank}d";

    /// <inheritdoc/>
    public override string PyTorch => $"ResidualBlock({SpatialRank}, {InChannels}, {Channels})";

    /// <inheritdoc/>
    public override string PyTorchDefinition => PythonClass;

    /// <inheritdoc/>
    public override string Onnx(IOnnxGraph graph, string input, string prefix)
    {
        string Normalised(string value, string conv, string norm, long kernel) =>
            OnnxBatchNorm(graph, OnnxConvolution(graph, value, $"{prefix}.{conv}", SpatialRank, kernel, stride: 1, padding: kernel / 2, dilation: 1, bias: false), $"{prefix}.{norm}");

        var first = graph.Node("Relu", [Normalised(input, "conv1", "norm1", 3)], graph.Next(prefix + "_relu1"));
        var residual = Normalised(first, "conv2", "norm2", 3);
        var skip = InChannels == Channels ? input : Normalised(input, "skip.0", "skip.1", 1);
        return graph.Node("Relu", [graph.Node("Add", [residual, skip], graph.Next(prefix + "_sum"))], graph.Next(prefix));
    }
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
