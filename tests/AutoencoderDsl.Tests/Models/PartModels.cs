using AutoencoderDsl;
using AutoencoderDsl.Tests.Training;
using TorchSharp.Modules;

namespace AutoencoderDsl.Tests.Models;

// Small models, one part each, over the 8-wide data of TinyData: quick enough to train many times in a test.

[Autoencoder(LatentDim = 4, Likelihood = Likelihood.Gaussian)]
[Sparse(Target = 0.05, Weight = 2)]
[Input(TinyData.Width)]
public partial class TinyTargetSparseAe
{
    [Dense(16), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}

[Autoencoder(LatentDim = 4, Likelihood = Likelihood.Gaussian)]
[Sparse(L1 = 0.05)]
[Input(TinyData.Width)]
public partial class TinyL1SparseAe
{
    [Dense(16), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}

/// <summary><see cref="TinyL1SparseAe"/> without its penalty: the same layers, so the same seed gives the same weights.</summary>
[Autoencoder(LatentDim = 4, Likelihood = Likelihood.Gaussian)]
[Input(TinyData.Width)]
public partial class TinyDenseCodeAe
{
    [Dense(16), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}

[Variational(LatentDim = 2, Beta = 2, KlWarmupEpochs = 4, Likelihood = Likelihood.Gaussian)]
[Input(TinyData.Width)]
public partial class TinyWarmupVae
{
    [Dense(16), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}

[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian, LearnedVariance = true)]
[Input(TinyData.Width)]
public partial class TinyLearnedScaleAe
{
    [Dense(16), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}

[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian, Sigma = 0.5)]
[Input(TinyData.Width)]
public partial class TinyFixedSigmaAe
{
    [Dense(16), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}

[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
[Denoising(Noise.Masking, 0.5, Min = -3, Max = 3)]
[Input(TinyData.Width)]
public partial class TinyMaskingAe
{
    [Dense(16), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}

[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
[ClassConditional(Classes = 3)]
[Input(TinyData.Width)]
public partial class TinyConditionalAe
{
    [Dense(16), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(16), ReLU, Dense(TinyData.Width)]
    public partial Sequential Decoder { get; }
}
