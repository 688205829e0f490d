using AutoencoderDsl;
using TorchSharp.Modules;

namespace ConvBetaVaeExample;

/// <summary>
/// A convolutional β-VAE. β = 4 presses each code dimension towards the prior, so the dimensions it keeps tend to
/// capture one factor each; the KL weight warms up from 0 over 5 epochs, so the decoder learns to reconstruct first.
/// </summary>
[Variational(LatentDim = 16, Beta = 4, KlWarmupEpochs = 5)]
[Input(1, 28, 28)]
public partial class ConvBetaVae
{
    [Conv2d(32, 4, Stride = 2, Padding = 1), ReLU,
     Conv2d(64, 4, Stride = 2, Padding = 1), ReLU, Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(64 * 7 * 7), ReLU, Unflatten(64, 7, 7),
     ConvTranspose2d(32, 4, Stride = 2, Padding = 1), ReLU,
     ConvTranspose2d(1, 4, Stride = 2, Padding = 1), Sigmoid]
    public partial Sequential Decoder { get; }
}
