using System.Collections.Generic;
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

    /// <summary>Writes a documented expression-bodied member: <c>{signature} => {body};</c> after its summary and parameter docs.</summary>
    /// <param name="member">The member, whose name and parameters the signature repeats.</param>
    /// <param name="prefix">Modifiers and return type, e.g. <c>public Tensor</c>.</param>
    public void Method(GeneratedMember member, string prefix, string body, string summary, string? returns = null)
    {
        var parameters = member.Parameters ?? EquatableArray<ApiParameter>.Empty;
        Doc(summary, parameters, returns);
        var parameterList = member.ParameterList;

        // The length of "{prefix} {name}({parameters}) => {body};", measured rather than built: the line is written
        // straight into the source.
        int length = prefix.Length + member.Name.Length + parameterList.Length + body.Length + 8;
        if (length <= LongLine || parameters.Count < 2)
        {
            Code.Line($"{prefix} {member.Name}({parameterList}) => {body};");
        }
        else
        {
            Code.Line($"{prefix} {member.Name}(");
            Code.Indent();
            for (int index = 0; index < parameters.Count; index++)
            {
                Code.Line($"{parameters[index].Declaration}{(index == parameters.Count - 1 ? ") =>" : ",")}");
            }

            Code.Line($"{body};");
            Code.Outdent();
        }

        Code.Line();
    }

    /// <summary>A signature longer than this is written one parameter a line.</summary>
    private const int LongLine = 140;

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

    /// <summary>The labels parameters every public method of a class-conditional model takes; none otherwise.</summary>
    public IReadOnlyList<ApiParameter> LabelsParameters => Model.Find<ClassConditioningPart>()?.LabelsParameters ?? [];

    /// <summary>What a wrapper passes for the labels to the runtime: <c>labels</c>, or <c>labels: null</c>.</summary>
    public string LabelsArgument => Model.Find<ClassConditioningPart>() is null ? "labels: null" : ClassConditioningPart.LabelsName;

    /// <summary>
    /// <paramref name="expression"/> with the condition joined to it (<c>cat([features, condition!], dim: 1)</c>) in a
    /// class-conditional model; unchanged otherwise.
    /// </summary>
    public string WithCondition(string expression) => Model.Find<ClassConditioningPart>()?.Join(expression) ?? expression;
}
