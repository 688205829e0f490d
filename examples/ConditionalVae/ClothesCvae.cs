using AutoencoderDsl;
using TorchSharp.Modules;

namespace ConditionalVaeExample;

/// <summary>
/// A class-conditional VAE: ask for a class, get new images of it. The small code (2 numbers) and β = 2 leave the class
/// to the label, so what is decoded follows the label asked for.
/// </summary>
[Variational(LatentDim = 2, Beta = 2)]
[ClassConditional(Classes = 10)]
[Input(1, 28, 28)]
public partial class ClothesCvae
{
    [Flatten, Dense(512), ReLU, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(512), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}
