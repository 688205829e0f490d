using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Parts;
using AutoencoderDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AutoencoderDsl.Generators.Tests.Caching;

/// <summary>The pipeline re-uses its work when nothing that matters changed, which keeps the IDE responsive.</summary>
public sealed class IncrementalCachingTests
{
    private const string Declaration = TestCompilation.Usings + """
        namespace Examples;

        [Variational(LatentDim = 2)]
        [Input(1, 28, 28)]
        public partial class FashionVae
        {
            [Flatten, Dense(512), ReLU, Dense(256), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(256), ReLU, Dense(512), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
            public partial Sequential Decoder { get; }
        }

        [Autoencoder(LatentDim = 8, Likelihood = Likelihood.Gaussian)]
        [Input(64)]
        public partial class SmallAe
        {
            [Dense(32), GELU]
            public partial Sequential Encoder { get; }

            [Dense(64)]
            public partial Sequential Decoder { get; }
        }
        """;

    private static readonly string[] TrackedSteps = [TrackingNames.Autoencoders, TrackingNames.Variationals, TrackingNames.Declared];

    [Fact]
    public void RerunOnAClonedCompilationIsCachedThroughout()
    {
        var compilation = TestCompilation.Create(Declaration);
        var first = GeneratorRun.Run(compilation);

        var second = GeneratorRun.Run(compilation.Clone(), first.Driver);

        AssertEqualOutputs(first.Result, second.Result);
        AssertOnlyCachedOrUnchanged(second.Result);
    }

    [Fact]
    public void AnUnrelatedEditLeavesEveryModelCached()
    {
        var compilation = TestCompilation.Create(Declaration, "namespace Other; public class Unrelated { }");
        var first = GeneratorRun.Run(compilation);

        var unrelated = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(
            unrelated,
            CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int Added => 42; }", TestCompilation.ParseOptions, unrelated.FilePath));
        var second = GeneratorRun.Run(edited, first.Driver);

        AssertEqualOutputs(first.Result, second.Result);
        AssertOnlyCachedOrUnchanged(second.Result);
    }

