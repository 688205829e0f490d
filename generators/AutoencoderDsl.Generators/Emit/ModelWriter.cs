using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Parts;
using AutoencoderDsl.Generators.Shapes;

namespace AutoencoderDsl.Generators.Emit;

/// <summary>What a part writes through: the source writer, the model it belongs to and the model's inferred shapes.</summary>
public sealed class ModelWriter
{
    public ModelWriter(SourceWriter code, ModelDescription model, InferenceResult shapes)
    {
        Code = code;
        Model = model;
        Shapes = shapes;
    }

    public SourceWriter Code { get; }

    public ModelDescription Model { get; }

    public InferenceResult Shapes { get; }

    /// <summary>Writes a summary, parameter and returns documentation.</summary>
    public void Doc(string summary, EquatableArray<ApiParameter> parameters = default, string? returns = null)
    {
        Code.Line($"/// <summary>{summary}</summary>");
        foreach (var parameter in parameters.AsSpan())
        {
            Code.Line($"/// <param name=\"{parameter.Name}\">{parameter.Doc}</param>");
        }

        if (returns is not null)
        {
            Code.Line($"/// <returns>{returns}</returns>");
        }
    }

    /// <summary>
    /// <paramref name="expression"/> with the condition joined to it (<c>cat([features, condition!], dim: 1)</c>) in a
    /// class-conditional model; unchanged otherwise.
    /// </summary>
    public string WithCondition(string expression) => Model.Find<ClassConditioningPart>()?.Join(expression) ?? expression;
}
