using System.Collections.Generic;

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
    public const string AutoencoderModuleType = "AutoencoderDsl.AutoencoderModule";
    public const string VariationalModuleType = "AutoencoderDsl.VariationalAutoencoderModule";
    public const string EncoderProperty = "Encoder";
    public const string DecoderProperty = "Decoder";
    public const string LatentDim = "LatentDim";
    public const string Beta = "Beta";
    public const string Likelihood = "Likelihood";

    /// <summary>
    /// Members the emitter declares in every model, with each method's parameter types (null for other members); a
    /// user member of the same name (and, for a method, parameters) would clash with generated code. A test compares
    /// these with what the emitter really declares.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]?> GeneratedMembers = new Dictionary<string, string[]?>
    {
        [".ctor"] = ["long?"],
        ["InputShape"] = null,
        ["LatentDim"] = null,
        ["EncoderShapes"] = null,
        ["DecoderShapes"] = null,
        ["spec"] = null,
        ["encoder"] = null,
        ["decoder"] = null,
        ["EncodeCore"] = ["TorchSharp.torch.Tensor"],
        ["DecodeCore"] = ["TorchSharp.torch.Tensor"],
        ["Load"] = ["string"],
    };

    /// <summary>What the emitter adds to an <c>[Autoencoder]</c> model only.</summary>
    public static readonly IReadOnlyDictionary<string, string[]?> GeneratedAutoencoderMembers = new Dictionary<string, string[]?> { ["code"] = null };

    /// <summary>What the emitter adds to a <c>[Variational]</c> model only.</summary>
    public static readonly IReadOnlyDictionary<string, string[]?> GeneratedVariationalMembers = new Dictionary<string, string[]?>
    {
        ["Beta"] = null,
        ["mean"] = null,
        ["logVar"] = null,
    };
}
