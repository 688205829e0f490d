using System;
using System.Collections.Generic;
using AutoencoderDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Testing;

namespace AutoencoderDsl.Generators.Tests.Analyzers;

/// <summary>What every analyzer and code-fix test shares: offline references, the generator, and the usings users write.</summary>
internal static class DiagnosticTestSetup
{
    public static string WithUsings(string markup) => TestCompilation.Usings + markup;

    public static void Configure(AnalyzerTest<DefaultVerifier> test)
    {
        // No reference-assembly package (it would be downloaded): the framework, TorchSharp and the runtime come from disk.
        test.ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        test.TestState.AdditionalReferences.AddRange(TestCompilation.References);

        // Generated sources are covered by the snapshot tests. Our errors are not configurable, so pragmas cannot hide them.
        test.TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck | TestBehaviors.SkipSuppressionCheck;
    }

    /// <summary>The generator runs too, so any CS error its output causes fails the test as an unexpected diagnostic.</summary>
    public static IEnumerable<Type> SourceGenerators() => [typeof(AutoencoderGenerator)];
}