    [Fact]
    public void EditingOneModelRegeneratesOnlyThatModel()
    {
        var compilation = TestCompilation.Create(Declaration);
        var first = GeneratorRun.Run(compilation);

        var tree = compilation.SyntaxTrees.Single();
        var changed = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            Declaration.Replace("[Dense(32), GELU]", "[Dense(48), GELU]", StringComparison.Ordinal)));
        var second = GeneratorRun.Run(compilation.ReplaceSyntaxTree(tree, changed), first.Driver);

        var reasons = second.Result.Results.Single().TrackedSteps[TrackingNames.Declared]
            .SelectMany(step => step.Outputs)
            .Select(output => output.Reason)
            .ToArray();
        Assert.Equal(1, reasons.Count(reason => reason == IncrementalStepRunReason.Modified));
        Assert.Equal(1, reasons.Count(reason => reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    /// <summary>A part's argument is part of its model, and only of its model.</summary>
    [Theory]
    [InlineData("[Denoising(Noise.Gaussian, 0.5)]", "[Denoising(Noise.Gaussian, 0.3)]")]
    [InlineData("[ClassConditional(Classes = 10)]", "[ClassConditional(Classes = 4)]")]
    [InlineData("[Denoising(Noise.Gaussian, 0.5)]", "[Denoising(Noise.Gaussian, 0.5), Sparse(L1 = 0.01)]")]
    [InlineData("[Neighbourhood(Neighbours = 15)]", "[Neighbourhood(Neighbours = 10)]")]
    public void EditingOnePartRegeneratesOnlyItsModel(string before, string after)
    {
        var source = Declaration.Replace("[Autoencoder(LatentDim = 8, Likelihood = Likelihood.Gaussian)]", "[Autoencoder(LatentDim = 8, Likelihood = Likelihood.Gaussian)]\n" + before, StringComparison.Ordinal);
        var compilation = TestCompilation.Create(source);
        var first = GeneratorRun.Run(compilation);
        Assert.Empty(first.CompilationProblems());

        var tree = compilation.SyntaxTrees.Single();
        var changed = tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(source.Replace(before, after, StringComparison.Ordinal)));
        var second = GeneratorRun.Run(compilation.ReplaceSyntaxTree(tree, changed), first.Driver);

        var reasons = second.Result.Results.Single().TrackedSteps[TrackingNames.Declared]
            .SelectMany(step => step.Outputs)
            .Select(output => output.Reason)
            .ToArray();
        Assert.Empty(second.CompilationProblems());
        Assert.Equal(1, reasons.Count(reason => reason == IncrementalStepRunReason.Modified));
        Assert.Equal(1, reasons.Count(reason => reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    [Fact]
    public void ModelsFromSeparateCompilationsAreEqualWithEqualHashCodes()
    {
        var first = DeclaredModels(GeneratorRun.Run(TestCompilation.Create(Declaration)).Result);
        var second = DeclaredModels(GeneratorRun.Run(TestCompilation.Create(Declaration)).Result);

        Assert.Equal(2, first.Length);
        Assert.Equal(first, second);
        Assert.Equal(first.Select(model => model.GetHashCode()), second.Select(model => model.GetHashCode()));
    }

    [Fact]
    public void ModelsHoldNoSymbolsSyntaxOrCompilation()
    {
        var models = DeclaredModels(GeneratorRun.Run(TestCompilation.Create(Declaration)).Result);

        foreach (var model in models)
        {
            AssertHoldsNoRoslynObjects(model, new HashSet<object>(ReferenceEqualityComparer.Instance), "model");
        }
    }

    /// <summary>
    /// The members a part declares, public methods with their signatures, bodies and documentation included, are
    /// values too: the emitter and ADSL028 read them from a cached model, so they may hold nothing of a compilation.
    /// </summary>
    [Fact]
    public void GeneratedMembersFromSeparateCompilationsAreEqualValues()
    {
        var declaration = Declaration + """

            [Variational(LatentDim = 2), ClassConditional(Classes = 3), Denoising(Noise.Masking, 0.2)]
            [Input(4)]
            public partial class LetterCvae
            {
                [Dense(4), ReLU]
                public partial Sequential Encoder { get; }

                [Dense(4), Sigmoid]
                public partial Sequential Decoder { get; }
            }
            """;
        GeneratedMember[] MembersOf(ModelDescription model) => model.Parts.SelectMany(part => part.Members(model)).ToArray();
        var first = DeclaredModels(GeneratorRun.Run(TestCompilation.Create(declaration)).Result).Select(MembersOf).ToArray();
        var second = DeclaredModels(GeneratorRun.Run(TestCompilation.Create(declaration)).Result).Select(MembersOf).ToArray();

        Assert.Contains(first.SelectMany(members => members), member => member is ApiMethod { Name: "Fit" });
        Assert.Equal(first, second);
        Assert.Equal(first.SelectMany(members => members).Select(member => member.GetHashCode()), second.SelectMany(members => members).Select(member => member.GetHashCode()));
        AssertHoldsNoRoslynObjects(first, new HashSet<object>(ReferenceEqualityComparer.Instance), "members");
    }

    private static ModelDescription[] DeclaredModels(GeneratorDriverRunResult result) =>
        result.Results.Single().TrackedSteps[TrackingNames.Declared]
            .SelectMany(step => step.Outputs)
            .Select(output => (ModelDescription)output.Value)
            .OrderBy(model => model.HintName, StringComparer.Ordinal)
            .ToArray();

    private static void AssertEqualOutputs(GeneratorDriverRunResult first, GeneratorDriverRunResult second)
    {
        var before = first.Results.Single().GeneratedSources.Select(source => (source.HintName, Text: source.SourceText.ToString()));
        var after = second.Results.Single().GeneratedSources.Select(source => (source.HintName, Text: source.SourceText.ToString()));
        Assert.Equal(before, after);
    }

    private static void AssertOnlyCachedOrUnchanged(GeneratorDriverRunResult result)
    {
        var steps = result.Results.Single().TrackedSteps;
        foreach (var name in TrackedSteps)
        {
            Assert.True(steps.ContainsKey(name), $"step {name} was not tracked");
            foreach (var output in steps[name].SelectMany(step => step.Outputs))
            {
                Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {name} output {output.Value} ran again: {output.Reason}");
            }
        }
    }

    /// <summary>Walks every field reachable from the model; Roslyn objects in a model would defeat caching and leak compilations.</summary>
    private static void AssertHoldsNoRoslynObjects(object? value, HashSet<object> seen, string path)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return;
        }

        Assert.False(
            value is ISymbol or SyntaxNode or SyntaxTree or Compilation or SemanticModel or Location or AttributeData,
            $"{path} holds a {value.GetType().Name}");

        if (value is IEnumerable items)
        {
            int index = 0;
            foreach (var item in items)
            {
                AssertHoldsNoRoslynObjects(item, seen, $"{path}[{index++}]");
            }
        }

        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertHoldsNoRoslynObjects(field.GetValue(value), seen, $"{path}.{field.Name}");
        }
    }
}
