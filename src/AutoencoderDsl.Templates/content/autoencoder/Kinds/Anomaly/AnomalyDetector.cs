using AutoencoderDsl;
using TorchSharp.Modules;

namespace AutoencoderApp;

/// <summary>
/// An anomaly detector: an autoencoder trained on normal images only. It learns to rebuild what it has seen, so an
/// image unlike them is rebuilt badly, and the negative log-likelihood of its reconstruction, the anomaly score, is
/// high. A threshold calibrated on normal images it did not train on then decides what is an anomaly.
/// </summary>
/// <remarks>
/// Only the hidden layers are declared: the source generator writes the rest of the class when you build (the layer
/// that makes the code, the loss, Fit, AnomalyScore, CalibrateThreshold, IsAnomaly, Save, Load…), and a layer whose
/// shape does not fit is a compiler error at its attribute.
/// </remarks>
[Autoencoder(LatentDim = 16)]
[Input(ImageShape.Channels, ImageShape.Height, ImageShape.Width)]
public partial class AnomalyDetector
{
    [Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(ImageShape.Values), Sigmoid, Unflatten(ImageShape.Channels, ImageShape.Height, ImageShape.Width)]
    public partial Sequential Decoder { get; }
}
