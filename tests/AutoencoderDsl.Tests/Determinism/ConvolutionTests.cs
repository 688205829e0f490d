using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Determinism;

/// <summary>
/// The runtime's convolutions against a double-precision reference, for the channel counts whose oneDNN kernels read
/// memory they never wrote (tests/repro/ConvolutionGradient shows the fault itself).
/// </summary>
public sealed class ConvolutionTests
{
    public static TheoryData<bool, int, long, long> Layers => new()
    {
        // The shapes of the first report: the gradient of a 1- and a 4-channel input, an output of one channel.
        { false, 2, 1, 3 }, { false, 2, 4, 1 }, { false, 2, 17, 1 }, { false, 2, 3, 2 }, { false, 2, 16, 8 },
        { true, 2, 8, 4 }, { true, 2, 3, 1 }, { true, 2, 16, 17 },
        { false, 1, 4, 1 }, { true, 1, 2, 3 },
        // Left to oneDNN, which gets them right: whole blocks, a few input channels forward, a one-channel transposed output.
        { false, 2, 16, 32 }, { true, 2, 32, 16 }, { false, 2, 1, 32 }, { false, 2, 3, 16 }, { true, 2, 32, 1 }, { true, 2, 16, 3 },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void OutputAndGradientsMatchADoublePrecisionReferenceOnTwoThreads(bool transposed, int rank, long inChannels, long outChannels)
    {
        int threads = get_num_threads();
        set_num_threads(2);
        try
        {
            for (int run = 0; run < 50; run++)
            {
                using var scope = NewDisposeScope();
                manual_seed(run);
                var layer = Build(transposed, rank, inChannels, outChannels);
                var x = (rank == 2 ? randn(32, inChannels, 10, 10) : randn(32, inChannels, 20)).requires_grad_();
                var y = layer.call(x);
                var upstream = randn_like(y);
                y.backward([upstream]);

                var weight = layer.get_parameter("weight")!.detach().to(float64).requires_grad_();
                var bias = layer.get_parameter("bias")!.detach().to(float64);
                var xd = x.detach().to(float64).requires_grad_();
                var reference = Reference(transposed, rank, xd, weight, bias);
                reference.backward([upstream.to(float64)]);

                Assert.True(x.grad!.isfinite().all().item<bool>(), $"run {run}: a non-finite input gradient");
                Assert.True(y.to(float64).allclose(reference, 1e-4, 1e-4), $"run {run}: the output differs from the reference");
                Assert.True(x.grad!.to(float64).allclose(xd.grad!, 1e-4, 1e-4), $"run {run}: the input's gradient differs from the reference");
                Assert.True(layer.get_parameter("weight")!.grad!.to(float64).allclose(weight.grad!, 1e-3, 1e-3), $"run {run}: the weight's gradient differs from the reference");
            }
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void APatchConvolutionKeepsTorchSharpsNamesShapesAndInitialValues()
    {
        manual_seed(7);
        using var ours = Convolutions.ConvTranspose2d(3, 1, kernel_size: 4, stride: 2, padding: 1);
        manual_seed(7);
        using var theirs = nn.ConvTranspose2d(3, 1, 4, stride: 2, padding: 1);
        Assert.IsType<PatchConvolution>(ours);
        Assert.Equal(theirs.state_dict().Keys, ours.state_dict().Keys);
        foreach (var (name, value) in theirs.state_dict())
        {
            Assert.Equal(value.shape, ours.state_dict()[name].shape);
            Assert.True(value.allclose(ours.state_dict()[name], 0, 0), $"{name} starts from other values than nn.ConvTranspose2d's");
        }
    }

    [Fact]
    public void WholeBlocksOfChannelsKeepTorchSharpsOwnModule()
    {
        using var layer = Convolutions.Conv2d(32, 64, kernel_size: 3);
        Assert.IsType<TorchSharp.Modules.Conv2d>(layer);
    }

    private static nn.Module<Tensor, Tensor> Build(bool transposed, int rank, long inChannels, long outChannels) => (transposed, rank) switch
    {
        (false, 1) => Convolutions.Conv1d(inChannels, outChannels, kernel_size: 3, padding: 1),
        (false, _) => Convolutions.Conv2d(inChannels, outChannels, kernel_size: 3, stride: 2, padding: 2, dilation: 2),
        (true, 1) => Convolutions.ConvTranspose1d(inChannels, outChannels, kernel_size: 4, stride: 2, padding: 1),
        (true, _) => Convolutions.ConvTranspose2d(inChannels, outChannels, kernel_size: 4, stride: 2, padding: 1, output_padding: 1),
    };

    private static Tensor Reference(bool transposed, int rank, Tensor x, Tensor weight, Tensor bias) => (transposed, rank) switch
    {
        (false, 1) => nn.functional.conv1d(x, weight, bias, padding: 1),
        (false, _) => nn.functional.conv2d(x, weight, bias, strides: [2, 2], padding: [2, 2], dilation: [2, 2]),
        (true, 1) => nn.functional.conv_transpose1d(x, weight, bias, stride: 2, padding: 1),
        (true, _) => nn.functional.conv_transpose2d(x, weight, bias, strides: [2, 2], padding: [1, 1], output_padding: [1, 1]),
    };
}
