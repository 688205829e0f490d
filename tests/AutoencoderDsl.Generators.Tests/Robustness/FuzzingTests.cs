using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AutoencoderDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit.Abstractions;

namespace AutoencoderDsl.Generators.Tests.Robustness;

/// <summary>
/// Runs the generator and the analyzer over <see cref="DeclarationFuzzer"/>'s declarations, many to a compilation:
/// nothing may throw, generated code may not fail to compile, each model is emitted exactly when no ADSL error is
/// reported on it, and a declaration the compiler rejects gets an ADSL error too. 500 declarations by default;
/// <c>ADSL_FUZZ_COUNT</c> and <c>ADSL_FUZZ_SEED</c> (the first seed) set another run, and one seed alone reproduces a finding.
/// </summary>
public sealed class FuzzingTests(ITestOutputHelper output)
{
    private const int DefaultCount = 500;
    private const int DefaultFirstSeed = 1;

    private const double MinimumShare = 0.2;

    private static readonly Lazy<FuzzRun> Run = new(() => FuzzRun.Execute(
        Setting("ADSL_FUZZ_SEED", DefaultFirstSeed),
        Setting("ADSL_FUZZ_COUNT", DefaultCount)));

    [Fact]
    public void EveryDeclarationGetsAModelOrAnAdslErrorAndNothingBreaks()
    {
        var run = Run.Value;
        output.WriteLine(run.Summary());
        var findings = run.Outcomes.Where(outcome => outcome.Verdict == Verdict.Finding).ToList();
        foreach (var finding in findings)
        {
            output.WriteLine(finding.Describe());
        }

        Assert.True(findings.Count == 0, $"{findings.Count} of {run.Outcomes.Count} declarations broke a rule:\n\n" + string.Join("\n\n", findings.Take(10).Select(finding => finding.Describe())));
    }

    /// <summary>A fuzzer that drifted to all-valid or all-invalid declarations would test half of the rules.</summary>
    [Fact]
    public void ValidAndInvalidDeclarationsAreBothCommon()
    {
        var run = Run.Value;
        int valid = run.Outcomes.Count(outcome => outcome.Verdict == Verdict.Valid);
        int invalid = run.Outcomes.Count(outcome => outcome.Verdict == Verdict.Invalid);
        Assert.True(valid >= MinimumShare * run.Outcomes.Count, run.Summary());
        Assert.True(invalid >= MinimumShare * run.Outcomes.Count, run.Summary());
    }

