using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace AutoencoderDsl.Generators.Tests.Robustness;

/// <summary>
/// Runs the generator and the analyzer over <see cref="BrokenDeclarations"/>: nothing may throw, generated code may
/// not add errors of its own, and for a source declaring one model the generator writes it exactly when the analyzer
/// reports none of our errors (the analyzer sees the generated code, as in a build).
/// </summary>
public sealed class RobustnessTests
{
    private static readonly IReadOnlyList<(int Index, string Source, AnalysisRun Run)> Runs = RunAll();

    [Fact]
    public void CorpusIsLargeAndVaried()
    {
        Assert.True(Runs.Count >= 300);
        Assert.Contains(Runs, run => run.Run.EmittedModel);
        Assert.Contains(Runs, run => !run.Run.EmittedModel && !run.Run.OurErrors.IsEmpty);
    }

    [Fact]
    public void NeitherGeneratorNorAnalyzerThrows()
    {
        var failures = Runs
            .Where(run => !run.Run.GeneratorExceptions.IsEmpty
                || !run.Run.AnalyzerExceptions.IsEmpty
                || run.Run.Diagnostics.Any(diagnostic => diagnostic.Id is "AD0001" or "CS8784" or "CS8785"))
            .Select(run => Describe(run, string.Join("\n", run.Run.GeneratorExceptions.Concat(run.Run.AnalyzerExceptions))))
            .ToList();
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(40)));
    }

    [Fact]
    public void GeneratedCodeAddsNoErrors()
    {
        var failures = Runs
            .Where(run => !run.Run.ErrorsInGeneratedCode.IsEmpty)
            .Select(run => Describe(run, string.Join("\n", run.Run.ErrorsInGeneratedCode)))
            .ToList();
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(40)));
    }

    [Fact]
    public void GeneratorEmitsAModelExactlyWhenTheAnalyzerReportsNoError()
    {
        var failures = Runs
            .Where(run => run.Run.ModelCount == 1 && run.Run.EmittedModel == !run.Run.OurErrors.IsEmpty)
            .Select(run => Describe(run, run.Run.EmittedModel ? "emitted despite: " + string.Join("\n", run.Run.OurErrors) : "not emitted, yet no ADSL error"))
            .ToList();
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(40)));
    }

    private static IReadOnlyList<(int, string, AnalysisRun)> RunAll()
    {
        var sources = BrokenDeclarations.All();
        var runs = new (int, string, AnalysisRun)[sources.Count];
        Parallel.For(0, sources.Count, index => runs[index] = (index, sources[index], AnalysisRun.Of(sources[index])));
        return runs;
    }

    private static string Describe((int Index, string Source, AnalysisRun Run) run, string problem) =>
        $"Case {run.Index}:\n{run.Source}\n--- {problem}";
}
