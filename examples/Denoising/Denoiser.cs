using AutoencoderDsl;
using TorchSharp.Modules;

namespace DenoisingExample;

/// <summary>
/// A convolutional denoiser declared as one: while it trains, each image is corrupted by Gaussian noise of σ = 0.5
/// (clipped to [0, 1]) and the loss compares its reconstruction with the clean image.
/// </summary>
[Autoencoder(LatentDim = 64)]
[Denoising(Noise.Gaussian, 0.5)]
[Input(1, 28, 28)]
public partial class Denoiser
{
    [Conv2d(32, 3, Stride = 2, Padding = 1), ReLU,
     Conv2d(64, 3, Stride = 2, Padding = 1), ReLU, Flatten]
    public partial Sequential Encoder { get; }

    [Dense(64 * 7 * 7), ReLU, Unflatten(64, 7, 7),
     ConvTranspose2d(32, 4, Stride = 2, Padding = 1), ReLU,
     ConvTranspose2d(1, 4, Stride = 2, Padding = 1), Sigmoid]
    public partial Sequential Decoder { get; }
}
