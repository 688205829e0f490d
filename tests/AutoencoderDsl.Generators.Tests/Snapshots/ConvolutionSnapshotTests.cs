using System;
using System.Linq;
using System.Runtime.CompilerServices;
using AutoencoderDsl.Generators.Tests.Infrastructure;

namespace AutoencoderDsl.Generators.Tests.Snapshots;

/// <summary>
/// Generated sources of convolutional models, compared with the approved text beside this file. The declarations
/// compile under <c>using TorchSharp.Modules;</c>, whose Conv2d, Upsample, ... classes share the attributes' names.
/// </summary>
public sealed class ConvolutionSnapshotTests
{
    [Fact]
    public void ConvolutionalBetaVae() => Verify("""
        namespace Examples;

        [Variational(LatentDim = 16, Beta = 4)]
        [Input(1, 28, 28)]
        public partial class ConvBetaVae
        {
            [Conv2d(32, Kernel = 4, Stride = 2, Padding = 1), ReLU,
             Conv2d(64, Kernel = 4, Stride = 2, Padding = 1), ReLU, Flatten, Dense(256), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(256), ReLU, Dense(64 * 7 * 7), ReLU, Unflatten(64, 7, 7),
             ConvTranspose2d(32, Kernel = 4, Stride = 2, Padding = 1), ReLU,
             ConvTranspose2d(1, Kernel = 4, Stride = 2, Padding = 1), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void VectorQuantizedOnAFeatureMap() => Verify("""
        namespace Examples;

        [VectorQuantized(LatentDim = 16, Codes = 128, Likelihood = Likelihood.Gaussian)]
        [Input(1, 28, 28)]
        public partial class FashionVqVae
        {
            [Conv2d(32, Kernel = 4, Stride = 2, Padding = 1), ReLU,
             Conv2d(64, Kernel = 4, Stride = 2, Padding = 1), ReLU]
            public partial Sequential Encoder { get; }

            [ConvTranspose2d(32, Kernel = 4, Stride = 2, Padding = 1), ReLU,
             ConvTranspose2d(1, Kernel = 4, Stride = 2, Padding = 1), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void VectorQuantizedOnAVector() => Verify("""
        namespace Examples;

        [VectorQuantized(LatentDim = 8, Codes = 32, Commitment = 0.5, RestartDeadCodes = false)]
        [Input(64)]
        public partial class TabularVq
        {
            [Dense(32), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(32), ReLU, Dense(64), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void PoolingUpsamplingAndReshapes() => Verify("""
        namespace Examples;

        [Autoencoder(LatentDim = 8)]
        [Input(3, 16, 16)]
        public partial class PoolingAe
        {
            [Conv2d(8, Kernel = 3, Padding = 1), BatchNorm2d, ReLU, MaxPool2d(Kernel = 2),
             Conv2d(16, Kernel = 3, Padding = 1, Dilation = 1), ReLU, Dropout2d(0.1), AvgPool2d(Kernel = 3, Stride = 2), Reshape(144)]
            public partial Sequential Encoder { get; }

            [Dense(144), ReLU, Reshape(16, 3, 3), Upsample(2),
             ConvTranspose2d(8, Kernel = 4, Stride = 2, Padding = 1), BatchNorm2d, ReLU,
             ConvTranspose2d(3, Kernel = 5), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void ResidualBlocks() => Verify("""
        namespace Examples;

        [Autoencoder(LatentDim = 8)]
        [Input(1, 16, 16)]
        public partial class ResidualAe
        {
            [ResidualBlock2d(16), ResidualBlock2d(16), MaxPool2d(2), Reshape(16, 64), ResidualBlock1d(8), Flatten]
            public partial Sequential Encoder { get; }

            [Dense(512), Unflatten(8, 8, 8), Upsample(2), ResidualBlock2d(4), Conv2d(1, 3, Padding = 1), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public void KernelIsARequiredArgument()
    {
        var run = GeneratorRun.Run(TestCompilation.Usings + """
            [Autoencoder(LatentDim = 2)]
            [Input(1, 8, 8)]
            public partial class MissingKernel
            {
                [Conv2d(4), Flatten]
                public partial Sequential Encoder { get; }

                [Dense(64), Unflatten(1, 8, 8)]
                public partial Sequential Decoder { get; }
            }
            """);

        Assert.Contains(run.CompilationProblems(), problem => problem.Id == "CS9035" && problem.GetMessage().Contains("Kernel", StringComparison.Ordinal));
    }

    private static void Verify(string declaration, [CallerMemberName] string method = "")
    {
        var run = GeneratorRun.Run(TestCompilation.Usings + declaration);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems());
        var source = Assert.Single(run.Sources);
        Snapshot.Match(source.SourceText.ToString(), nameof(ConvolutionSnapshotTests), source.HintName.Replace(".g.cs", string.Empty, StringComparison.Ordinal), method);
    }
}
