using AutoencoderDsl;
using TorchSharp.Modules;

namespace AutoencoderApp;

/// <summary>
/// A class-conditional variational autoencoder: the encoder and the decoder are both told each image's class, so the
/// code keeps only what the class does not say (position, size, stroke…), and Sample makes new images of the class
/// you ask for. Classes must be the number of classes in the data: 10 for the built-in shapes, the number of
/// subfolders for a folder of your own.
/// </summary>
/// <remarks>
/// Only the hidden layers are declared: the source generator writes the rest of the class when you build (the
/// one-hot classes, the layers between encoder and decoder, the loss, Fit, Sample, Save, Load…), and a layer whose
/// shape does not fit is a compiler error at its attribute.
/// </remarks>
[Variational(LatentDim = 2)]
[ClassConditional(Classes = 10)]
[Input(ImageShape.Channels, ImageShape.Height, ImageShape.Width)]
public partial class ClassConditionalVae
{
    [Flatten, Dense(512), ReLU, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(512), ReLU, Dense(ImageShape.Values), Sigmoid, Unflatten(ImageShape.Channels, ImageShape.Height, ImageShape.Width)]
    public partial Sequential Decoder { get; }
}
