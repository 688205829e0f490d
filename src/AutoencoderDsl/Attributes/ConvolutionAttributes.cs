namespace AutoencoderDsl;

// The 2-D layers take one feature map [C, H, W] per example; C is read from the layer before, so only the output
// channels are declared. The names match TorchSharp's modules: [Conv2d(...)] still binds to these attributes under
// `using TorchSharp.Modules;`, because C# only considers types derived from System.Attribute in an attribute name.

/// <summary>
/// A 2-D convolution (<c>torch.nn.Conv2d</c>) on a feature map [C, H, W]. Each side of the output is
/// ⌊(H + 2·Padding − Dilation·(Kernel − 1) − 1) / Stride⌋ + 1.
/// </summary>
public sealed class Conv2dAttribute : LayerAttribute
{
    /// <summary>Declares a convolution with <paramref name="outChannels"/> output channels; set <see cref="Kernel"/> too.</summary>
    /// <param name="outChannels">The number of channels of the output.</param>
    public Conv2dAttribute(int outChannels) => OutChannels = outChannels;

    /// <summary>The number of channels of the output.</summary>
    public int OutChannels { get; }

    /// <summary>The side of the square kernel.</summary>
    public required int Kernel { get; init; }

    /// <summary>The step between kernel positions; 1 unless set.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>The zeros added on every side of the input; 0 unless set.</summary>
    public int Padding { get; init; }

    /// <summary>The spacing between kernel elements; 1 unless set.</summary>
    public int Dilation { get; init; } = 1;
}

/// <summary>
/// A 2-D transposed convolution (<c>torch.nn.ConvTranspose2d</c>), the usual upsampling step of a decoder. Each side
/// of the output is (H − 1)·Stride − 2·Padding + Kernel + OutputPadding.
/// </summary>
public sealed class ConvTranspose2dAttribute : LayerAttribute
{
    /// <summary>Declares a transposed convolution with <paramref name="outChannels"/> output channels; set <see cref="Kernel"/> too.</summary>
    /// <param name="outChannels">The number of channels of the output.</param>
    public ConvTranspose2dAttribute(int outChannels) => OutChannels = outChannels;

    /// <summary>The number of channels of the output.</summary>
    public int OutChannels { get; }

    /// <summary>The side of the square kernel.</summary>
    public required int Kernel { get; init; }

    /// <summary>The upsampling factor; 1 unless set.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>The rows and columns removed from every side of the output; 0 unless set.</summary>
    public int Padding { get; init; }

    /// <summary>The extra rows and columns added to one side of the output, to reach an exact size; 0 unless set, and less than <see cref="Stride"/>.</summary>
    public int OutputPadding { get; init; }
}

/// <summary>
/// The maximum over each window (<c>torch.nn.MaxPool2d</c>) of a feature map [C, H, W]. Each side of the output is
/// ⌊(H − Kernel) / Stride⌋ + 1.
/// </summary>
public sealed class MaxPool2dAttribute : LayerAttribute
{
    private readonly int? stride;

    /// <summary>The side of the square window.</summary>
    public required int Kernel { get; init; }

    /// <summary>The step between windows; the kernel size unless set, as in libtorch, so windows do not overlap.</summary>
    public int Stride { get => stride ?? Kernel; init => stride = value; }
}

/// <summary>
/// The mean over each window (<c>torch.nn.AvgPool2d</c>) of a feature map [C, H, W]. Each side of the output is
/// ⌊(H − Kernel) / Stride⌋ + 1.
/// </summary>
public sealed class AvgPool2dAttribute : LayerAttribute
{
    private readonly int? stride;

    /// <summary>The side of the square window.</summary>
    public required int Kernel { get; init; }

    /// <summary>The step between windows; the kernel size unless set, as in libtorch, so windows do not overlap.</summary>
    public int Stride { get => stride ?? Kernel; init => stride = value; }
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
