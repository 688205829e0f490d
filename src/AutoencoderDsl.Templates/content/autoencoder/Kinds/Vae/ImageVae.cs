using AutoencoderDsl;
using TorchSharp.Modules;

namespace AutoencoderApp;

/// <summary>
/// A variational autoencoder. The encoder maps an image to a distribution over a code of two numbers, the decoder maps
/// a code back to an image, and the loss keeps the codes near a standard normal distribution, so codes drawn from it
/// decode to new images. Two numbers can be drawn as a map; a larger LatentDim gives sharper images.
/// </summary>
/// <remarks>
/// Only the hidden layers are declared: the source generator writes the rest of the class when you build (the layers
/// between encoder and decoder, the loss, Fit, Sample, Save, Load…), and a layer whose shape does not fit is a
/// compiler error at its attribute.
/// </remarks>
[Variational(LatentDim = 2)]
[Input(ImageShape.Channels, ImageShape.Height, ImageShape.Width)]
public partial class ImageVae
{
    [Flatten, Dense(512), ReLU, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(512), ReLU, Dense(ImageShape.Values), Sigmoid, Unflatten(ImageShape.Channels, ImageShape.Height, ImageShape.Width)]
    public partial Sequential Decoder { get; }
}
