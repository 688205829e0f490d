namespace AutoencoderDsl.Generators.Parsing;

/// <summary>The names the generator looks for: the model attributes' metadata names (taken from the types themselves) and the stacks' property names.</summary>
public static class KnownNames
{
    public static readonly string AutoencoderAttribute = typeof(AutoencoderDsl.AutoencoderAttribute).FullName!;
    public static readonly string VariationalAttribute = typeof(AutoencoderDsl.VariationalAttribute).FullName!;
    public static readonly string VectorQuantizedAttribute = typeof(AutoencoderDsl.VectorQuantizedAttribute).FullName!;
    public const string SequentialType = "TorchSharp.Modules.Sequential";
    public const string EncoderProperty = "Encoder";
    public const string DecoderProperty = "Decoder";
}
