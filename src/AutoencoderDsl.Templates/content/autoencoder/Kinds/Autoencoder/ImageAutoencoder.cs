using AutoencoderDsl;
using TorchSharp.Modules;

namespace AutoencoderApp;

/// <summary>
/// An autoencoder: the encoder compresses an image into a code of 16 numbers and the decoder rebuilds the image from
/// it. The code is what the network had to keep; Embed gives it, to compare, cluster or search images by.
/// </summary>
/// <remarks>
/// Only the hidden layers are declared: the source generator writes the rest of the class when you build (the layer
/// that makes the code, the loss, Fit, Embed, Save, Load…), and a layer whose shape does not fit is a compiler error
/// at its attribute.
/// </remarks>
[Autoencoder(LatentDim = 16)]
[Input(ImageShape.Channels, ImageShape.Height, ImageShape.Width)]
public partial class ImageAutoencoder
{
    [Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(ImageShape.Values), Sigmoid, Unflatten(ImageShape.Channels, ImageShape.Height, ImageShape.Width)]
    public partial Sequential Decoder { get; }
}
