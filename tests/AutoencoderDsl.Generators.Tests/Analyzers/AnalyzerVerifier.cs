using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using AutoencoderDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace AutoencoderDsl.Generators.Tests.Analyzers;

/// <summary>
/// Runs <see cref="ModelAnalyzer"/> and the generator over markup such as <c>[{|ADSL019:Dense(0)|}]</c> and requires exactly
/// the marked diagnostics: analyzer diagnostics and compiler errors, including any in generated code.
/// </summary>
internal static class AnalyzerVerifier
{
    public static Task VerifyAsync(string markup, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = DiagnosticTestSetup.WithUsings(markup) };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private sealed class Test : CSharpAnalyzerTest<ModelAnalyzer, DefaultVerifier>
    {
        public Test() => DiagnosticTestSetup.Configure(this);

        protected override IEnumerable<Type> GetSourceGenerators() => DiagnosticTestSetup.SourceGenerators();
    }
}
