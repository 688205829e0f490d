using AutoencoderDsl;
using TorchSharp.Modules;

namespace DenoisingExample;

/// <summary>A convolutional denoiser: trained on noisy images against the clean ones.</summary>
[Autoencoder(LatentDim = 64)]
[Input(1, 28, 28)]
public partial class Denoiser
{
    [Conv2d(32, Kernel = 3, Stride = 2, Padding = 1), ReLU,
     Conv2d(64, Kernel = 3, Stride = 2, Padding = 1), ReLU, Flatten]
    public partial Sequential Encoder { get; }

    [Dense(64 * 7 * 7), ReLU, Unflatten(64, 7, 7),
     ConvTranspose2d(32, Kernel = 4, Stride = 2, Padding = 1), ReLU,
     ConvTranspose2d(1, Kernel = 4, Stride = 2, Padding = 1), Sigmoid]
    public partial Sequential Decoder { get; }
}
