using static TorchSharp.torch;

namespace AutoencoderDsl.Parts;

/// <summary>The code an encoder produced for a batch.</summary>
/// <param name="Z">The code the decoder receives: the deterministic code, a draw from the posterior, or the quantized code.</param>
/// <param name="Mean">The posterior means of a variational model; null otherwise.</param>
/// <param name="LogVar">The posterior log-variances of a variational model; null otherwise.</param>
/// <param name="Quantization">The quantizer's result for a vector-quantized model, with its two loss terms; null otherwise.</param>
public sealed record LatentCode(Tensor Z, Tensor? Mean = null, Tensor? LogVar = null, Quantization? Quantization = null);
