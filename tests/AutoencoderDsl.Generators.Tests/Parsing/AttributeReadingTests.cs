using System;
using System.Linq;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Parsing;
using AutoencoderDsl.Generators.Shapes;
using AutoencoderDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using ActivationFunction = AutoencoderDsl.Export.ActivationFunction;
using PoolKind = AutoencoderDsl.Export.PoolKind;

namespace AutoencoderDsl.Generators.Tests.Parsing;

/// <summary>
/// Attributes as the compiler binds them, read into the real attribute types: positional and named forms, the
/// attributes' own defaults, and nothing for what is not ours or does not bind.
/// </summary>
public sealed class AttributeReadingTests
{
    public static TheoryData<string, Layer> Layers => new()
    {
        { "Conv2d(32, Kernel = 4, Stride = 2, Padding = 1)", new Conv2dLayer(32, 4, 2, 1, 1) },
        { "Conv2d(32, 3)", new Conv2dLayer(32, 3, 1, 0, 1) },
        { "Conv2d(32, 3, Stride = 2)", new Conv2dLayer(32, 3, 2, 0, 1) },
        { "ConvTranspose2d(8, Kernel = 3, Stride = 2, OutputPadding = 1)", new ConvTranspose2dLayer(8, 3, 2, 0, 1) },
        { "ConvTranspose2d(8, 4)", new ConvTranspose2dLayer(8, 4, 1, 0, 0) },
        { "MaxPool2d(Kernel = 3)", new Pool2dLayer(PoolKind.Max, 3, 3) },
        { "MaxPool2d(2)", new Pool2dLayer(PoolKind.Max, 2, 2) },
        { "MaxPool2d(3, 2)", new Pool2dLayer(PoolKind.Max, 3, 2) },
        { "AvgPool2d(2)", new Pool2dLayer(PoolKind.Avg, 2, 2) },
        { "AvgPool2d(Kernel = 3, Stride = 1)", new Pool2dLayer(PoolKind.Avg, 3, 1) },
        { "Conv1d(16, 5)", new Conv1dLayer(16, 5, 1, 0, 1) },
        { "ConvTranspose1d(1, Kernel = 4, Stride = 2, Padding = 1)", new ConvTranspose1dLayer(1, 4, 2, 1, 0) },
        { "MaxPool1d(2)", new Pool1dLayer(PoolKind.Max, 2, 2) },
        { "AvgPool1d(4, 2)", new Pool1dLayer(PoolKind.Avg, 4, 2) },
        { "BatchNorm1d", new BatchNormLayer(WrittenAs1d: true) },
        { "Upsample(2)", new UpsampleLayer(2) },
        { "Dropout", new DropoutLayer(0.5) },
        { "LeakyReLU", new ActivationLayer(ActivationFunction.LeakyReLU, 0.01) },
        { "Dropout2d(0.1)", new Dropout2dLayer(0.1) },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void LayersAreReadWithTheAttributesOwnOverloadsAndDefaults(string attribute, Layer expected) =>
        Assert.Equal(expected, ReadLayer(attribute));

    [Fact]
    public void ArraysAreReadWholeAndAnExplicitZeroStrideStays()
    {
        Assert.Equal(new ReshapeLayer(new long[] { 4, 4, 4 }.ToEquatableArray()), ReadLayer("Reshape(4, 4, 4)"));
        Assert.Equal(new Pool2dLayer(PoolKind.Max, 2, 0), ReadLayer("MaxPool2d(Kernel = 2, Stride = 0)"));
    }

    [Theory]
    [InlineData("Conv2d(32)")]
    [InlineData("Conv2d(32, Kernel = 4, Stride = bad)")]
    [InlineData("MaxPool2d")]
    [InlineData("Upsample(missing)")]
    public void ALayerThatDoesNotBindGivesNoLayer(string attribute) => Assert.Null(ReadLayer(attribute, allowErrors: true));

    /// <summary>A user's attribute named like one of ours, even deriving from LayerAttribute, is not ours.</summary>
    [Fact]
    public void AUsersOwnAttributeOfTheSameNameIsNotOurs()
    {
        var compilation = TestCompilation.Create(TestCompilation.Usings + """
            namespace Other
            {
                public sealed class DenseAttribute : AutoencoderDsl.LayerAttribute { public DenseAttribute(int n) { } }
                public class Host { [Other.Dense(4)] public int P { get; } }
            }
            """);
        var attribute = compilation.GetTypeByMetadataName("Other.Host")!.GetMembers("P").Single().GetAttributes().Single();

        Assert.True(ModelReading.IsLayerAttribute(attribute.AttributeClass));
        Assert.False(AttributeInstances.IsOurs(attribute.AttributeClass));
        Assert.Null(AttributeInstances.Create<LayerAttribute>(attribute, compilation));
    }

    [Fact]
    public void ModelAndPartAttributesAreReadWithTheirDefaults()
    {
        var compilation = TestCompilation.Create(TestCompilation.Usings + """
            [Variational(LatentDim = 8, KlWarmupEpochs = 5)]
            [Denoising(Noise.Masking, 0.25)]
            [ClassConditional(Classes = 10)]
            public class Host { }
            """);
        var attributes = compilation.GetTypeByMetadataName("Host")!.GetAttributes();
        var variational = AttributeInstances.Create<ModelAttribute>(attributes[0], compilation) as VariationalAttribute;
        var denoising = AttributeInstances.Create<ModelPartAttribute>(attributes[1], compilation) as DenoisingAttribute;
        var conditional = AttributeInstances.Create<ModelPartAttribute>(attributes[2], compilation) as ClassConditionalAttribute;

        Assert.Equal((8, 1.0, 5, Likelihood.Bernoulli), (variational!.LatentDim, variational.Beta, variational.KlWarmupEpochs, variational.Likelihood));
        Assert.Equal((Noise.Masking, 0.25, 0.0, 1.0), (denoising!.Noise, denoising.Level, denoising.Min, denoising.Max));
        Assert.Equal(10, conditional!.Classes);
    }

    /// <summary>Every concrete layer attribute of the abstractions has its line in the catalog, and the catalog names no other.</summary>
    [Fact]
    public void EveryLayerAttributeIsInTheCatalog()
    {
        var attributes = typeof(LayerAttribute).Assembly.GetTypes()
            .Where(type => type.IsSubclassOf(typeof(LayerAttribute)) && !type.IsAbstract)
            .Select(type => type.Name)
            .Order(StringComparer.Ordinal);

        Assert.Equal(attributes, LayerCatalog.AttributeTypes.Select(type => type.Name).Order(StringComparer.Ordinal));
    }

    private static Layer? ReadLayer(string attribute, bool allowErrors = false)
    {
        var compilation = TestCompilation.Create(TestCompilation.Usings + $$"""
            public class Host
            {
                [{{attribute}}]
                public Sequential P { get; } = null!;
            }
            """);
        if (!allowErrors)
        {
            Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));
        }

        var data = compilation.GetTypeByMetadataName("Host")!.GetMembers("P").Single().GetAttributes().Single();
        return AttributeInstances.Create<LayerAttribute>(data, compilation) is { } instance ? LayerCatalog.Create(instance) : null;
    }
}
