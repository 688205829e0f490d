using AutoencoderDsl;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FashionVaeExample;

/// <summary>A VAE with a 2-D latent space: small enough to plot, rich enough to generate recognisable clothes.</summary>
[Variational(LatentDim = 2)]
[Input(1, 28, 28)]
public partial class FashionVae
{
    [Flatten, Dense(512), ReLU, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(512), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}
