using System;

namespace AutoencoderDsl;

/// <summary>
/// An optional part of a model, declared on the class beside <see cref="AutoencoderAttribute"/> or
/// <see cref="VariationalAttribute"/>. Parts compose: a class may carry any of them at once.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public abstract class ModelPartAttribute : Attribute
{
}

/// <summary>How <see cref="DenoisingAttribute"/> corrupts an input.</summary>
public enum Noise
{
    /// <summary>Adds independent Gaussian noise; the level is its standard deviation, in the data's own units.</summary>
    Gaussian,

    /// <summary>Sets each value to 0 with the level as its probability, in (0, 1).</summary>
    Masking,

    /// <summary>Sets the level's fraction of the values, in (0, 1), to <see cref="DenoisingAttribute.Min"/> or <see cref="DenoisingAttribute.Max"/>, each with even odds.</summary>
    SaltAndPepper,
}

/// <summary>
/// A denoising autoencoder: while the module is in training mode, each input is corrupted by <see cref="Noise"/> and
/// clipped to [<see cref="Min"/>, <see cref="Max"/>], and the loss compares the reconstruction with the clean input.
/// In evaluation mode inputs pass unchanged, so the generated <c>Denoise(x)</c> cleans data that is already noisy.
/// </summary>
public sealed class DenoisingAttribute : ModelPartAttribute
{
    /// <summary>Declares the corruption applied while training.</summary>
    /// <param name="noise">The kind of corruption.</param>
    /// <param name="level">Its strength; see each <see cref="AutoencoderDsl.Noise"/> value for what it means.</param>
    public DenoisingAttribute(Noise noise, double level)
    {
        Noise = noise;
        Level = level;
    }

    /// <summary>The kind of corruption.</summary>
    public Noise Noise { get; }

    /// <summary>The noise's standard deviation (<see cref="Noise.Gaussian"/>) or the share of values corrupted (the others).</summary>
    public double Level { get; }

    /// <summary>The smallest value the data takes; corrupted inputs are clipped to it. 0 unless set.</summary>
    public double Min { get; set; }

    /// <summary>The largest value the data takes; corrupted inputs are clipped to it. 1 unless set.</summary>
    public double Max { get; set; } = 1;
}

/// <summary>
/// A sparse autoencoder: a penalty on the code, its own term in the loss and the history. Set exactly one of
/// <see cref="L1"/> (the L1 norm of each code, times L1) or <see cref="Target"/> (the KL divergence between the target
/// activation and each code unit's mean activation over the batch, times <see cref="Weight"/>). For a target, the code
/// passes through a sigmoid, so each unit is an activation in (0, 1), as in the classic sparse autoencoder; the generated
/// <c>Encode</c> and <c>Embed</c> return those activations.
/// </summary>
public sealed class SparseAttribute : ModelPartAttribute
{
    /// <summary>The weight of the L1 penalty on the code; positive when set.</summary>
    public double L1 { get; set; }

    /// <summary>The mean activation each code unit should have, in (0, 1), such as 0.05.</summary>
    public double Target { get; set; }

    /// <summary>The weight of the KL penalty towards <see cref="Target"/>; positive, 1 unless set.</summary>
    public double Weight { get; set; } = 1;
}

/// <summary>
/// A neighbourhood-preserving code: alongside the reconstruction, the loss trains the code to keep each training
/// example's <see cref="Neighbours"/> nearest neighbours in the input space close and other examples apart. The term is
/// UMAP's fuzzy-graph cross-entropy with negative sampling (McInnes, Healy and Melville 2018) in its parametric form
/// (Sainburg, McInnes and Gentner 2021), or with <see cref="Loss"/> = <see cref="NeighbourhoodLoss.Contrastive"/> its
/// contrastive kin InfoNCE; its own term <c>neighbourhood</c> in the loss and the history. It composes
/// with <see cref="AutoencoderAttribute"/> and with <see cref="VariationalAttribute"/>, where it reads the posterior
/// mean; a vector-quantized code does not take it. The k-nearest-neighbour graph is built once per <c>Fit</c> from the
/// training examples.
/// </summary>
public sealed class NeighbourhoodAttribute : ModelPartAttribute
{
    /// <summary>k, the nearest other training examples each example's graph edges go to; at least 2, 15 unless set.</summary>
    public int Neighbours { get; set; } = 15;

    /// <summary>
    /// The weight of the neighbourhood term beside the reconstruction; positive and finite, 1 unless set. The
    /// reconstruction is in nats per example summed over the input's elements and the term in nats per example near 1,
    /// so the weight goes with the input's size: 1000 for 28 × 28 images (examples/Visualise), 30 for 20 features.
    /// </summary>
    public double Weight { get; set; } = 1;

    /// <summary>How close neighbours may sit in the code, UMAP's <c>min_dist</c>; in [0, 1), 0.1 unless set.</summary>
    public double MinDistance { get; set; } = 0.1;

    /// <summary>
    /// How many other codes' worth of push each example gets per step, UMAP's negative sample rate; at least 1, 5 unless
    /// set. Read by <see cref="NeighbourhoodLoss.Umap"/> only: the contrastive loss pushes from the whole batch.
    /// </summary>
    public int NegativeSamples { get; set; } = 5;

    /// <summary>Which loss lays the code out; <see cref="NeighbourhoodLoss.Umap"/> unless set.</summary>
    public NeighbourhoodLoss Loss { get; set; } = NeighbourhoodLoss.Umap;
}

/// <summary>
/// The loss <see cref="NeighbourhoodAttribute"/> trains the code with. Both pull each example towards a graph neighbour
/// and push it from other codes; they differ in how hard they push, the spectrum from UMAP to t-SNE (Damrich, Böhm,
/// Hamprecht and Kobak 2023).
/// </summary>
public enum NeighbourhoodLoss
{
    /// <summary>
    /// UMAP's fuzzy-graph cross-entropy with <see cref="NeighbourhoodAttribute.NegativeSamples"/> negatives per example:
    /// tight, well separated clusters.
    /// </summary>
    Umap,

    /// <summary>
    /// InfoNCE: each example and its neighbour are told apart from every other code of the batch and its neighbours, so
    /// the push grows with the batch and the map moves towards t-SNE's; on Fashion-MNIST it separates the classes
    /// better than <see cref="Umap"/> (docs/neighbours.md). Wants large batches (1024 in examples/Visualise).
    /// </summary>
    Contrastive,
}

/// <summary>
/// A class-conditional model: the one-hot label is joined to the encoder's features before the latent heads and to the
/// code before the decoder, so a variational model generates examples of a chosen class. Labels are an <c>Int64</c>
/// tensor <c>[N]</c> with values in [0, <see cref="Classes"/>).
/// </summary>
public sealed class ClassConditionalAttribute : ModelPartAttribute
{
    /// <summary>The number of classes; at least 2.</summary>
    public int Classes { get; set; }
}
