namespace AutoencoderDsl.Export;

// The kinds of layer that the generator reads from a declaration and the runtime exports, defined once for both: the
// generator names them in the code it writes, and the runtime's export switches on the same values.

/// <summary>The element-wise activations.</summary>
public enum ActivationFunction
{
    /// <summary>max(0, x).</summary>
    ReLU,

    /// <summary>x for x ≥ 0, slope · x below.</summary>
    LeakyReLU,

    /// <summary>x · Φ(x), exact (not the tanh approximation).</summary>
    GELU,

    /// <summary>x · sigmoid(x).</summary>
    SiLU,

    /// <summary>tanh(x).</summary>
    Tanh,

    /// <summary>1 / (1 + e⁻ˣ).</summary>
    Sigmoid,
}

/// <summary>What a pooling layer takes of each window.</summary>
public enum PoolKind
{
    /// <summary>The largest value.</summary>
    Max,

    /// <summary>The mean.</summary>
    Avg,
}
