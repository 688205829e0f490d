using AutoencoderDsl;
using TorchSharp.Modules;

namespace AnomalyDetectionExample;

/// <summary>
/// An autoencoder of the normal images only: it learns to rebuild what it has seen, so an image of another kind is
/// rebuilt badly and its reconstruction's negative log-likelihood, the anomaly score, is high.
/// </summary>
[Autoencoder(LatentDim = 16)]
[Input(1, 28, 28)]
public partial class Detector
{
    [Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}
