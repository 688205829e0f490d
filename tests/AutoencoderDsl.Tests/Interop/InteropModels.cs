using AutoencoderDsl;
using TorchSharp.Modules;

namespace AutoencoderDsl.Tests.Interop;

// Between them, every layer kind and every part, for the PyTorch and ONNX parity tests.

/// <summary>Every layer of feature vectors: Dense, the activations, Dropout and BatchNorm.</summary>
[Autoencoder(LatentDim = 4, Likelihood = Likelihood.Gaussian)]
[Input(12)]
public partial class VectorLayersAe
{
    [Dense(16), LeakyReLU(0.1), Dropout(0.1), Dense(16), BatchNorm, GELU, Dense(8), SiLU]
    public partial Sequential Encoder { get; }

    [Dense(16), Tanh, Dense(12)]
    public partial Sequential Decoder { get; }
}

/// <summary>Every layer of feature maps, a fused final Sigmoid, β and a KL warm-up.</summary>
[Variational(LatentDim = 3, Beta = 2, KlWarmupEpochs = 2)]
[Input(1, 12, 12)]
public partial class FeatureMapVae
{
    [Conv2d(4, 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(2), Dropout2d(0.1), Conv2d(8, 3, Stride = 2, Padding = 2, Dilation = 2), Flatten]
    public partial Sequential Encoder { get; }

    [Dense(8 * 3 * 3), ReLU, Unflatten(8, 3, 3), Upsample(2), ConvTranspose2d(4, 4, Stride = 2, Padding = 1), ReLU, AvgPool2d(3, 1), Conv2d(1, 3, Padding = 2), Sigmoid]
    public partial Sequential Decoder { get; }
}

/// <summary>Every layer of sequences, a class condition, a fixed Gaussian σ and a declared corruption.</summary>
[Variational(LatentDim = 2, Likelihood = Likelihood.Gaussian, Sigma = 0.5)]
[ClassConditional(Classes = 3)]
[Denoising(Noise.Gaussian, 0.1, Min = -10, Max = 10)]
[Input(2, 16)]
public partial class SequenceCvae
{
    [Conv1d(4, 3, Padding = 1), BatchNorm1d, ReLU, MaxPool1d(2), AvgPool1d(2), Flatten]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Reshape(4, 4), ConvTranspose1d(2, 4, Stride = 4)]
    public partial Sequential Decoder { get; }
}

/// <summary>Residual blocks of both ranks, each with a projected skip (the channels change) and an identity one.</summary>
[Autoencoder(LatentDim = 3, Likelihood = Likelihood.Gaussian)]
[Input(2, 8, 8)]
public partial class ResidualAe
{
    [ResidualBlock2d(4), ResidualBlock2d(4), MaxPool2d(2), Reshape(4, 16), ResidualBlock1d(6), ResidualBlock1d(6), Flatten]
    public partial Sequential Encoder { get; }

    [Dense(32), Unflatten(2, 16), ResidualBlock1d(2), Reshape(2, 4, 4), Upsample(2), ResidualBlock2d(3), ResidualBlock2d(3), Conv2d(2, 1)]
    public partial Sequential Decoder { get; }
}

/// <summary>A sparsity target on a squashed code and a learned Gaussian σ.</summary>
[Autoencoder(LatentDim = 3, Likelihood = Likelihood.Gaussian, LearnedVariance = true)]
[Sparse(Target = 0.1, Weight = 0.5)]
[Input(6)]
public partial class SparseScaleAe
{
    [Dense(8), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(8), ReLU, Dense(6)]
    public partial Sequential Decoder { get; }
}

/// <summary>An L1 penalty and masking noise, on a Bernoulli decoder.</summary>
[Autoencoder(LatentDim = 3)]
[Sparse(L1 = 0.01)]
[Denoising(Noise.Masking, 0.2)]
[Input(6)]
public partial class MaskedL1Ae
{
    [Dense(8), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(6), Sigmoid]
    public partial Sequential Decoder { get; }
}

/// <summary>A vector-quantized code vector: one of 8 codes per example, mapped by a linear layer.</summary>
[VectorQuantized(LatentDim = 3, Codes = 8, Likelihood = Likelihood.Gaussian)]
[Input(6)]
public partial class VectorVqAe
{
    [Dense(8), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(8), ReLU, Dense(6)]
    public partial Sequential Decoder { get; }
}

/// <summary>A vector-quantized feature map: a 4 × 4 grid of codes mapped by a 1 × 1 convolution, with a fused final Sigmoid.</summary>
[VectorQuantized(LatentDim = 4, Codes = 16, Commitment = 0.5)]
[Input(1, 8, 8)]
public partial class FeatureMapVq
{
    [Conv2d(8, 3, Stride = 2, Padding = 1), ReLU]
    public partial Sequential Encoder { get; }

    [ConvTranspose2d(4, 4, Stride = 2, Padding = 1), ReLU, Conv2d(1, 3, Padding = 1), Sigmoid]
    public partial Sequential Decoder { get; }
}

/// <summary>A vector-quantized sequence: 8 positions of codes mapped by a 1 × 1 convolution.</summary>
[VectorQuantized(LatentDim = 3, Codes = 8, Likelihood = Likelihood.Gaussian, RestartDeadCodes = false)]
[Input(2, 16)]
public partial class SequenceVq
{
    [Conv1d(6, 3, Padding = 1), ReLU, MaxPool1d(2)]
    public partial Sequential Encoder { get; }

    [ConvTranspose1d(2, 2, Stride = 2)]
    public partial Sequential Decoder { get; }
}
