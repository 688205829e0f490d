using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Parts;

/// <summary>
/// The corruption of a denoising autoencoder, applied to inputs while the module trains; the clean input stays the
/// target. Corrupted values are clipped to [<paramref name="Min"/>, <paramref name="Max"/>], the data's range. Noise is
/// drawn from libtorch's global generator, which <c>Fit</c> seeds.
/// </summary>
/// <param name="Noise">The kind of corruption.</param>
/// <param name="Level">The standard deviation of Gaussian noise, or the share of values masked or set to the range's ends.</param>
/// <param name="Min">The smallest value of the data.</param>
/// <param name="Max">The largest value of the data.</param>
public sealed record InputCorruption(Noise Noise, double Level, double Min = 0, double Max = 1)
{
    /// <summary>The checked level.</summary>
    public double Level { get; init; } = CheckLevel(Noise, Level);

    /// <summary>The checked minimum: below the maximum, and both finite for salt-and-pepper noise, which sets values to them.</summary>
    public double Min { get; init; } = !(Min < Max)
        ? throw new ArgumentOutOfRangeException(nameof(Min), Min, $"The data range needs Min below Max, but it is [{Min}, {Max}].")
        : Noise == Noise.SaltAndPepper && (double.IsInfinity(Min) || double.IsInfinity(Max))
            ? throw new ArgumentOutOfRangeException(nameof(Min), Min, "Salt-and-pepper noise sets values to Min and Max, so both must be finite.")
            : Min;

    /// <summary>A corrupted copy of <paramref name="input"/>.</summary>
    public Tensor Apply(Tensor input)
    {
        using var scope = NewDisposeScope();
        var corrupted = Noise switch
        {
            Noise.Gaussian => input + (Level * randn_like(input)),
            Noise.Masking => input.masked_fill(rand_like(input) < Level, 0),
            Noise.SaltAndPepper => SaltAndPepper(input),
            _ => throw new InvalidOperationException($"Unknown noise {Noise}."),
        };
        return corrupted.clamp(Min, Max).MoveToOuterDisposeScope();
    }

    /// <summary><see cref="Apply"/> in PyTorch: a Python expression of <c>x</c>.</summary>
    public string PyTorch => FormattableString.Invariant(Noise switch
    {
        Noise.Gaussian => $"(x + {Level:R} * torch.randn_like(x)).clamp({Min:R}, {Max:R})",
        Noise.Masking => $"x.masked_fill(torch.rand_like(x) < {Level:R}, 0).clamp({Min:R}, {Max:R})",
        _ => $"salt_and_pepper(x, {Level:R}, {Min:R}, {Max:R})",
    });

    private Tensor SaltAndPepper(Tensor input)
    {
        var draw = rand_like(input);
        return input.masked_fill(draw < Level / 2, Min).masked_fill((draw >= Level / 2).logical_and(draw < Level), Max);
    }

    private static double CheckLevel(Noise noise, double level)
    {
        bool valid = noise switch
        {
            Noise.Gaussian => double.IsFinite(level) && level > 0,
            Noise.Masking or Noise.SaltAndPepper => level > 0 && level < 1,
            _ => throw new ArgumentOutOfRangeException(nameof(noise), noise, "Unknown noise."),
        };
        return valid
            ? level
            : throw new ArgumentOutOfRangeException(
                nameof(Level),
                level,
                noise == Noise.Gaussian ? "The standard deviation of Gaussian noise must be positive and finite." : $"The share of values {noise} corrupts must lie in (0, 1).");
    }
}
