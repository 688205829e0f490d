using System.Diagnostics.CodeAnalysis;

namespace AutoencoderDsl;

// The convolution and pooling layers take one feature map per example: [C, H, W] for the 2-D ones, [C, L] for the 1-D
// ones (SequenceAttributes.cs). C is read from the layer before, so only the output channels are declared. The names
// match TorchSharp's modules: [Conv2d(...)] still binds to these attributes under `using TorchSharp.Modules;`, because
// C# only considers types derived from System.Attribute in an attribute name.

/// <summary>What every convolution shares: output channels, a kernel, a stride and zero padding.</summary>
public abstract class ConvolutionAttribute : LayerAttribute
{
    private protected ConvolutionAttribute(int outChannels) => OutChannels = outChannels;

    [SetsRequiredMembers]
    private protected ConvolutionAttribute(int outChannels, int kernel)
    {
        OutChannels = outChannels;
        Kernel = kernel;
    }

    /// <summary>The number of channels of the output.</summary>
    public int OutChannels { get; }

    /// <summary>The side of the (square, for 2-D) kernel.</summary>
    public required int Kernel { get; init; }

    /// <summary>The step between kernel positions (for a transposed convolution, the upsampling factor); 1 unless set.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>
    /// The zeros added on every side of the input; for a transposed convolution, the rows and columns removed from every
    /// side of the output. 0 unless set.
    /// </summary>
    public int Padding { get; init; }
}

/// <summary>A convolution whose window slides over its input: <see cref="Dilation"/> spaces the kernel's elements.</summary>
public abstract class SlidingConvolutionAttribute : ConvolutionAttribute
{
    private protected SlidingConvolutionAttribute(int outChannels)
        : base(outChannels)
    {
    }

    [SetsRequiredMembers]
    private protected SlidingConvolutionAttribute(int outChannels, int kernel)
        : base(outChannels, kernel)
    {
    }

    /// <summary>The spacing between kernel elements; 1 unless set.</summary>
    public int Dilation { get; init; } = 1;
}

/// <summary>A transposed convolution, the usual upsampling step of a decoder.</summary>
public abstract class TransposedConvolutionAttribute : ConvolutionAttribute
{
    private protected TransposedConvolutionAttribute(int outChannels)
        : base(outChannels)
    {
    }

    [SetsRequiredMembers]
    private protected TransposedConvolutionAttribute(int outChannels, int kernel)
        : base(outChannels, kernel)
    {
    }

    /// <summary>The extra rows and columns added to one side of the output, to reach an exact size; 0 unless set, and less than <see cref="ConvolutionAttribute.Stride"/>.</summary>
    public int OutputPadding { get; init; }
}

/// <summary>What every pooling layer shares: a window and a stride that defaults to it.</summary>
public abstract class PoolAttribute : LayerAttribute
{
    private int? stride;

    private protected PoolAttribute()
    {
    }

    [SetsRequiredMembers]
    private protected PoolAttribute(int kernel) => Kernel = kernel;

    [SetsRequiredMembers]
    private protected PoolAttribute(int kernel, int stride)
    {
        Kernel = kernel;
        Stride = stride;
    }

    /// <summary>The side of the (square, for 2-D) window.</summary>
    public required int Kernel { get; init; }

    /// <summary>The step between windows; the kernel size unless set, as in libtorch, so windows do not overlap.</summary>
    public int Stride { get => stride ?? Kernel; init => stride = value; }
}

/// <summary>
/// A 2-D convolution (<c>torch.nn.Conv2d</c>) on a feature map [C, H, W]: <c>[Conv2d(32, 3)]</c> or
/// <c>[Conv2d(32, Kernel = 3, Stride = 2)]</c>. Each side of the output is
/// ⌊(H + 2·Padding − Dilation·(Kernel − 1) − 1) / Stride⌋ + 1.
/// </summary>
public sealed class Conv2dAttribute : SlidingConvolutionAttribute
{
    /// <summary>Declares a convolution with <paramref name="outChannels"/> output channels; set <see cref="ConvolutionAttribute.Kernel"/> too.</summary>
    /// <param name="outChannels">The number of channels of the output.</param>
    public Conv2dAttribute(int outChannels)
        : base(outChannels)
    {
    }

    /// <summary>Declares a convolution with <paramref name="outChannels"/> output channels and a square kernel, as PyTorch's positional form.</summary>
    /// <param name="outChannels">The number of channels of the output.</param>
    /// <param name="kernel">The side of the square kernel.</param>
    [SetsRequiredMembers]
    public Conv2dAttribute(int outChannels, int kernel)
        : base(outChannels, kernel)
    {
    }
}

/// <summary>
/// A 2-D transposed convolution (<c>torch.nn.ConvTranspose2d</c>) on a feature map [C, H, W]. Each side of the output
/// is (H − 1)·Stride − 2·Padding + Kernel + OutputPadding.
/// </summary>
public sealed class ConvTranspose2dAttribute : TransposedConvolutionAttribute
{
    /// <summary>Declares a transposed convolution with <paramref name="outChannels"/> output channels; set <see cref="ConvolutionAttribute.Kernel"/> too.</summary>
    /// <param name="outChannels">The number of channels of the output.</param>
    public ConvTranspose2dAttribute(int outChannels)
        : base(outChannels)
    {
    }

