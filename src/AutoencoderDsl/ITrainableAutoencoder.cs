using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>What the training machinery needs from a generated model.</summary>
public interface ITrainableAutoencoder
{
    /// <summary>The model's declared shapes and loss settings.</summary>
    AutoencoderSpec Spec { get; }

    /// <summary>The model as a TorchSharp module (parameters, train/eval mode, state dict).</summary>
    nn.Module Module { get; }

    /// <summary>The loss of reconstructing <paramref name="target"/> from <paramref name="input"/>; they differ when denoising.</summary>
    ILossTerms ComputeLoss(Tensor input, Tensor target);
}
