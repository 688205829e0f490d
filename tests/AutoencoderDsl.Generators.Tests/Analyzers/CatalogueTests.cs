using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using AutoencoderDsl.Generators.Diagnostics;
using AutoencoderDsl.Generators.Parsing;
using AutoencoderDsl.Generators.Parts;
using AutoencoderDsl.Generators.Shapes;
using AutoencoderDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace AutoencoderDsl.Generators.Tests.Analyzers;

/// <summary>The diagnostic catalogue stays whole: every descriptor is reported, documented and tracked, and mirrors stay in sync.</summary>
public sealed class CatalogueTests
{
    private static readonly DiagnosticDescriptor[] Descriptors = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.FieldType == typeof(DiagnosticDescriptor))
        .Select(field => (DiagnosticDescriptor)field.GetValue(null)!)
        .ToArray();

    [Fact]
    public void IdsAreUniqueAndConsecutive() =>
        Assert.Equal(
            Enumerable.Range(1, Descriptors.Length).Select(number => $"ADSL{number:000}"),
            Descriptors.Select(descriptor => descriptor.Id).OrderBy(id => id, StringComparer.Ordinal));

    [Fact]
    public void AnalyzerSupportsEveryDescriptor() =>
        Assert.Equal(
            Descriptors.Select(descriptor => descriptor.Id).Order(StringComparer.Ordinal),
            new ModelAnalyzer().SupportedDiagnostics.Select(descriptor => descriptor.Id).Order(StringComparer.Ordinal));

    [Fact]
    public void EveryDiagnosticHasItsPageAndHelpLink()
    {
        var folder = Path.Combine(RepositoryRoot(), "docs", "diagnostics");
        var index = File.ReadAllText(Path.Combine(folder, "README.md"));
        // The build's RepositoryUrl, which this assembly carries too: the links take their root from it and nowhere else.
        var repository = typeof(CatalogueTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(attribute => attribute.Key == "RepositoryUrl").Value;
        Assert.Equal(repository + "/blob/main/docs/diagnostics/", DiagnosticDescriptors.DocumentationRoot);
        foreach (var descriptor in Descriptors)
        {
            Assert.Equal(DiagnosticDescriptors.DocumentationRoot + descriptor.Id + ".md", descriptor.HelpLinkUri);
            var page = File.ReadAllText(Path.Combine(folder, descriptor.Id + ".md"));
            Assert.StartsWith($"# {descriptor.Id}: {descriptor.Title}", page, StringComparison.Ordinal);
            Assert.Contains($"[{descriptor.Id}]({descriptor.Id}.md)", index, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ErrorsCannotBeSilenced() =>
        Assert.All(
            Descriptors.Where(descriptor => descriptor.DefaultSeverity == DiagnosticSeverity.Error),
            descriptor => Assert.Contains(WellKnownDiagnosticTags.NotConfigurable, descriptor.CustomTags));

    [Fact]
    public void EveryShapeErrorKindHasItsOwnDescriptor()
    {
        var kinds = Enum.GetValues<ShapeErrorKind>();
        var descriptors = kinds.Select(ModelProblems.DescriptorFor).ToList();
        Assert.Equal(kinds.Length, descriptors.Distinct().Count());
    }

    /// <summary>
    /// ADSL028 protects the members each part says it writes; this compares them with what the generator really writes,
    /// for every latent kind and every optional part, alone and together.
    /// </summary>
    [Theory]
    [InlineData("[Autoencoder(LatentDim = 2)]")]
    [InlineData("[Variational(LatentDim = 2)]")]
    [InlineData("[Variational(LatentDim = 2, KlWarmupEpochs = 3)]")]
    [InlineData("[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian, LearnedVariance = true)]")]
    [InlineData("[Autoencoder(LatentDim = 2), Sparse(L1 = 0.001)]")]
    [InlineData("[Autoencoder(LatentDim = 2), Neighbourhood(Neighbours = 5)]")]
    [InlineData("[Variational(LatentDim = 2), Neighbourhood]")]
    [InlineData("[Autoencoder(LatentDim = 2), Denoising(Noise.Gaussian, 0.5)]")]
    [InlineData("[Autoencoder(LatentDim = 2), ClassConditional(Classes = 3)]")]
    [InlineData("[Variational(LatentDim = 2), ClassConditional(Classes = 3), Denoising(Noise.Masking, 0.2)]")]
    public void GeneratedMemberNamesMatchTheParts(string attributes)
    {
        var source = TestCompilation.Usings + $$"""
            {{attributes}}
            [Input(4)]
            public partial class Model
            {
                [Dense(4), ReLU]
                public partial Sequential Encoder { get; }

                [Dense(4), Sigmoid]
                public partial Sequential Decoder { get; }
            }
            """;
        var run = GeneratorRun.Run(source);
        Assert.Empty(run.CompilationProblems());
        var model = run.Output.GetTypeByMetadataName("Model")!;
        var generated = model.GetMembers()
            .Where(member => !member.IsImplicitlyDeclared
                && member is not IMethodSymbol { AssociatedSymbol: not null }
                && member.DeclaringSyntaxReferences.All(GeneratedCode.IsOurs))
            .Select(member => member.Name)
            .Distinct()
            .Order(StringComparer.Ordinal);
        var compilation = TestCompilation.Create(source);
        var reading = ModelReading.Read(compilation.GetTypeByMetadataName("Model")!, compilation, default);
        var description = new ModelDescription(string.Empty, null, default, string.Empty, "Model", reading.ToParts(), default, reading.Shapes);
        var declared = description.Parts
            .SelectMany(part => part.Members(description))
            .Select(member => member.Name)
            .Distinct()
            .Order(StringComparer.Ordinal);

        Assert.Equal(declared, generated);
    }

    private static string RepositoryRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));
}
