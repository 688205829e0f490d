using System.Threading.Tasks;
using static AutoencoderDsl.Generators.Tests.Analyzers.AnalyzerVerifier;

namespace AutoencoderDsl.Generators.Tests.Analyzers;

/// <summary>ADSL013–ADSL018: layer attributes and model arguments that cannot be read.</summary>
public sealed class LayerDiagnosticsTests
{
    [Fact]
    public Task LayersOnBothParts() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16)]
            public partial Sequential Decoder { get; }

            [{|ADSL013:Sigmoid|}]
            public partial Sequential {|ADSL011:Decoder|} => null!;
        }
        """);

    [Fact]
    public Task LayerOnAnotherProperty() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }

            [{|ADSL014:Dropout(0.2)|}]
            public int Extra { get; set; }
        }
        """);

    [Fact]
    public Task CustomLayerAttribute() => VerifyAsync("""
        public sealed class NoiseAttribute : LayerAttribute
        {
        }

        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), {|ADSL015:Noise|}, ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task LayerWithoutArguments() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [{|ADSL016:{|CS7036:Dense|}|}, ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task ConvolutionWithoutKernel() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [{|ADSL016:{|CS9035:Conv2d|}(4)|}, Flatten, Dense(8)]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task InputWithNonConstantArgument() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [{|ADSL016:Input({|CS0182:Model.Size|})|}]
        public partial class Model
        {
            public static int Size = 16;

            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    /// <summary>
    /// An argument of a type that converts to the parameter's only explicitly (CS0266) keeps its written type in the
    /// attribute's data; read as converted, each of these generated a model (LatentDim = 2.5 as a code of 2). Found by the fuzzer.
    /// </summary>
    [Fact]
    public Task ModelOptionsOfAnotherType() => VerifyAsync("""
        [Variational(LatentDim = 2, {|ADSL016:KlWarmupEpochs = {|CS0266:2.5|}|}, {|ADSL016:Likelihood = {|CS0266:1|}|})]
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
    public Task LayerAndPartArgumentsOfAnotherType() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [{|ADSL016:ClassConditional(Classes = {|CS0266:2.5|})|}]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [{|ADSL016:Conv2d(4, Kernel = {|CS0266:3.0|})|}, Flatten, Dense(8)]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task NegativeBeta() => VerifyAsync("""
        [Variational(LatentDim = 2, {|ADSL017:Beta = -1|})]
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
    public Task InfiniteBeta() => VerifyAsync("""
        [Variational(LatentDim = 2, {|ADSL017:Beta = double.PositiveInfinity|})]
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
    public Task UndefinedLikelihood() => VerifyAsync("""
        [Autoencoder(LatentDim = 2, {|ADSL018:Likelihood = (Likelihood)7|})]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);
}
