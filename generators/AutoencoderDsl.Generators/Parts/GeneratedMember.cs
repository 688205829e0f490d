using AutoencoderDsl.Generators.Helpers;

namespace AutoencoderDsl.Generators.Parts;

/// <summary>A type as generated code writes it and as Roslyn displays a user's parameter of that type (for ADSL028).</summary>
public sealed record ApiType(string Written, string Display)
{
    public static readonly ApiType Tensor = new("Tensor", "TorchSharp.torch.Tensor");
    public static readonly ApiType OptionalTensor = new("Tensor?", "TorchSharp.torch.Tensor");
    public static readonly ApiType Int = new("int", "int");
    public static readonly ApiType Long = new("long", "long");
    public static readonly ApiType Double = new("double", "double");
    public static readonly ApiType OptionalLong = new("long?", "long?");
    public static readonly ApiType String = new("string", "string");
    public static readonly ApiType OptionalScoring = new("global::AutoencoderDsl.Evaluation.AnomalyScoring?", "AutoencoderDsl.Evaluation.AnomalyScoring");
    public static readonly ApiType OptionalGenerator = new("Generator?", "TorchSharp.torch.Generator");
    public static readonly ApiType FitOptions = new("global::AutoencoderDsl.Training.FitOptions?", "AutoencoderDsl.Training.FitOptions");
    public static readonly ApiType Progress = new("global::System.IProgress<global::AutoencoderDsl.Training.TrainingProgress>?", "System.IProgress<AutoencoderDsl.Training.TrainingProgress>");
    public static readonly ApiType CancellationToken = new("global::System.Threading.CancellationToken", "System.Threading.CancellationToken");
}

/// <summary>A parameter of a generated method, with its documentation.</summary>
public sealed record ApiParameter(ApiType Type, string Name, string Doc, string? Default = null)
{
    public string Declaration => Default is null ? Type.Written + " " + Name : Type.Written + " " + Name + " = " + Default;
}

/// <summary>The groups of typed public methods, written in this order so a reader meets the model as a user does.</summary>
public enum ApiSection
{
    /// <summary><c>Encode</c>, <c>forward</c>, <c>Decode</c>.</summary>
    Coding,

    /// <summary>Reconstructing, embedding, sampling, denoising, interpolating.</summary>
    Inference,

    /// <summary>The loss, training, evaluation and loading.</summary>
    Training,

    /// <summary>Likelihoods, anomaly scores and thresholds, and a VAE's fitted sampler.</summary>
    Measurement,
}

/// <summary>
/// A member a part declares in the generated class, by the name ADSL028 protects: a field, property or constant, which
/// the part writes from the same name.
/// </summary>
public record GeneratedMember(string Name);

/// <summary>A method a part declares; ADSL028 finds a user's method a clash only when its parameter types are these.</summary>
/// <param name="Name">The method's name; <c>.ctor</c> for the constructor.</param>
public record GeneratedMethod(string Name, EquatableArray<ApiParameter> Parameters) : GeneratedMember(Name)
{
    /// <summary>The parameter list as written, e.g. <c>Tensor x, Tensor labels</c>.</summary>
    public string ParameterList
    {
        get
        {
            var parameters = Parameters.AsSpan();
            var declarations = new string[parameters.Length];
            for (int index = 0; index < parameters.Length; index++)
            {
                declarations[index] = parameters[index].Declaration;
            }

            return string.Join(", ", declarations);
        }
    }
}

/// <summary>
/// A typed public method, declared once: the emitter writes it from this record, in its section and in part order, as
/// <c>/// summary</c>, <c>{Prefix} {Name}({parameters}) =&gt; {Body};</c>, and ADSL028 protects it from the same record.
/// </summary>
/// <param name="Section">The group of public methods it is written in.</param>
/// <param name="Prefix">Modifiers and return type, e.g. <c>public Tensor</c>.</param>
/// <param name="Body">The expression the method returns, usually a call of the runtime's protected method.</param>
/// <param name="Summary">The documentation's summary; each parameter's comes from its <see cref="ApiParameter"/>.</param>
/// <param name="Returns">The documentation of the result, or null for none.</param>
public sealed record ApiMethod(
    ApiSection Section,
    string Prefix,
    string Name,
    EquatableArray<ApiParameter> Parameters,
    string Body,
    string Summary,
    string? Returns = null) : GeneratedMethod(Name, Parameters);
