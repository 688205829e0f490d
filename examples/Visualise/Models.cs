using AutoencoderDsl;
using TorchSharp.Modules;

namespace VisualiseExample;

/// <summary>A plain 2-D autoencoder with the main example's layers.</summary>
[Autoencoder(LatentDim = 2)]
[Input(1, 28, 28)]
public partial class FashionAe
{
    [Flatten, Dense(512), ReLU, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(512), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}

/// <summary>
/// The same autoencoder whose code also keeps each image's 15 nearest training images near it and others apart (the
/// neighbourhood part, UMAP's loss). The reconstruction is some 250 nats per image, the term about 1, so its weight
/// is 1000 for the term to shape the map.
/// </summary>
[Autoencoder(LatentDim = 2)]
[Neighbourhood(Neighbours = 15, Weight = 1000)]
[Input(1, 28, 28)]
public partial class FashionMap
{
    [Flatten, Dense(512), ReLU, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(512), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}

/// <summary>
/// The best map measured (docs/neighbours.md): the contrastive form of the neighbourhood part (InfoNCE), where each
/// image and its drawn neighbour are told apart from every other image of the batch and its neighbours, so it trains on
/// large batches (1024 here). Its encoder is wider than the others': on the main example's layers the same loss keeps
/// fewer neighbourhoods on both measures.
/// </summary>
[Autoencoder(LatentDim = 2)]
[Neighbourhood(Neighbours = 15, Weight = 1000, Loss = NeighbourhoodLoss.Contrastive)]
[Input(1, 28, 28)]
public partial class FashionContrastiveMap
{
    [Flatten, Dense(1024), ReLU, Dense(1024), ReLU, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(512), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}

/// <summary>What the map is measured against: the main example's 2-D VAE (examples/FashionVae), the same layers.</summary>
[Variational(LatentDim = 2)]
[Input(1, 28, 28)]
public partial class PlainVae
{
    [Flatten, Dense(512), ReLU, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(512), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}
