using System.Threading.Tasks;
using AutoencoderDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using static AutoencoderDsl.Generators.Tests.Analyzers.AnalyzerVerifier;

namespace AutoencoderDsl.Generators.Tests.Analyzers;

/// <summary>ADSL029–ADSL034, ADSL040–ADSL042: part attributes and likelihood options in combinations that make no sense.</summary>
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
    public Task AVectorQuantizedCodeTakesNoNeighbourhoodTerm() => VerifyAsync(
        """
        [VectorQuantized(LatentDim = 2, Codes = 8)]
        [{|#0:Neighbourhood(Neighbours = 10)|}]
        [Input(16)]
        public partial class Model
        """ + Stacks,
        new DiagnosticResult(DiagnosticDescriptors.QuantizedCombination).WithLocation(0).WithOptions(DiagnosticOptions.IgnoreAdditionalLocations).WithArguments(
            "[Neighbourhood]",
            "Model",
            "the neighbourhood term lays examples out by their distances in a continuous code, but a quantized code puts each example on one of the codebook's vectors, so the distances it would read are between codebook vectors; remove [Neighbourhood], or declare [Autoencoder] or [Variational]"));

    [Theory]
    [InlineData("{|ADSL042:Neighbours = 1|}")]
    [InlineData("{|ADSL042:Neighbours = -3|}")]
    [InlineData("{|ADSL042:Weight = 0|}")]
    [InlineData("{|ADSL042:Weight = -0.5|}")]
    [InlineData("{|ADSL042:Weight = double.NaN|}")]
    [InlineData("{|ADSL042:Weight = double.PositiveInfinity|}")]
    [InlineData("{|ADSL042:MinDistance = 1|}")]
    [InlineData("{|ADSL042:MinDistance = -0.1|}")]
    [InlineData("{|ADSL042:MinDistance = double.NaN|}")]
    [InlineData("{|ADSL042:NegativeSamples = 0|}")]
    [InlineData("Neighbours = 2, Weight = 1e-3, MinDistance = 0, NegativeSamples = 1")]
    [InlineData("{|ADSL042:Neighbours = 0|}, Weight = 2, {|ADSL042:MinDistance = 1.5|}, {|ADSL042:NegativeSamples = -1|}")]
    [InlineData("Loss = NeighbourhoodLoss.Contrastive, MinDistance = 0")]
    [InlineData("Loss = NeighbourhoodLoss.Umap, NegativeSamples = 8")]
    [InlineData("Loss = NeighbourhoodLoss.Contrastive, {|ADSL042:NegativeSamples = 5|}")]
    [InlineData("{|ADSL042:Loss = (NeighbourhoodLoss)7|}")]
    public Task NeighbourhoodOptionsOutOfRange(string arguments) => VerifyAsync($$"""
        [Autoencoder(LatentDim = 2)]
        [Neighbourhood({{arguments}})]
        [Input(16)]
        public partial class Model
        """ + Stacks);

    /// <summary>Each option out of range is its own diagnostic, saying what came, what is allowed and an example.</summary>
    [Fact]
    public Task EveryNeighbourhoodOptionOutOfRangeIsNamed() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Neighbourhood({|#0:Neighbours = 1|}, {|#1:Weight = -2|}, {|#2:MinDistance = 1|}, {|#3:NegativeSamples = 0|})]
        [Input(16)]
        public partial class Model
        """ + Stacks,
        new DiagnosticResult(DiagnosticDescriptors.InvalidNeighbourhood).WithLocation(0).WithArguments(
            "Neighbours is 1, but the graph joins each training example to its k nearest others and needs k of at least 2, such as Neighbours = 15"),
        new DiagnosticResult(DiagnosticDescriptors.InvalidNeighbourhood).WithLocation(1).WithArguments(
            "Weight is -2, but the weight of the neighbourhood term must be positive and finite, such as Weight = 1"),
        new DiagnosticResult(DiagnosticDescriptors.InvalidNeighbourhood).WithLocation(2).WithArguments(
            "MinDistance is 1, but UMAP's minimum distance between neighbours' codes must lie in [0, 1), such as MinDistance = 0.1"),
        new DiagnosticResult(DiagnosticDescriptors.InvalidNeighbourhood).WithLocation(3).WithArguments(
            "NegativeSamples is 0, but each example needs at least 1 code to be pushed away from, such as NegativeSamples = 5"));

    /// <summary>A negative count written beside the contrastive loss would be ignored, so it is refused, saying why.</summary>
    [Fact]
    public Task TheContrastiveLossTakesNoNegativeCount() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Neighbourhood(Loss = NeighbourhoodLoss.Contrastive, {|#0:NegativeSamples = 10|})]
        [Input(16)]
        public partial class Model
        """ + Stacks,
        new DiagnosticResult(DiagnosticDescriptors.InvalidNeighbourhood).WithLocation(0).WithArguments(
            "NegativeSamples is UMAP's negative sample rate, but the contrastive loss pushes each example from every other code of the batch and reads no such count; remove NegativeSamples, or declare Loss = NeighbourhoodLoss.Umap"));

    [Fact]
    public Task ANeighbourhoodTermComposesWithAVariationalModelAndEveryOtherPart() => VerifyAsync("""
        [Variational(LatentDim = 2, KlWarmupEpochs = 3)]
        [Neighbourhood]
        [ClassConditional(Classes = 4)]
        [Denoising(Noise.Masking, 0.3)]
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
