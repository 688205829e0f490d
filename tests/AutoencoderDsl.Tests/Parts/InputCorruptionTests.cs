using AutoencoderDsl.Parts;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Parts;

/// <summary>Each kind of corruption does what its level says, within the data range.</summary>
public sealed class InputCorruptionTests
{
    [Fact]
    public void GaussianNoiseHasTheGivenStandardDeviationAndIsClippedToTheRange()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var clean = full([200, 100], 0.5f);

        var noisy = new InputCorruption(AutoencoderDsl.Noise.Gaussian, Level: 0.1).Apply(clean);
        var clipped = new InputCorruption(AutoencoderDsl.Noise.Gaussian, Level: 2).Apply(clean);

        Assert.Equal(0.1, (noisy - clean).std().item<float>(), 2);
        Assert.True(clipped.min().item<float>() >= 0 && clipped.max().item<float>() <= 1);
        Assert.True(clipped.eq(0).any().item<bool>() && clipped.eq(1).any().item<bool>());
    }

    [Fact]
    public void MaskingZeroesTheGivenShareOfValues()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        var clean = full([200, 100], 0.7f);

        var masked = new InputCorruption(AutoencoderDsl.Noise.Masking, Level: 0.3).Apply(clean);

        Assert.Equal(0.3, masked.eq(0).to(ScalarType.Float32).mean().item<float>(), 2);
        Assert.True(masked.ne(0).logical_and(masked.ne(0.7f)).logical_not().all().item<bool>());
    }

    [Fact]
    public void SaltAndPepperSetsTheGivenShareToTheEndsOfTheRangeEvenly()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        var clean = full([200, 100], 0.4f);

        var noisy = new InputCorruption(AutoencoderDsl.Noise.SaltAndPepper, Level: 0.2, Min: -1, Max: 2).Apply(clean);

        Assert.Equal(0.1, noisy.eq(-1).to(ScalarType.Float32).mean().item<float>(), 2);
        Assert.Equal(0.1, noisy.eq(2).to(ScalarType.Float32).mean().item<float>(), 2);
        Assert.Equal(0.8, noisy.eq(0.4f).to(ScalarType.Float32).mean().item<float>(), 2);
    }
}
