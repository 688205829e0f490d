using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using AutoencoderDsl.Generators.Diagnostics;
using AutoencoderDsl.Generators.Tests.Analyzers;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace AutoencoderDsl.Generators.Tests.CodeFixes;

/// <summary>
/// Applies <typeparamref name="TCodeFix"/> (one by one and as fix-all) to the marked diagnostics and requires the fixed
/// source, which, with the generator run on it, must have no diagnostics left unless listed.
/// </summary>
internal static class CodeFixVerifier<TCodeFix>
    where TCodeFix : CodeFixProvider, new()
{
    public static Task VerifyAsync(string markup, string fixedMarkup)
    {
        var test = new Test
        {
            TestCode = DiagnosticTestSetup.WithUsings(markup),
            FixedCode = DiagnosticTestSetup.WithUsings(fixedMarkup),
        };
        return test.RunAsync();
    }

    private sealed class Test : CSharpCodeFixTest<ModelAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test() => DiagnosticTestSetup.Configure(this);

        protected override IEnumerable<Type> GetSourceGenerators() => DiagnosticTestSetup.SourceGenerators();
    }
}
