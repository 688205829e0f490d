using System.Threading.Tasks;
using AutoencoderDsl.Generators.Diagnostics;
using static AutoencoderDsl.Generators.Tests.Analyzers.AnalyzerVerifier;

namespace AutoencoderDsl.Generators.Tests.Analyzers;

/// <summary>ADSL019–ADSL024: shape inference's errors, each at the attribute that causes it.</summary>
public sealed class ShapeDiagnosticsTests
{
    [Fact]
    public Task NonPositiveDenseWidth() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [{|ADSL019:Dense(0)|}, ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task DropoutProbabilityOutOfRange() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), {|ADSL019:Dropout(1)|}, Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task NonPositiveInputDimension() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [{|ADSL019:Input(0, 16)|}]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task NonPositiveLatentDim() => VerifyAsync("""
        [Autoencoder({|ADSL019:LatentDim = -3|})]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task LatentDimNotSet() => VerifyAsync("""
        [{|ADSL019:Autoencoder|}]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task BatchNormOnAFeatureMap() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [{|ADSL020:BatchNorm|}, Flatten, Dense(8)]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task UnflattenWithWrongElementCount() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(15), Sigmoid, {|ADSL022:Unflatten(1, 4, 4)|}]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task DenseAfterAConvolution() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Conv2d(4, Kernel = 3, Padding = 1), ReLU, {|ADSL020:Dense(8)|}]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task ConvolutionOnAVector() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [{|ADSL020:Conv2d(4, Kernel = 3)|}, Flatten, Dense(8)]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task NonPositiveResidualBlockChannels() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [{|ADSL019:ResidualBlock2d(0)|}, Flatten, Dense(8)]
            public partial Sequential Encoder { get; }

            [Dense(16), Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task SequenceResidualBlockOnAFeatureMap() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [{|#0:ResidualBlock1d(4)|}, Flatten, Dense(8)]
            public partial Sequential Encoder { get; }

            [Dense(16), Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """,
        new Microsoft.CodeAnalysis.Testing.DiagnosticResult(DiagnosticDescriptors.WrongRank)
            .WithLocation(0)
            .WithArguments("ResidualBlock1d takes a sequence [C, L], but got [1, 4, 4]; use ResidualBlock2d for a feature map, or insert Reshape(C, L) before it."));

    [Fact]
    public Task PoolingLargerThanItsInput() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [{|ADSL021:MaxPool2d(Kernel = 8)|}, Flatten, Dense(8)]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task ReshapeWithWrongElementCount() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, {|ADSL022:Reshape(2, 4, 4)|}]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task EncoderEndsInAFeatureMap() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Conv2d(4, Kernel = 3, Padding = 1), {|ADSL023:ReLU|}]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task AVectorQuantizedCodeIsAGridOfTheEncodersFeatureMap() => VerifyAsync("""
        [VectorQuantized(LatentDim = 3, Codes = 8)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Conv2d(4, Kernel = 3, Padding = 1), ReLU, MaxPool2d(2)]
            public partial Sequential Encoder { get; }

            [ConvTranspose2d(1, Kernel = 2, Stride = 2), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task AVectorQuantizedDecoderStartsFromTheCodeGrid() => VerifyAsync("""
        [VectorQuantized(LatentDim = 3, Codes = 8)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Conv2d(4, Kernel = 3, Padding = 1), ReLU, MaxPool2d(2)]
            public partial Sequential Encoder { get; }

            [{|ADSL020:Dense(16)|}, Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task AVectorQuantizerReadsAtMostAFeatureMap() => VerifyAsync("""
        [VectorQuantized(LatentDim = 3, Codes = 8)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Conv2d(4, Kernel = 3, Padding = 1), {|ADSL023:Reshape(2, 2, 2, 8)|}]
            public partial Sequential Encoder { get; }

            [Flatten, Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task EmptyEncoderOnAFeatureMap() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            public partial Sequential {|ADSL023:Encoder|} { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task DecoderOutputIsNotTheInputShape() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), {|#0:Sigmoid|}]
            public partial Sequential Decoder { get; }
        }
        """,
        new Microsoft.CodeAnalysis.Testing.DiagnosticResult(DiagnosticDescriptors.OutputShapeMismatch)
            .WithLocation(0)
            .WithLocation(0)
            .WithArguments("[16]", "[1, 4, 4]", "end the decoder with Unflatten(1, 4, 4)"));

    [Fact]
    public Task EmptyDecoder() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            public partial Sequential {|ADSL024:Decoder|} { get; }
        }
        """);
}
