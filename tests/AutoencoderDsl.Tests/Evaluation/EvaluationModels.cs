using AutoencoderDsl;
using TorchSharp.Modules;

namespace AutoencoderDsl.Tests.Evaluation;

// Declarations the evaluation and anomaly tests train: one per kind of data the job meets.

/// <summary>Images: a plain autoencoder of one class of clothing.</summary>
[Autoencoder(LatentDim = 16)]
[Input(1, 28, 28)]
public partial class OneClassAe
{
    [Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}

/// <summary>Tables: eight standardised columns explained by two factors.</summary>
[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
[Input(8)]
public partial class TableAe
{
    [Dense(32), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(32), Tanh, Dense(8)]
    public partial Sequential Decoder { get; }
}

/// <summary>Time series: windows of 32 steps of one channel, through 1-D convolutions.</summary>
[Autoencoder(LatentDim = 4, Likelihood = Likelihood.Gaussian)]
[Input(1, 32)]
public partial class WindowAe
{
    [Conv1d(8, 4, Stride = 2, Padding = 1), ReLU, Flatten]
    public partial Sequential Encoder { get; }

    [Dense(128), ReLU, Unflatten(8, 16), ConvTranspose1d(1, Kernel = 4, Stride = 2, Padding = 1)]
    public partial Sequential Decoder { get; }
}
