using AutoencoderDsl;
using TorchSharp.Modules;

namespace AutoencoderApp;

/// <summary>
/// A denoising autoencoder. [Denoising] makes training add Gaussian noise of standard deviation <see cref="NoiseLevel"/>
/// to every image (clipped to [0, 1]) and score the reconstruction against the clean image, so the network learns to
/// remove noise; Denoise then cleans images it has never seen. Noise.Masking and Noise.SaltAndPepper are the other
/// corruptions.
/// </summary>
/// <remarks>
/// Only the hidden layers are declared: the source generator writes the rest of the class when you build (the layer
/// that makes the code, the corruption, the loss, Fit, Denoise, Save, Load…), and a layer whose shape does not fit is
/// a compiler error at its attribute.
/// </remarks>
[Autoencoder(LatentDim = 32)]
[Denoising(Noise.Gaussian, NoiseLevel)]
[Input(ImageShape.Channels, ImageShape.Height, ImageShape.Width)]
public partial class ImageDenoiser
{
    /// <summary>The standard deviation of the noise training adds, in the units of the pixels (0 to 1).</summary>
    public const double NoiseLevel = 0.3;

    [Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(ImageShape.Values), Sigmoid, Unflatten(ImageShape.Channels, ImageShape.Height, ImageShape.Width)]
    public partial Sequential Decoder { get; }
}
