using System.Collections.Generic;

namespace AutoencoderDsl;

/// <summary>What a declaration fixes about a model, shared by every generated class and the training machinery.</summary>
/// <param name="InputShape">The shape of one example, without the batch dimension.</param>
/// <param name="LatentDim">The width of the latent code.</param>
/// <param name="Likelihood">How reconstructions are scored.</param>
/// <param name="DecoderEmitsLogits">
/// True when the declared decoder ends in <c>Sigmoid</c> under a Bernoulli likelihood: the generated decoder then
/// stops before the sigmoid, the loss uses the logits for stability, and <c>Decode</c> applies the sigmoid.
/// </param>
/// <param name="Beta">The weight of the KL term; 0 for a deterministic autoencoder.</param>
public sealed record AutoencoderSpec(
    IReadOnlyList<long> InputShape,
    int LatentDim,
    Likelihood Likelihood,
    bool DecoderEmitsLogits,
    double Beta = 0);
