using System.Linq;
using AutoencoderDsl.Generators.Tests.Infrastructure;

namespace AutoencoderDsl.Generators.Tests.Snapshots;

/// <summary>The generated source for each model kind and likelihood, compared with the approved text beside this file.</summary>
public sealed class SnapshotTests
{
    [Fact]
    public void VariationalBernoulliWithFusedSigmoid() => Verify("""
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
        """);

    [Fact]
    public void AutoencoderGaussian() => Verify("""
        namespace Examples;

        [Autoencoder(LatentDim = 32, Likelihood = Likelihood.Gaussian)]
        [Input(784)]
        public partial class DeepAe
        {
            [Dense(256), LeakyReLU(0.2), Dropout(0.1), Dense(128), BatchNorm, GELU]
            public partial Sequential Encoder { get; }

            [Dense(128), Tanh, Dense(256), ReLU, Dense(784)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void VariationalGaussianBetaNested() => Verify("""
        namespace Examples.Nested;

        public static partial class Models
        {
            [Variational(LatentDim = 8, Beta = 4.5, Likelihood = Likelihood.Gaussian)]
            [Input(64)]
            internal partial class BetaVae
            {
                [Dense(32), SiLU]
                internal partial Sequential Encoder { get; }

                [Dense(32), SiLU, Dense(64), Sigmoid]
                internal partial Sequential Decoder { get; }
            }
        }
        """);

    [Fact]
    public void AutoencoderBernoulliInGlobalNamespace() => Verify("""
        [Autoencoder(LatentDim = 3)]
        [Input(2, 5)]
        public partial class TinyAe
        {
            [Flatten, Dense(6), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(10), Unflatten(2, 5), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void InvalidDeclarationGetsOnlyPropertyBodies() => Verify(
        """
        namespace Examples;

        [Variational(LatentDim = 2)]
        [Input(1, 28, 28)]
        public partial class Broken
        {
            [Flatten, Dense(64), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(64), ReLU, Dense(100)]
            public partial Sequential Decoder { get; }
        }
        """);

    private static void Verify(string declaration, [System.Runtime.CompilerServices.CallerMemberName] string method = "")
    {
        var run = GeneratorRun.Run(TestCompilation.Usings + declaration);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems());
        var source = Assert.Single(run.Sources);
        Snapshot.Match(source.SourceText.ToString(), nameof(SnapshotTests), source.HintName.Replace(".g.cs", string.Empty, System.StringComparison.Ordinal), method);
    }
}
