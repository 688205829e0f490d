using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AutoencoderDsl.Generators.Diagnostics;

/// <summary>
/// What a part's rules report through: the problems of the attribute the part is built from, each placed on the
/// argument that causes it. The rules live beside their part (a static <c>FindProblems</c> on its record), and the
/// problem search calls them, so the analyzers and the generator's decision still run the same rules.
/// </summary>
public sealed class AttributeProblems
{
    private readonly AttributeData attribute;
    private readonly INamedTypeSymbol type;
    private readonly List<ModelProblem> problems;

    internal AttributeProblems(AttributeData attribute, INamedTypeSymbol type, List<ModelProblem> problems)
    {
        this.attribute = attribute;
        this.type = type;
        this.problems = problems;
    }

    /// <summary>The model's class name, for messages.</summary>
    public string TypeName => type.Name;

    /// <summary>Whether the user wrote the named argument <paramref name="name"/>.</summary>
    public bool IsWritten(string name) => attribute.NamedArguments.Any(argument => argument.Key == name);

    /// <summary>Reports a problem at the named <paramref name="argument"/>, or at the whole attribute when it is null or not written.</summary>
    public void Report(DiagnosticDescriptor descriptor, string? argument, params string[] arguments) => Report(descriptor, argument, fix: null, arguments);

    /// <summary>Reports a problem as <see cref="Report(DiagnosticDescriptor, string?, string[])"/>, with a code fix of kind <paramref name="fix"/> anchored where it is reported.</summary>
    public void Report(DiagnosticDescriptor descriptor, string? argument, FixKind? fix, params string[] arguments)
    {
        var location = argument is null ? ModelProblems.LocationOf(attribute, type) : ModelProblems.ArgumentLocation(attribute, argument, type);
        problems.Add(ModelProblems.Problem(descriptor, location, fix is { } kind ? new ProblemFix(kind, location) : null, arguments));
    }

    /// <summary>Reports a problem at the positional argument at <paramref name="index"/>, or at the whole attribute when there is none.</summary>
    public void ReportAtPosition(DiagnosticDescriptor descriptor, int index, params string[] arguments) =>
        problems.Add(ModelProblems.Problem(descriptor, ModelProblems.PositionalArgumentLocation(attribute, index, type), fix: null, arguments));
}
