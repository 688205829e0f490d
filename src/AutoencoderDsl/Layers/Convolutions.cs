using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// The convolutions that generated models build: TorchSharp's own module where libtorch's CPU kernel computes it
/// correctly, otherwise a <see cref="PatchConvolution"/> with the same parameters, state-dict names and arithmetic.
/// </summary>
/// <remarks>
/// The libtorch that TorchSharp 0.107 bundles (2.10, with oneDNN 3.7.1) computes a 32-bit CPU convolution through
/// oneDNN, which lays channels out in blocks of 16. When the channels a kernel sums over fill no whole block, the
/// result is wrong and depends on memory oneDNN never wrote: a convolution's forward pass when its input has more than
/// 16 channels but not a multiple of 16 (fewer go to a kernel that reads them unblocked), the input's gradient when the
/// output's channels are not a multiple of 16; for a transposed convolution the roles swap. Garbage that happens to be
/// NaN or ∞ is the spurious divergence; the rest makes gradients wrong and runs differ.
/// <c>tests/repro/ConvolutionGradient</c> shows it with TorchSharp alone. Everything else oneDNN computes correctly, so
/// a layer keeps oneDNN's speed wherever the rules allow: always when both channel counts are multiples of 16, and for
/// a call whose input needs no gradient (a first layer, inference) when only the gradient would be wrong.
/// </remarks>
public static class Convolutions
{
    /// <summary>oneDNN's widest channel block on x86 (AVX-512); a multiple of it is also one of AVX2's 8.</summary>
    internal const long ChannelBlock = 16;

    /// <summary><c>nn.Conv1d</c>, computed correctly on any CPU; without a bias where a batch norm follows and would cancel it.</summary>
    public static nn.Module<Tensor, Tensor> Conv1d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, bool bias = true)
    {
        var module = nn.Conv1d(in_channels, out_channels, kernel_size, stride: stride, padding: padding, dilation: dilation, bias: bias);
        return WholeBlocks(in_channels, out_channels) ? module : PatchConvolution.Sliding(module, in_channels, out_channels, 1, kernel_size, stride, padding, dilation);
    }

    /// <summary><c>nn.Conv2d</c> with a square kernel, computed correctly on any CPU; without a bias where a batch norm follows and would cancel it.</summary>
    public static nn.Module<Tensor, Tensor> Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, bool bias = true)
    {
        var module = nn.Conv2d(in_channels, out_channels, kernel_size, stride: stride, padding: padding, dilation: dilation, bias: bias);
        return WholeBlocks(in_channels, out_channels) ? module : PatchConvolution.Sliding(module, in_channels, out_channels, 2, kernel_size, stride, padding, dilation);
    }

    /// <summary><c>nn.ConvTranspose1d</c>, computed correctly on any CPU.</summary>
    public static nn.Module<Tensor, Tensor> ConvTranspose1d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long output_padding = 0)
    {
        var module = nn.ConvTranspose1d(in_channels, out_channels, kernel_size, stride: stride, padding: padding, output_padding: output_padding);
        return WholeBlocks(in_channels, out_channels) ? module : PatchConvolution.Transposed(module, in_channels, out_channels, 1, kernel_size, stride, padding, output_padding);
    }

    /// <summary><c>nn.ConvTranspose2d</c> with a square kernel, computed correctly on any CPU.</summary>
    public static nn.Module<Tensor, Tensor> ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long output_padding = 0)
    {
        var module = nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride: stride, padding: padding, output_padding: output_padding);
        return WholeBlocks(in_channels, out_channels) ? module : PatchConvolution.Transposed(module, in_channels, out_channels, 2, kernel_size, stride, padding, output_padding);
    }

    private static bool WholeBlocks(long inChannels, long outChannels) => inChannels % ChannelBlock == 0 && outChannels % ChannelBlock == 0;

    /// <summary>Whether oneDNN gets a sum over <paramref name="channels"/> wrong; <paramref name="unblocked"/> when its kernel reads up to a block of them unblocked.</summary>
    internal static bool PartialBlock(long channels, bool unblocked) => channels % ChannelBlock != 0 && !(unblocked && channels < ChannelBlock);
}
