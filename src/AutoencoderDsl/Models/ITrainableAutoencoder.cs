using AutoencoderDsl.Training;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>What the training machinery needs from a generated model.</summary>
public interface ITrainableAutoencoder
{
    /// <summary>The model's declared shapes, likelihood and loss terms.</summary>
    ModelSpec Spec { get; }

    /// <summary>The model as a TorchSharp module (parameters, train/eval mode, state dict).</summary>
    nn.Module Module { get; }

    /// <summary>
    /// The epoch being trained, from 1, which sets scheduled loss weights such as a KL warm-up; null outside training,
    /// where every weight is its declared value.
    /// </summary>
    int? Epoch { get; set; }

    /// <summary>
    /// The generator the model's random draws (posterior samples) come from; null for libtorch's global one, which
    /// training uses. Evaluation sets a privately seeded one, so that it repeats and leaves the caller's random state alone.
    /// </summary>
    Generator? Draws { get; set; }

    /// <summary>
    /// The loss of reconstructing <paramref name="target"/> from <paramref name="input"/> (they differ when denoising),
    /// given the <paramref name="labels"/> of a class-conditional model and, in training, the graph
    /// <paramref name="neighbours"/> of a model with the neighbourhood part (without them its term pairs each example
    /// with its nearest within the batch). The caller has checked every argument.
    /// </summary>
    ModelLoss ComputeLoss(Tensor input, Tensor target, Tensor? labels, Parts.NeighbourExamples? neighbours = null);

    /// <summary>
    /// Called when a training epoch's batches are done, before its checks and checkpoint: a vector quantizer reports its
    /// codebook's usage, restarts its dead codes and resets its counts. Null for a model without such a part.
    /// </summary>
    CodebookUsage? EndTrainingEpoch() => null;
}
