using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Generators.Diagnostics;
using AutoencoderDsl.Generators.Parsing;
using AutoencoderDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AutoencoderDsl.Generators.Tests.Robustness;

/// <summary>
/// The generator and the analyzer over one source, as a build runs them: the analyzer sees the generated code. Keeps
/// every exception either threw instead of letting the host turn it into a diagnostic.
/// </summary>
public sealed class AnalysisRun
{
    private AnalysisRun(GeneratorRun generation, ImmutableArray<Diagnostic> diagnostics, ImmutableArray<Exception> analyzerExceptions)
    {
        Generation = generation;
        Diagnostics = diagnostics;
        AnalyzerExceptions = analyzerExceptions;
    }

    public GeneratorRun Generation { get; }

    /// <summary>Compiler and analyzer diagnostics of the compilation including generated code.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public ImmutableArray<Exception> AnalyzerExceptions { get; }

    public ImmutableArray<Exception> GeneratorExceptions =>
        Generation.Result.Results.Select(result => result.Exception).OfType<Exception>().ToImmutableArray();

    public ImmutableArray<Diagnostic> OurErrors => Diagnostics.Where(IsOurError).ToImmutableArray();

    public static bool IsOurError(Diagnostic diagnostic) =>
        diagnostic.Id.StartsWith("ADSL", StringComparison.Ordinal) && diagnostic.DefaultSeverity == DiagnosticSeverity.Error;

    /// <summary>
    /// Errors located in generated code: a cascade the user cannot fix where it is reported. An error the compiler
    /// also reports in the user's code (a partial part repeating the user's invalid modifier) is a duplicate, not a cascade.
    /// </summary>
    public ImmutableArray<Diagnostic> ErrorsInGeneratedCode => GeneratedCodeErrors(Diagnostics);

    /// <summary><see cref="ErrorsInGeneratedCode"/> among <paramref name="diagnostics"/>, the diagnostics of one declaration's user and generated code.</summary>
    public static ImmutableArray<Diagnostic> GeneratedCodeErrors(IEnumerable<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error).ToList();
        var userErrorIds = errors.Where(error => !GeneratedCode.IsOurs(error.Location)).Select(error => error.Id).ToHashSet();
        return errors.Where(error => GeneratedCode.IsOurs(error.Location) && !userErrorIds.Contains(error.Id)).ToImmutableArray();
    }

    /// <summary>How many types carry [Autoencoder] or [Variational].</summary>
    public int ModelCount =>
        Generation.Output.GetSymbolsWithName(_ => true, SymbolFilter.Type)
            .Count(symbol => symbol.GetAttributes().Any(attribute => ModelReading.IsModelAttribute(attribute.AttributeClass)));

    /// <summary>True when the generator wrote a whole model rather than placeholder property bodies.</summary>
    public bool EmittedModel => Generation.Sources.Any(IsWholeModel);

    /// <summary>True when <paramref name="source"/> is a whole model rather than placeholder property bodies.</summary>
    public static bool IsWholeModel(GeneratedSourceResult source) =>
        source.SourceText.ToString().Contains(" : global::AutoencoderDsl.", StringComparison.Ordinal);

    /// <summary>Runs both over a compilation of <paramref name="sources"/>, one syntax tree each.</summary>
    public static AnalysisRun Of(params string[] sources)
    {
        var generation = GeneratorRun.Run(TestCompilation.Create(sources));
        var exceptions = new ConcurrentQueue<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]),
            onAnalyzerException: (exception, _, _) => exceptions.Enqueue(exception),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        var diagnostics = generation.Output
            .WithAnalyzers([new ModelAnalyzer()], options)
            .GetAllDiagnosticsAsync(CancellationToken.None)
            .GetAwaiter()
            .GetResult();
        return new AnalysisRun(generation, diagnostics, exceptions.ToImmutableArray());
    }
}
