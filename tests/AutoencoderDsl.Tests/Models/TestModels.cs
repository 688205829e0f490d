using AutoencoderDsl;
using TorchSharp.Modules;

namespace AutoencoderDsl.Tests.Models;

// Declarations compiled by the real generator in this test project, as a user's project would compile them.

[Variational(LatentDim = 2)]
[Input(1, 28, 28)]
public partial class FashionVae
{
    [Flatten, Dense(512), ReLU, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(512), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}

[Autoencoder(LatentDim = 32, Likelihood = Likelihood.Gaussian)]
[Input(784)]
public partial class DeepAe
{
    [Dense(256), LeakyReLU(0.2), Dropout(0.1), Dense(128), BatchNorm, GELU]
    public partial Sequential Encoder { get; }

    [Dense(128), Tanh, Dense(256), ReLU, Dense(784)]
    public partial Sequential Decoder { get; }
}

/// <summary>Small enough to train in seconds in a test.</summary>
[Variational(LatentDim = 4)]
[Input(1, 28, 28)]
public partial class SmallVae
{
    [Flatten, Dense(128), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(128), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}

/// <summary>A Bernoulli decoder without a final sigmoid, whose outputs can leave [0, 1]: what ADSL025 warns about.</summary>
#pragma warning disable ADSL025 // The runtime's error for this mistake is under test.
[Autoencoder(LatentDim = 2)]
[Input(4)]
public partial class UnboundedBernoulliAe
{
    [Dense(3), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(4)]
    public partial Sequential Decoder { get; }
}
#pragma warning restore ADSL025

/// <summary>A denoiser: trained on corrupted inputs against clean targets.</summary>
[Autoencoder(LatentDim = 32)]
[Input(1, 28, 28)]
public partial class DenoisingAe
{
    [Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}

/// <summary>A small class-conditional VAE; its small code and β = 2 leave the class to the label.</summary>
[Variational(LatentDim = 2, Beta = 2)]
[ClassConditional(Classes = 10)]
[Input(1, 28, 28)]
public partial class SmallCvae
{
    [Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}

/// <summary>A denoiser declared as one: it corrupts its own inputs while training.</summary>
[Autoencoder(LatentDim = 64)]
[Denoising(Noise.Gaussian, 0.5)]
[Input(1, 28, 28)]
public partial class DeclaredDenoiser
{
    [Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}
