using AutoencoderDsl;
using TorchSharp.Modules;

namespace VaeQualityExample;

/// <summary>The 784-400-20 multilayer perceptron VAE of the VAE paper and of many benchmarks since, with a Bernoulli decoder.</summary>
[Variational(LatentDim = 20)]
[Input(1, 28, 28)]
public partial class MlpVae
{
    [Flatten, Dense(400), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(400), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}
