using System;
using System.Globalization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// ResNet's basic block of stride 1 (He et al. 2016), which <c>[ResidualBlock2d(channels)]</c> and
/// <c>[ResidualBlock1d(channels)]</c> build: a 3 × 3 (1-D: 3) convolution to the block's channels, batch norm, ReLU,
/// a second convolution, batch norm; the input added (through a 1 × 1 convolution and a batch norm when its channels
/// differ), then ReLU. Sizes stay; the channels become the block's.
/// </summary>
/// <remarks>
/// The convolutions have no bias: each is followed by a batch norm, which subtracts it again. Their state-dict names
/// (<c>conv1</c>, <c>norm1</c>, <c>conv2</c>, <c>norm2</c>, <c>skip.0</c>, <c>skip.1</c>) are those of the PyTorch
/// twin's <c>ResidualBlock</c>.
/// </remarks>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    // TorchSharp registers the fields under their names, the state-dict names; a null skip registers nothing.
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> norm1;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly nn.Module<Tensor, Tensor> norm2;
    private readonly Sequential? skip;
    private readonly int rank;

    /// <summary>A block from <paramref name="inChannels"/> to <paramref name="channels"/> channels.</summary>
    /// <param name="spatialRank">1 for sequences <c>[N, C, L]</c>, 2 for feature maps <c>[N, C, H, W]</c>.</param>
    /// <param name="inChannels">The channels of the block's input.</param>
    /// <param name="channels">The channels of its output and of its convolutions.</param>
    public ResidualBlock(int spatialRank, long inChannels, long channels)
        : base(string.Create(CultureInfo.InvariantCulture, $"ResidualBlock{spatialRank}d"))
    {
        if (spatialRank is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(spatialRank), spatialRank, "A residual block is 1-D (sequences) or 2-D (feature maps); pass 1 or 2.");
        }

        if (inChannels <= 0 || channels <= 0)
        {
            throw new ArgumentOutOfRangeException(
                inChannels <= 0 ? nameof(inChannels) : nameof(channels),
                string.Create(CultureInfo.InvariantCulture, $"A residual block needs positive channel counts, but got {inChannels} in and {channels} out."));
        }

        rank = spatialRank;
        conv1 = Convolution(inChannels, channels, 3);
        norm1 = Norm(channels);
        conv2 = Convolution(channels, channels, 3);
        norm2 = Norm(channels);
        skip = inChannels == channels ? null : nn.Sequential(("0", Convolution(inChannels, channels, 1)), ("1", Norm(channels)));
        RegisterComponents();
    }

    /// <summary>The block applied to a batch <c>[N, C, L]</c> or <c>[N, C, H, W]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != rank + 2)
        {
            throw new ArgumentException(
                $"{GetName()} takes a batch [N, C, {(rank == 1 ? "L" : "H, W")}], but got a tensor of shape [{string.Join(", ", input.shape)}].",
                nameof(input));
        }

        using var scope = NewDisposeScope();
        // Neither a batch norm's backward pass nor a sum's reads its output, so the ReLUs may overwrite them in place.
        var hidden = norm1.call(conv1.call(input)).relu_();
        var residual = norm2.call(conv2.call(hidden));
        return (residual + (skip is null ? input : skip.call(input))).relu_().MoveToOuterDisposeScope();
    }

    private nn.Module<Tensor, Tensor> Convolution(long inChannels, long outChannels, long kernel) =>
        rank == 1
            ? Convolutions.Conv1d(inChannels, outChannels, kernel, padding: kernel / 2, bias: false)
            : Convolutions.Conv2d(inChannels, outChannels, kernel, padding: kernel / 2, bias: false);

    private nn.Module<Tensor, Tensor> Norm(long channels) => rank == 1 ? nn.BatchNorm1d(channels) : nn.BatchNorm2d(channels);
}
