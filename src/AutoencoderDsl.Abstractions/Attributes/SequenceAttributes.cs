using System.Diagnostics.CodeAnalysis;

namespace AutoencoderDsl;

// The 1-D layers take one sequence [C, L] per example: C channels (the features of one time step) of length L, so a
// univariate series of 128 steps is [Input(1, 128)].

/// <summary>
/// A 1-D convolution (<c>torch.nn.Conv1d</c>) on a sequence [C, L]: <c>[Conv1d(16, 5)]</c> or
/// <c>[Conv1d(16, Kernel = 5, Stride = 2)]</c>. The output length is ⌊(L + 2·Padding − Dilation·(Kernel − 1) − 1) / Stride⌋ + 1.
/// </summary>
public sealed class Conv1dAttribute : SlidingConvolutionAttribute
{
    /// <summary>Declares a convolution with <paramref name="outChannels"/> output channels; set <see cref="ConvolutionAttribute.Kernel"/> too.</summary>
    /// <param name="outChannels">The number of channels of the output.</param>
    public Conv1dAttribute(int outChannels)
        : base(outChannels)
    {
    }

    /// <summary>Declares a convolution with <paramref name="outChannels"/> output channels and the given kernel, as PyTorch's positional form.</summary>
    /// <param name="outChannels">The number of channels of the output.</param>
    /// <param name="kernel">The length of the kernel.</param>
    [SetsRequiredMembers]
    public Conv1dAttribute(int outChannels, int kernel)
        : base(outChannels, kernel)
    {
    }
}

/// <summary>
/// A 1-D transposed convolution (<c>torch.nn.ConvTranspose1d</c>) on a sequence [C, L]. The output length is
/// (L − 1)·Stride − 2·Padding + Kernel + OutputPadding.
/// </summary>
public sealed class ConvTranspose1dAttribute : TransposedConvolutionAttribute
{
    /// <summary>Declares a transposed convolution with <paramref name="outChannels"/> output channels; set <see cref="ConvolutionAttribute.Kernel"/> too.</summary>
    /// <param name="outChannels">The number of channels of the output.</param>
    public ConvTranspose1dAttribute(int outChannels)
        : base(outChannels)
    {
    }

    /// <summary>Declares a transposed convolution with <paramref name="outChannels"/> output channels and the given kernel.</summary>
    /// <param name="outChannels">The number of channels of the output.</param>
    /// <param name="kernel">The length of the kernel.</param>
    [SetsRequiredMembers]
    public ConvTranspose1dAttribute(int outChannels, int kernel)
        : base(outChannels, kernel)
    {
    }
}

/// <summary>
/// The maximum over each window (<c>torch.nn.MaxPool1d</c>) of a sequence [C, L]: <c>[MaxPool1d(2)]</c> or
/// <c>[MaxPool1d(3, 2)]</c>. The output length is ⌊(L − Kernel) / Stride⌋ + 1.
/// </summary>
public sealed class MaxPool1dAttribute : PoolAttribute
{
    /// <summary>Declares max pooling; set <see cref="PoolAttribute.Kernel"/>.</summary>
    public MaxPool1dAttribute()
    {
    }

    /// <summary>Declares max pooling over non-overlapping windows.</summary>
    /// <param name="kernel">The length of the window, which is also the stride.</param>
    [SetsRequiredMembers]
    public MaxPool1dAttribute(int kernel)
        : base(kernel)
    {
    }

    /// <summary>Declares max pooling over windows with the given stride.</summary>
    /// <param name="kernel">The length of the window.</param>
    /// <param name="stride">The step between windows.</param>
    [SetsRequiredMembers]
    public MaxPool1dAttribute(int kernel, int stride)
        : base(kernel, stride)
    {
    }
}

/// <summary>
/// The mean over each window (<c>torch.nn.AvgPool1d</c>) of a sequence [C, L]: <c>[AvgPool1d(2)]</c> or
/// <c>[AvgPool1d(3, 2)]</c>. The output length is ⌊(L − Kernel) / Stride⌋ + 1.
/// </summary>
public sealed class AvgPool1dAttribute : PoolAttribute
{
    /// <summary>Declares average pooling; set <see cref="PoolAttribute.Kernel"/>.</summary>
    public AvgPool1dAttribute()
    {
    }

    /// <summary>Declares average pooling over non-overlapping windows.</summary>
    /// <param name="kernel">The length of the window, which is also the stride.</param>
    [SetsRequiredMembers]
    public AvgPool1dAttribute(int kernel)
        : base(kernel)
    {
    }

    /// <summary>Declares average pooling over windows with the given stride.</summary>
    /// <param name="kernel">The length of the window.</param>
    /// <param name="stride">The step between windows.</param>
    [SetsRequiredMembers]
    public AvgPool1dAttribute(int kernel, int stride)
        : base(kernel, stride)
    {
    }
}

/// <summary>
/// ResNet's basic block on a sequence [C, L]: <c>[ResidualBlock1d(32)]</c>. Two convolutions of length 3 with padding 1,
/// each followed by batch normalisation, the first by ReLU; the input added (through a convolution of length 1 and
/// batch normalisation when C differs from <see cref="Channels"/>), then ReLU. The output is [Channels, L].
/// </summary>
public sealed class ResidualBlock1dAttribute : LayerAttribute
{
    /// <summary>Declares a residual block whose convolutions and output have <paramref name="channels"/> channels.</summary>
    /// <param name="channels">The number of channels of the output.</param>
    public ResidualBlock1dAttribute(int channels) => Channels = channels;

    /// <summary>The number of channels of the output.</summary>
    public int Channels { get; }
}

/// <summary>Batch normalisation of each channel of a sequence [C, L] (<c>torch.nn.BatchNorm1d</c>).</summary>
public sealed class BatchNorm1dAttribute : LayerAttribute
{
}