    /// <summary>Declares a transposed convolution with <paramref name="outChannels"/> output channels and a square kernel.</summary>
    /// <param name="outChannels">The number of channels of the output.</param>
    /// <param name="kernel">The side of the square kernel.</param>
    [SetsRequiredMembers]
    public ConvTranspose2dAttribute(int outChannels, int kernel)
        : base(outChannels, kernel)
    {
    }
}

/// <summary>
/// The maximum over each window (<c>torch.nn.MaxPool2d</c>) of a feature map [C, H, W]: <c>[MaxPool2d(2)]</c>,
/// <c>[MaxPool2d(3, 2)]</c> or <c>[MaxPool2d(Kernel = 2)]</c>. Each side of the output is ⌊(H − Kernel) / Stride⌋ + 1.
/// </summary>
public sealed class MaxPool2dAttribute : PoolAttribute
{
    /// <summary>Declares max pooling; set <see cref="PoolAttribute.Kernel"/>.</summary>
    public MaxPool2dAttribute()
    {
    }

    /// <summary>Declares max pooling over non-overlapping square windows.</summary>
    /// <param name="kernel">The side of the square window, which is also the stride.</param>
    [SetsRequiredMembers]
    public MaxPool2dAttribute(int kernel)
        : base(kernel)
    {
    }

    /// <summary>Declares max pooling over square windows with the given stride.</summary>
    /// <param name="kernel">The side of the square window.</param>
    /// <param name="stride">The step between windows.</param>
    [SetsRequiredMembers]
    public MaxPool2dAttribute(int kernel, int stride)
        : base(kernel, stride)
    {
    }
}

/// <summary>
/// The mean over each window (<c>torch.nn.AvgPool2d</c>) of a feature map [C, H, W]: <c>[AvgPool2d(2)]</c>,
/// <c>[AvgPool2d(3, 2)]</c> or <c>[AvgPool2d(Kernel = 2)]</c>. Each side of the output is ⌊(H − Kernel) / Stride⌋ + 1.
/// </summary>
public sealed class AvgPool2dAttribute : PoolAttribute
{
    /// <summary>Declares average pooling; set <see cref="PoolAttribute.Kernel"/>.</summary>
    public AvgPool2dAttribute()
    {
    }

    /// <summary>Declares average pooling over non-overlapping square windows.</summary>
    /// <param name="kernel">The side of the square window, which is also the stride.</param>
    [SetsRequiredMembers]
    public AvgPool2dAttribute(int kernel)
        : base(kernel)
    {
    }

    /// <summary>Declares average pooling over square windows with the given stride.</summary>
    /// <param name="kernel">The side of the square window.</param>
    /// <param name="stride">The step between windows.</param>
    [SetsRequiredMembers]
    public AvgPool2dAttribute(int kernel, int stride)
        : base(kernel, stride)
    {
    }
}

/// <summary>Repeats every pixel of a feature map [C, H, W] <see cref="Scale"/> times along each side (<c>torch.nn.Upsample</c>, nearest).</summary>
public sealed class UpsampleAttribute : LayerAttribute
{
    /// <summary>Declares nearest-neighbour upsampling by a whole factor.</summary>
    /// <param name="scale">How many times larger each side of the output is.</param>
    public UpsampleAttribute(int scale) => Scale = scale;

    /// <summary>How many times larger each side of the output is.</summary>
    public int Scale { get; }
}

/// <summary>
/// ResNet's basic block on a feature map [C, H, W]: <c>[ResidualBlock2d(64)]</c>. Two 3 × 3 convolutions with padding 1,
/// each followed by batch normalisation, the first by ReLU; the input added (through a 1 × 1 convolution and batch
/// normalisation when C differs from <see cref="Channels"/>), then ReLU. The output is [Channels, H, W].
/// </summary>
public sealed class ResidualBlock2dAttribute : LayerAttribute
{
    /// <summary>Declares a residual block whose convolutions and output have <paramref name="channels"/> channels.</summary>
    /// <param name="channels">The number of channels of the output.</param>
    public ResidualBlock2dAttribute(int channels) => Channels = channels;

    /// <summary>The number of channels of the output.</summary>
    public int Channels { get; }
}

/// <summary>Batch normalisation of each channel of a feature map [C, H, W] (<c>torch.nn.BatchNorm2d</c>).</summary>
public sealed class BatchNorm2dAttribute : LayerAttribute
{
}

/// <summary>Zeroes whole channels of a feature map [C, H, W] with probability <see cref="P"/> while training (<c>torch.nn.Dropout2d</c>).</summary>
public sealed class Dropout2dAttribute : LayerAttribute
{
    /// <summary>Declares channel dropout with drop probability <paramref name="p"/>.</summary>
    /// <param name="p">The probability that a channel is zeroed, in [0, 1).</param>
    public Dropout2dAttribute(double p = 0.5) => P = p;

    /// <summary>The probability that a channel is zeroed.</summary>
    public double P { get; }
}

/// <summary>Rearranges the elements of an example into the given shape, keeping their order (<c>torch.reshape</c> per example).</summary>
public sealed class ReshapeAttribute : LayerAttribute
{
    /// <summary>Declares the shape of one example after the layer; it must hold as many elements as the input.</summary>
    /// <param name="dims">The dimensions of one example after the layer.</param>
    public ReshapeAttribute(params int[] dims) => Dims = dims;

    /// <summary>The dimensions of one example after the layer.</summary>
    public int[] Dims { get; }
}
