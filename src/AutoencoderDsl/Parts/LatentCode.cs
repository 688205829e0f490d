using static TorchSharp.torch;

namespace AutoencoderDsl.Parts;

/// <summary>The code an encoder produced for a batch.</summary>
/// <param name="Z">The code the decoder receives: the deterministic code, or a draw from the posterior.</param>
/// <param name="Mean">The posterior means of a variational model; null otherwise.</param>
/// <param name="LogVar">The posterior log-variances of a variational model; null otherwise.</param>
public sealed record LatentCode(Tensor Z, Tensor? Mean = null, Tensor? LogVar = null);
