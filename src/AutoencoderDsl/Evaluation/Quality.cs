using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Evaluation;

/// <summary>How close reconstructions are to their targets.</summary>
/// <param name="MeanSquaredError">The mean of the squared differences over every element.</param>
/// <param name="Psnr">The peak signal-to-noise ratio in decibels, 10·log₁₀(peak² / MSE).</param>
public sealed record ReconstructionQuality(double MeanSquaredError, double Psnr);

/// <summary>How much noise a denoiser removes, both against the clean data.</summary>
/// <param name="Noisy">The noisy inputs' quality.</param>
/// <param name="Denoised">The denoised outputs' quality.</param>
public sealed record DenoisingQuality(ReconstructionQuality Noisy, ReconstructionQuality Denoised)
{
    /// <summary>The PSNR gained by denoising, in decibels.</summary>
    public double PsnrGain => Denoised.Psnr - Noisy.Psnr;
}

/// <summary>Error measures of images and other signals.</summary>
public static class Quality
{
    /// <summary>The mean squared error and the PSNR of <paramref name="signal"/> against <paramref name="reference"/>, for values whose range is <paramref name="peak"/> (1 for images in [0, 1]).</summary>
    public static ReconstructionQuality Of(Tensor signal, Tensor reference, double peak = 1)
    {
        ArgumentNullException.ThrowIfNull(signal);
        ArgumentNullException.ThrowIfNull(reference);
        if (!signal.shape.AsSpan().SequenceEqual(reference.shape))
        {
            throw new ArgumentException($"The signal {Shapes.Format(signal.shape)} and its reference {Shapes.Format(reference.shape)} must have the same shape.", nameof(reference));
        }

        using var scope = NewDisposeScope();
        double mse = (signal.detach() - reference.detach()).square().to(ScalarType.Float64).mean().item<double>();
        return new ReconstructionQuality(mse, 10 * Math.Log10(peak * peak / mse));
    }

    /// <summary>The quality of <paramref name="noisy"/> inputs and of their <paramref name="denoised"/> outputs, both against the <paramref name="clean"/> data.</summary>
    public static DenoisingQuality OfDenoising(Tensor noisy, Tensor denoised, Tensor clean, double peak = 1) =>
        new(Of(noisy, clean, peak), Of(denoised, clean, peak));
}
