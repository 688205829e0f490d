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

/// <summary>
/// A member a part declares in the generated class. The part writes the member from this record and ADSL028 protects
/// its name from it, so the two cannot drift apart.
/// </summary>
/// <param name="Name">The member's name; <c>.ctor</c> for the constructor.</param>
/// <param name="Parameters">A method's parameters; null for a field, property or constant.</param>
public sealed record GeneratedMember(string Name, EquatableArray<ApiParameter>? Parameters = null)
{
    public static GeneratedMember Method(string name, params ApiParameter[] parameters) => new(name, parameters.ToEquatableArray());

    /// <summary>The parameter list as written, e.g. <c>Tensor x, Tensor labels</c>.</summary>
    public string ParameterList
    {
        get
        {
            var parameters = (Parameters ?? EquatableArray<ApiParameter>.Empty).AsSpan();
            var declarations = new string[parameters.Length];
            for (int index = 0; index < parameters.Length; index++)
            {
                declarations[index] = parameters[index].Declaration;
            }

            return string.Join(", ", declarations);
        }
    }
}
