using System.Threading.Tasks;
using static AutoencoderDsl.Generators.Tests.Analyzers.AnalyzerVerifier;

namespace AutoencoderDsl.Generators.Tests.Analyzers;

/// <summary>ADSL025–ADSL027: models that generate but will probably train badly.</summary>
public sealed class ModellingWarningsTests
{
    [Fact]
    public Task BernoulliDecoderEndingInDense() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(8), ReLU, {|ADSL025:Dense(16)|}]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task GaussianDecoderNeedsNoSigmoid() => VerifyAsync("""
        [Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(8), ReLU, Dense(16)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task LatentAsWideAsTheInput() => VerifyAsync("""
        [Autoencoder({|ADSL026:LatentDim = 16|})]
        [Input(16)]
        public partial class Model
        {
            [Dense(32), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task WideLatentWithKlTermIsFine() => VerifyAsync("""
        [Variational(LatentDim = 16)]
        [Input(16)]
        public partial class Model
        {
            [Dense(32), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task TanhBeforeTheLatentHeads() => VerifyAsync("""
        [Variational(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), {|ADSL027:Tanh|}]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);
}