    /// <summary>
    /// Every attribute type of the abstractions, found by reflection, occurs in a valid and in an invalid declaration, and
    /// every constructor and settable property of each is written somewhere: a new layer or part is fuzzed without a word here.
    /// </summary>
    [Fact]
    public void EveryAttributeConstructorAndPropertyIsFuzzed()
    {
        var run = Run.Value;
        var types = DeclarationFuzzer.LayerTypes.Concat(DeclarationFuzzer.PartTypes).Concat(DeclarationFuzzer.ModelTypes).Append(typeof(InputAttribute)).ToList();
        Assert.Contains(typeof(Conv2dAttribute), types);
        Assert.Contains(typeof(DenoisingAttribute), types);

        var missing = new List<string>();
        foreach (var verdict in new[] { Verdict.Valid, Verdict.Invalid })
        {
            var used = run.Outcomes.Where(outcome => outcome.Verdict == verdict).SelectMany(outcome => outcome.Case.Models.SelectMany(model => model.Applications)).Select(application => application.Type).ToHashSet();
            missing.AddRange(types.Where(type => !used.Contains(type)).Select(type => $"{type.Name} in no {verdict.ToString().ToLowerInvariant()} declaration"));
        }

        var applications = run.Outcomes.SelectMany(outcome => outcome.Case.Models.SelectMany(model => model.Applications)).ToList();
        var constructors = applications.Select(application => application.Constructor).ToHashSet();
        var properties = applications.SelectMany(application => application.Named.Select(named => (application.Type, named.Name))).ToHashSet();
        foreach (var type in types)
        {
            missing.AddRange(type.GetConstructors().Where(constructor => !constructors.Contains(constructor)).Select(constructor => $"{type.Name}'s constructor ({string.Join(", ", constructor.GetParameters().Select(parameter => parameter.ParameterType.Name))}) never called"));
            missing.AddRange(AttributeApplication.SettableProperties(type).Where(property => !properties.Contains((type, property.Name))).Select(property => $"{type.Name}.{property.Name} never set"));
        }

        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    private static int Setting(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}

public enum Verdict
{
    /// <summary>Every model was emitted and nothing reported an error.</summary>
    Valid,

    /// <summary>ADSL errors were reported and the models they concern were not emitted.</summary>
    Invalid,

    /// <summary>A rule was broken: a bug to fix.</summary>
    Finding,
}

/// <summary>What became of one declaration, and for a finding, every rule it broke.</summary>
public sealed record CaseOutcome(FuzzCase Case, Verdict Verdict, IReadOnlyList<string> Problems, IReadOnlyList<string> AdslIds)
{
    public string Describe() =>
        $"{Case}\n{string.Join("\n", Problems)}\nReproduce alone: ADSL_FUZZ_SEED={Case.Seed} ADSL_FUZZ_COUNT=1 dotnet test tests/AutoencoderDsl.Generators.Tests --filter FullyQualifiedName~FuzzingTests.EveryDeclaration\n--- source:\n{Case.Source}";
}

/// <summary>One fuzzing run: every declaration's outcome and how long it took.</summary>
public sealed record FuzzRun(int FirstSeed, IReadOnlyList<CaseOutcome> Outcomes, TimeSpan Elapsed)
{
    /// <summary>Declarations per compilation: one compilation per declaration would spend most of its time on references.</summary>
    private const int BatchSize = 25;

    public static FuzzRun Execute(int firstSeed, int count)
    {
        var clock = Stopwatch.StartNew();
        var cases = Enumerable.Range(firstSeed, count).Select(DeclarationFuzzer.Generate).ToList();
        var batches = cases.Chunk(BatchSize).ToList();
        var outcomes = new ConcurrentBag<CaseOutcome>();
        Parallel.ForEach(batches, batch =>
        {
            foreach (var outcome in Check(batch))
            {
                outcomes.Add(outcome);
            }
        });
        return new FuzzRun(firstSeed, outcomes.OrderBy(outcome => outcome.Case.Seed).ToList(), clock.Elapsed);
    }

    public string Summary()
    {
        string Count(Verdict verdict) => Outcomes.Count(outcome => outcome.Verdict == verdict).ToString(CultureInfo.InvariantCulture);
        string Tally(IEnumerable<string> items) =>
            string.Join(", ", items.GroupBy(item => item, StringComparer.Ordinal).OrderBy(group => group.Key, StringComparer.Ordinal).Select(group => $"{group.Key} {group.Count()}"));
        return string.Create(CultureInfo.InvariantCulture, $"""
            {Outcomes.Count} declarations from seed {FirstSeed} in {Elapsed.TotalSeconds:F1} s: {Count(Verdict.Valid)} valid, {Count(Verdict.Invalid)} invalid, {Count(Verdict.Finding)} findings
            mutations: {Tally(Outcomes.SelectMany(outcome => outcome.Case.Mutations.Select(mutation => mutation.Split(": ")[1])))}
            ADSL diagnostics (declarations reporting each): {Tally(Outcomes.SelectMany(outcome => outcome.AdslIds.Distinct()))}
            """);
    }

    /// <summary>
    /// Runs one compilation of the batch. A crash belongs to no declaration, so a batch that crashes is run again one
    /// declaration at a time to name the one that did.
    /// </summary>
    private static IEnumerable<CaseOutcome> Check(IReadOnlyList<FuzzCase> batch)
    {
        var run = AnalysisRun.Of(batch.Select(fuzzCase => fuzzCase.Source).ToArray());
        var crashes = run.GeneratorExceptions.Concat(run.AnalyzerExceptions).Select(exception => exception.ToString())
            .Concat(run.Diagnostics.Where(diagnostic => diagnostic.Id is "AD0001" or "CS8784" or "CS8785").Select(diagnostic => diagnostic.ToString()))
            .Concat(run.Diagnostics.Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error && CaseIndex(batch, diagnostic.Location.SourceTree) is null)
                .Select(diagnostic => "an error in no declaration's code: " + diagnostic))
            .ToList();
        if (crashes.Count > 0)
        {
            return batch.Count == 1
                ? [new CaseOutcome(batch[0], Verdict.Finding, ["the generator or the analyzer failed:", .. crashes], [])]
                : batch.SelectMany(fuzzCase => Check([fuzzCase])).ToList();
        }

        var byCase = run.Diagnostics.ToLookup(diagnostic => CaseIndex(batch, diagnostic.Location.SourceTree));
        return batch.Select((fuzzCase, index) => Judge(fuzzCase, run, byCase[index].ToList(), $"Source{index}.cs"));
    }

    private static CaseOutcome Judge(FuzzCase fuzzCase, AnalysisRun run, List<Diagnostic> diagnostics, string path)
    {
        var problems = new List<string>();
        var generatedErrors = AnalysisRun.GeneratedCodeErrors(diagnostics);
        if (!generatedErrors.IsEmpty)
        {
            problems.Add("generated code does not compile:\n" + string.Join("\n", generatedErrors));
        }

        var tree = run.Generation.Output.SyntaxTrees.Single(tree => tree.FilePath == path);
        var ourErrors = diagnostics.Where(AnalysisRun.IsOurError).ToList();
        foreach (var model in fuzzCase.Models)
        {
            var declaration = tree.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>().First(type => type.Identifier.Text == model.ClassName);
            bool reported = ourErrors.Any(error => error.Location.SourceTree == tree && declaration.FullSpan.Contains(error.Location.SourceSpan));
            bool emitted = run.Generation.Sources.Any(source => source.HintName.StartsWith(fuzzCase.Namespace + ".", StringComparison.Ordinal) && source.HintName.EndsWith($".{model.ClassName}.g.cs", StringComparison.Ordinal) && AnalysisRun.IsWholeModel(source));
            if (model.ModelAttributes.Count == 0 && !reported)
            {
                problems.Add($"{model.ClassName} has no model attribute, yet no ADSL error says so");
            }
            else if (emitted == reported)
            {
                problems.Add(emitted
                    ? $"{model.ClassName} was emitted despite: {string.Join("\n", ourErrors)}"
                    : $"{model.ClassName} was not emitted, yet no ADSL error is reported on it");
            }
        }

        // Errors, not warnings: a user's field that is never read (CS0169) or hides a runtime member (CS0108) is not the DSL's to report.
        var compilerErrors = diagnostics.Where(diagnostic => diagnostic.Location.SourceTree == tree && diagnostic.DefaultSeverity == DiagnosticSeverity.Error && !diagnostic.Id.StartsWith("ADSL", StringComparison.Ordinal)).ToList();
        if (compilerErrors.Count > 0 && ourErrors.Count == 0)
        {
            problems.Add("the compiler rejects the declaration but no ADSL error explains it:\n" + string.Join("\n", compilerErrors));
        }

        var ids = diagnostics.Where(diagnostic => diagnostic.Id.StartsWith("ADSL", StringComparison.Ordinal)).Select(diagnostic => diagnostic.Id).ToList();
        var verdict = problems.Count > 0 ? Verdict.Finding
            : ourErrors.Count == 0 && diagnostics.All(diagnostic => diagnostic.DefaultSeverity != DiagnosticSeverity.Error) ? Verdict.Valid
            : Verdict.Invalid;
        return new CaseOutcome(fuzzCase, verdict, problems, ids);
    }

    /// <summary>The declaration a tree belongs to: its own source, or a file generated for a class in its namespace.</summary>
    private static int? CaseIndex(IReadOnlyList<FuzzCase> batch, SyntaxTree? tree)
    {
        if (tree is null)
        {
            return null;
        }

        var name = Path.GetFileName(tree.FilePath);
        for (int index = 0; index < batch.Count; index++)
        {
            if (GeneratedCode.IsOurs(tree) ? name.StartsWith(batch[index].Namespace + ".", StringComparison.Ordinal) : name == $"Source{index}.cs")
            {
                return index;
            }
        }

        return null;
    }
}
