using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// A convolution computed as a matrix product over the input's patches (<c>unfold</c>, <c>matmul</c>, <c>fold</c>)
/// for the CPU calls that libtorch's oneDNN kernels would get wrong, and by TorchSharp's convolution for the rest. Its
/// parameters are the TorchSharp module's own, under the same names (<c>weight</c>, <c>bias</c>), so state dicts,
/// PyTorch and ONNX see an ordinary convolution.
/// </summary>
/// <remarks>
/// Which calls, and why: <see cref="Convolutions"/>. Only layers with few channels take this path, where the patches are small.
/// </remarks>
public sealed class PatchConvolution : nn.Module<Tensor, Tensor>
{
    // TorchSharp registers the fields under their names, the state-dict names, and replaces them when the module moves.
    private Parameter weight;
    private Parameter? bias;
    private readonly bool transposed;
    private readonly int rank;
    private readonly long kernel;
    private readonly long stride;
    private readonly long padding;
    private readonly long dilation;
    private readonly long outputPadding;
    private readonly bool forwardWrong;
    private readonly bool gradientWrong;

    private PatchConvolution(Convolution module, bool forwardWrong, bool gradientWrong, bool transposed, int rank, long kernel, long stride, long padding, long dilation, long outputPadding)
        : base(transposed ? $"ConvTranspose{rank}d" : $"Conv{rank}d")
    {
        // The TorchSharp module drew the initial values, so a seed gives the same start as nn.Conv2d would.
        weight = new Parameter(module.weight!.detach().clone());
        bias = module.bias is { } b ? new Parameter(b.detach().clone()) : null;
        module.Dispose();
        this.forwardWrong = forwardWrong;
        this.gradientWrong = gradientWrong;
        this.transposed = transposed;
        this.rank = rank;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.outputPadding = outputPadding;
        RegisterComponents();
    }

    // A convolution's forward pass sums over its input's channels and the input's gradient over its output's; a
    // transposed convolution swaps the two, and its unblocked kernel serves the gradient instead of the forward pass.
    internal static PatchConvolution Sliding(Convolution module, long inChannels, long outChannels, int rank, long kernel, long stride, long padding, long dilation) =>
        new(
            module,
            forwardWrong: Convolutions.PartialBlock(inChannels, unblocked: true),
            gradientWrong: Convolutions.PartialBlock(outChannels, unblocked: false),
            transposed: false, rank, kernel, stride, padding, dilation, outputPadding: 0);

    internal static PatchConvolution Transposed(Convolution module, long inChannels, long outChannels, int rank, long kernel, long stride, long padding, long outputPadding) =>
        new(
            module,
            forwardWrong: Convolutions.PartialBlock(inChannels, unblocked: false),
            gradientWrong: Convolutions.PartialBlock(outChannels, unblocked: true),
            transposed: true, rank, kernel, stride, padding, dilation: 1, outputPadding);

    /// <summary>The convolution of <paramref name="input"/>, <c>[N, C, L]</c> or <c>[N, C, H, W]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != rank + 2)
        {
            throw new ArgumentException(
                $"{GetName()} takes a batch [N, C, {(rank == 1 ? "L" : "H, W")}], but got a tensor of shape [{string.Join(", ", input.shape)}].",
                nameof(input));
        }

        bool wrongOnOneDnn = forwardWrong || (gradientWrong && input.requires_grad);
        if (input.device_type != DeviceType.CPU || !wrongOnOneDnn)
        {
            return Reference(input);
        }

        using var scope = NewDisposeScope();
        // A sequence [N, C, L] is a map one row high; the kernel, padding and stride then act along the row only.
        var map = rank == 1 ? input.unsqueeze(2) : input;
        long batch = map.shape[0], height = map.shape[2], width = map.shape[3];
        (long, long) Pair(long along, long across) => rank == 1 ? (across, along) : (along, along);
        var kernelSize = Pair(kernel, 1);
        var output = transposed
            ? Transpose(map, batch, height, width, kernelSize, Pair(padding, 0), Pair(stride, 1))
            : Slide(map, batch, height, width, kernelSize, Pair(padding, 0), Pair(stride, 1), Pair(dilation, 1));
        if (bias is not null)
        {
            output = output + bias.view(rank == 1 ? [1, -1, 1] : [1, -1, 1, 1]);
        }

        return output.MoveToOuterDisposeScope();
    }

    private Tensor Slide(Tensor map, long batch, long height, long width, (long, long) kernelSize, (long, long) pad, (long, long) step, (long, long) spacing)
    {
        // unfold checks the arguments (a zero stride, a window wider than the input) before the sides are computed.
        var patches = nn.functional.unfold(map, kernelSize, spacing, pad, step);            // [N, C·k·k, L]
        long Side(long side, long k, long p, long s, long d) => ((side + (2 * p) - (d * (k - 1)) - 1) / s) + 1;
        long outHeight = Side(height, kernelSize.Item1, pad.Item1, step.Item1, spacing.Item1);
        long outWidth = Side(width, kernelSize.Item2, pad.Item2, step.Item2, spacing.Item2);
        var output = weight.view(weight.shape[0], -1).matmul(patches);                       // [N, O, L]
        return rank == 1 ? output.view(batch, -1, outWidth) : output.view(batch, -1, outHeight, outWidth);
    }

    private Tensor Transpose(Tensor map, long batch, long height, long width, (long, long) kernelSize, (long, long) pad, (long, long) step)
    {
        long Side(long side, long k, long p, long s) => ((side - 1) * s) - (2 * p) + k + outputPadding;
        long outHeight = rank == 1 ? 1 : Side(height, kernelSize.Item1, pad.Item1, step.Item1);
        long outWidth = Side(width, kernelSize.Item2, pad.Item2, step.Item2);
        long inChannels = weight.shape[0];
        // Each input position spreads its channels over an output patch; fold adds the overlapping patches up.
        var patches = weight.view(inChannels, -1).t().matmul(map.reshape(batch, inChannels, height * width));   // [N, O·k·k, L]
        var output = nn.functional.fold(patches, (outHeight, outWidth), kernelSize, (1, 1), pad, step);
        return rank == 1 ? output.squeeze(2) : output;
    }

    /// <summary>TorchSharp's own convolution, for the calls it computes correctly.</summary>
    private Tensor Reference(Tensor input) => (transposed, rank) switch
    {
        (false, 1) => nn.functional.conv1d(input, weight, bias, stride, padding, dilation),
        (false, _) => nn.functional.conv2d(input, weight, bias, [stride, stride], [padding, padding], [dilation, dilation]),
        (true, 1) => nn.functional.conv_transpose1d(input, weight, bias, stride, padding, outputPadding),
        (true, _) => nn.functional.conv_transpose2d(input, weight, bias, [stride, stride], [padding, padding], [outputPadding, outputPadding]),
    };
}
