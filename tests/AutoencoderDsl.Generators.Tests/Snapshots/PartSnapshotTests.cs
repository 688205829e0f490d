using System.Linq;
using System.Runtime.CompilerServices;
using AutoencoderDsl.Generators.Tests.Infrastructure;

namespace AutoencoderDsl.Generators.Tests.Snapshots;

/// <summary>
/// Generated sources for each optional part and for parts together, compared with the approved text beside this file.
/// Every one compiles without a warning against the real runtime.
/// </summary>
public sealed class PartSnapshotTests
{
    [Fact]
    public void DenoisingAutoencoder() => Verify("""
        namespace Examples;

        [Autoencoder(LatentDim = 32)]
        [Denoising(Noise.Gaussian, 0.5)]
        [Input(1, 28, 28)]
        public partial class Denoiser
        {
            [Conv2d(16, 3, Stride = 2, Padding = 1), ReLU, Flatten]
            public partial Sequential Encoder { get; }

            [Dense(16 * 14 * 14), ReLU, Unflatten(16, 14, 14), ConvTranspose2d(1, 4, Stride = 2, Padding = 1), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void SparseAutoencoderWithATargetActivation() => Verify("""
        namespace Examples;

        [Autoencoder(LatentDim = 64)]
        [Sparse(Target = 0.05, Weight = 3)]
        [Input(784)]
        public partial class SparseAe
        {
            [Dense(256), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(256), ReLU, Dense(784), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void SparseAutoencoderWithAnL1Penalty() => Verify("""
        namespace Examples;

        [Autoencoder(LatentDim = 16, Likelihood = Likelihood.Gaussian, Sigma = 0.1)]
        [Sparse(L1 = 1e-4)]
        [Input(20)]
        public partial class TabularAe
        {
            [Dense(32), GELU]
            public partial Sequential Encoder { get; }

            [Dense(32), GELU, Dense(20)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void VariationalWithKlWarmupAndLearnedVariance() => Verify("""
        namespace Examples;

        [Variational(LatentDim = 8, Beta = 2, KlWarmupEpochs = 5, Likelihood = Likelihood.Gaussian, LearnedVariance = true)]
        [Input(1, 128)]
        public partial class SeriesVae
        {
            [Conv1d(16, 5, Padding = 2), ReLU, MaxPool1d(2), Conv1d(32, 5, Padding = 2), BatchNorm1d, ReLU, AvgPool1d(2), Flatten]
            public partial Sequential Encoder { get; }

            [Dense(32 * 32), ReLU, Unflatten(32, 32), ConvTranspose1d(16, 4, Stride = 2, Padding = 1), ReLU, ConvTranspose1d(1, 4, Stride = 2, Padding = 1)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void ClassConditionalDenoisingVae() => Verify("""
        namespace Examples;

        [Variational(LatentDim = 16)]
        [ClassConditional(Classes = 10)]
        [Denoising(Noise.SaltAndPepper, 0.1)]
        [Input(1, 28, 28)]
        public partial class LetterCvae
        {
            [Flatten, Dense(400), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(400), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void ClassConditionalAutoencoder() => Verify("""
        namespace Examples;

        [Autoencoder(LatentDim = 4)]
        [ClassConditional(Classes = 3)]
        [Input(12)]
        public partial class ConditionalAe
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(12), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void TwoDimensionalAutoencoderKeepingNeighbourhoods() => Verify("""
        namespace Examples;

        [Autoencoder(LatentDim = 2)]
        [Neighbourhood(Neighbours = 10, Weight = 0.5, MinDistance = 0.05, NegativeSamples = 8)]
        [Input(1, 28, 28)]
        public partial class FashionMap
        {
            [Flatten, Dense(256), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(256), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void VariationalKeepingNeighbourhoods() => Verify("""
        namespace Examples;

        [Variational(LatentDim = 2)]
        [Neighbourhood(Loss = NeighbourhoodLoss.Contrastive)]
        [Input(784)]
        public partial class NeighbourVae
        {
            [Dense(256), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(256), ReLU, Dense(784), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    private static void Verify(string declaration, [CallerMemberName] string method = "")
    {
        var run = GeneratorRun.Run(TestCompilation.Usings + declaration);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems());
        var source = Assert.Single(run.Sources);
        Snapshot.Match(source.SourceText.ToString(), nameof(PartSnapshotTests), source.HintName.Replace(".g.cs", string.Empty, System.StringComparison.Ordinal), method);
    }
}
