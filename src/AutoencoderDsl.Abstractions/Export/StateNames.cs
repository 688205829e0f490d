namespace AutoencoderDsl.Export;

/// <summary>
/// The state-dict names of the modules and parameters a model has beside its two stacks, defined once for the
/// generator, which registers them, and the runtime, whose PyTorch and ONNX exports read them.
/// </summary>
public static class StateNames
{
    /// <summary>An autoencoder's latent head; a vector-quantized model's map from the encoder's features to the code width.</summary>
    public const string Code = "code";

    /// <summary>A VAE's head for the posterior means.</summary>
    public const string Mean = "mean";

    /// <summary>A VAE's head for the posterior log-variances.</summary>
    public const string LogVar = "log_var";

    /// <summary>A vector-quantized model's quantizer, holding <c>codebook</c> and <c>usage</c>.</summary>
    public const string Quantizer = "quantizer";

    /// <summary>The learned log σ of a Gaussian likelihood.</summary>
    public const string LogScale = "log_scale";
}
