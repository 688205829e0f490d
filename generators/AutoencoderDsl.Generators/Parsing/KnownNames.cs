namespace AutoencoderDsl.Generators.Parsing;

/// <summary>Metadata names of the runtime's attribute types and members the generator reads.</summary>
public static class KnownNames
{
    public const string Namespace = "AutoencoderDsl";
    public const string AutoencoderAttribute = "AutoencoderDsl.AutoencoderAttribute";
    public const string VariationalAttribute = "AutoencoderDsl.VariationalAttribute";
    public const string InputAttribute = "AutoencoderDsl.InputAttribute";
    public const string LayerAttribute = "AutoencoderDsl.LayerAttribute";
    public const string SequentialType = "TorchSharp.Modules.Sequential";
    public const string EncoderProperty = "Encoder";
    public const string DecoderProperty = "Decoder";
    public const string LatentDim = "LatentDim";
    public const string Beta = "Beta";
    public const string Likelihood = "Likelihood";
}
