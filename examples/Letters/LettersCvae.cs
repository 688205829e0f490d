using AutoencoderDsl;
using TorchSharp.Modules;

namespace LettersExample;

/// <summary>
/// A class-conditional VAE of 28 × 28 capitals: ask for a letter, get a new hand-drawn image of it. The code holds the
/// hand (slant, width, stroke) and the label the letter, so what is decoded follows the letter asked for.
/// </summary>
[Variational(LatentDim = 4, Beta = 2)]
[ClassConditional(Classes = 26)]
[Input(1, 28, 28)]
public partial class LettersCvae
{
    [Flatten, Dense(512), ReLU, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(512), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}
