using System.Threading.Tasks;
using static AutoencoderDsl.Generators.Tests.Analyzers.AnalyzerVerifier;

namespace AutoencoderDsl.Generators.Tests.Analyzers;

/// <summary>ADSL029–ADSL034: part attributes and likelihood options in combinations that make no sense.</summary>
public sealed class PartDiagnosticsTests
{
    private const string Stacks = """
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """;

    [Fact]
    public Task EveryPartTogetherIsValid() => VerifyAsync("""
        [Variational(LatentDim = 2, Beta = 0.5, KlWarmupEpochs = 3)]
        [ClassConditional(Classes = 4)]
        [Denoising(Noise.Masking, 0.3)]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task TooFewClasses() => VerifyAsync("""
        [Variational(LatentDim = 2)]
        [ClassConditional({|ADSL029:Classes = 1|})]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task ClassesNotSet() => VerifyAsync("""
        [Variational(LatentDim = 2)]
        [{|ADSL029:ClassConditional|}]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task SparsityTargetOutsideTheUnitInterval() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Sparse({|ADSL030:Target = 1.5|})]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task SparsityWithoutAPenalty() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [{|ADSL030:Sparse|}]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task SparsityWithBothPenalties() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Sparse(L1 = 1e-4, {|ADSL030:Target = 0.05|})]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task SparsityWeightBesideL1AndANegativeL1() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Sparse({|ADSL030:L1 = -1|}, {|ADSL030:Weight = 2|})]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task SparsityOnAVariationalModel() => VerifyAsync("""
        [Variational(LatentDim = 2)]
        [{|ADSL031:Sparse(L1 = 1e-4)|}]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Theory]
    [InlineData("Noise.Gaussian, {|ADSL032:0|}")]
    [InlineData("Noise.Gaussian, {|ADSL032:double.PositiveInfinity|}")]
    [InlineData("Noise.Masking, {|ADSL032:1|}")]
    [InlineData("Noise.SaltAndPepper, {|ADSL032:-0.1|}")]
    [InlineData("{|ADSL032:(Noise)7|}, 0.5")]
    [InlineData("Noise.Gaussian, 0.5, Min = 1, {|ADSL032:Max = 0|}")]
    public Task NoiseOutOfRange(string arguments) => VerifyAsync($$"""
        [Autoencoder(LatentDim = 2)]
        [Denoising({{arguments}})]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task SaltAndPepperNeedsAFiniteRange() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [{|ADSL032:Denoising(Noise.SaltAndPepper, 0.1, Max = double.PositiveInfinity)|}]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task NegativeWarmup() => VerifyAsync("""
        [Variational(LatentDim = 2, {|ADSL033:KlWarmupEpochs = -2|})]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task SigmaOnABernoulliModel() => VerifyAsync("""
        [Autoencoder(LatentDim = 2, {|ADSL034:Sigma = 0.1|})]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task LearnedVarianceOnABernoulliModel() => VerifyAsync("""
        [Variational(LatentDim = 2, {|ADSL034:LearnedVariance = true|})]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task SigmaAndLearnedVarianceTogether() => VerifyAsync("""
        [Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian, Sigma = 0.1, {|ADSL034:LearnedVariance = true|})]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task NonPositiveSigma() => VerifyAsync("""
        [Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian, {|ADSL034:Sigma = 0|})]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task APartWithoutAModelAttribute() => VerifyAsync("""
        [{|ADSL006:Denoising(Noise.Gaussian, 0.5)|}]
        public partial class Model
        {
        }
        """);

    /// <summary>Every independent mistake of one class is reported, not only the first.</summary>
    [Fact]
    public Task EveryIndependentErrorOfAClass() => VerifyAsync("""
        [Variational(LatentDim = 2, {|ADSL017:Beta = -1|}, {|ADSL033:KlWarmupEpochs = -1|})]
        [Denoising(Noise.Masking, {|ADSL032:2|})]
        [Input(16)]
        public partial class Model
        {
            [{|ADSL019:Dense(0)|}, {|ADSL019:LeakyReLU(double.NaN)|}, {|ADSL019:Dropout(2)|}]
            public partial Sequential Encoder { get; }

            [Dense(16), {|ADSL020:Conv2d(4, 3)|}, {|ADSL019:Dropout(-1)|}]
            public partial Sequential Decoder { get; }
        }
        """);

    [Theory]
    [InlineData("{|ADSL040:Codes = 1|}")]
    [InlineData("{|ADSL040:Commitment = -0.25|}")]
    [InlineData("{|ADSL040:Commitment = double.NaN|}")]
    [InlineData("{|ADSL040:Codes = 0|}, {|ADSL040:Commitment = double.PositiveInfinity|}")]
    public Task QuantizerOptionsOutOfRange(string arguments) => VerifyAsync($$"""
        [VectorQuantized(LatentDim = 2, {{arguments}})]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task AVectorQuantizedCodeTakesNeitherSparsityNorAClassCondition() => VerifyAsync("""
        [VectorQuantized(LatentDim = 2, Codes = 8)]
        [{|ADSL041:Sparse(L1 = 1e-4)|}]
        [{|ADSL041:ClassConditional(Classes = 3)|}]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    [Fact]
    public Task AVectorQuantizedCodeTakesDenoisingAndALearnedVariance() => VerifyAsync("""
        [VectorQuantized(LatentDim = 2, Codes = 8, Likelihood = Likelihood.Gaussian, LearnedVariance = true)]
        [Denoising(Noise.Gaussian, 0.1)]
        [Input(16)]
        public partial class Model
        """ + Stacks);
}
