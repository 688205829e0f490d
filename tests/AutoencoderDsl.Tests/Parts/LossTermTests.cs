using System;
using System.Linq;
using AutoencoderDsl.Parts;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Parts;

/// <summary>Each part's loss term against a hand computation on fixed tensors.</summary>
public sealed class LossTermTests
{
    private static readonly double[,] Outputs = { { 0.5, -1.0, 2.0 }, { 0.0, 0.25, -0.5 } };
    private static readonly double[,] Targets = { { 1.0, -1.5, 1.0 }, { 0.5, 0.0, 0.0 } };

    [Fact]
    public void GaussianWithAFixedSigmaIsTheFullNegativeLogLikelihood()
    {
        using var scope = NewDisposeScope();
        const double Sigma = 0.3;
        double expected = Sum((output, target) => (Math.Pow(output - target, 2) / (2 * Sigma * Sigma)) + Math.Log(Sigma) + (0.5 * Math.Log(2 * Math.PI))) / 2;

        var likelihood = new GaussianLikelihood(Sigma: Sigma);
        var nll = likelihood.NegativeLogLikelihood(tensor(Outputs), tensor(Targets), logScale: null);

        Assert.Equal(expected, nll.item<double>(), 10);
    }

    [Fact]
    public void GaussianWithALearnedScaleUsesTheParameterAndPassesGradientsToIt()
    {
        using var scope = NewDisposeScope();
        const double LogSigma = -0.7;
        double sigma = Math.Exp(LogSigma);
        double expected = Sum((output, target) => (Math.Pow(output - target, 2) / (2 * sigma * sigma)) + LogSigma + (0.5 * Math.Log(2 * Math.PI))) / 2;
        var logScale = tensor(new[] { LogSigma }, requires_grad: true);

        var nll = new GaussianLikelihood(LearnedScale: true).NegativeLogLikelihood(tensor(Outputs), tensor(Targets), logScale);
        nll.backward();

        Assert.Equal(expected, nll.item<double>(), 10);
        // d/d(log σ) of Σ [e² e^(-2 log σ) / 2 + log σ] = Σ (1 − e² / σ²), halved by the batch of 2.
        double gradient = Sum((output, target) => 1 - (Math.Pow(output - target, 2) / (sigma * sigma))) / 2;
        Assert.Equal(gradient, logScale.grad!.item<double>(), 10);
    }

    [Fact]
    public void GaussianWithNeitherOptionIsHalfTheSquaredErrorWithoutTheConstant()
    {
        using var scope = NewDisposeScope();
        double expected = Sum((output, target) => 0.5 * Math.Pow(output - target, 2)) / 2;

        Assert.Equal(expected, new GaussianLikelihood().NegativeLogLikelihood(tensor(Outputs), tensor(Targets), null).item<double>(), 12);
    }

    [Fact]
    public void TheL1PenaltyIsTheMeanL1NormOfTheCodes()
    {
        using var scope = NewDisposeScope();
        var code = tensor(new[,] { { 1.0, -2.0 }, { 0.5, 0.0 } });

        var penalty = new SparsityTerm(Weight: 0.1).Compute(Inputs(code));

        Assert.Equal((3.0 + 0.5) / 2, penalty.item<double>(), 12);
    }

    [Fact]
    public void TheTargetPenaltyIsTheBernoulliDivergenceOfEachUnitsMeanActivation()
    {
        using var scope = NewDisposeScope();
        var activations = tensor(new[,] { { 0.1, 0.9 }, { 0.3, 0.5 } });
        const double Rho = 0.05;
        double Kl(double mean) => (Rho * Math.Log(Rho / mean)) + ((1 - Rho) * Math.Log((1 - Rho) / (1 - mean)));

        var penalty = new SparsityTerm(Weight: 1, Target: Rho).Compute(Inputs(activations));

        Assert.Equal(Kl(0.2) + Kl(0.7), penalty.item<double>(), 10);
        Assert.Equal(0, new SparsityTerm(1, Rho).Compute(Inputs(full([4, 3], Rho, dtype: ScalarType.Float64))).item<double>(), 10);
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.5)]
    [InlineData(3, 1.0)]
    [InlineData(4, 1.5)]
    [InlineData(5, 2.0)]
    [InlineData(9, 2.0)]
    public void KlWarmupRisesLinearlyFromZeroToBeta(int epoch, double expected) =>
        Assert.Equal(expected, new KlTerm(Beta: 2, WarmupEpochs: 4).WeightAt(epoch), 12);

    [Fact]
    public void EvaluationAlwaysUsesTheDeclaredBeta()
    {
        Assert.Equal(2.0, new KlTerm(2, WarmupEpochs: 4).WeightAt(null));
        Assert.Equal(2.0, new KlTerm(2).WeightAt(1));
    }

    [Fact]
    public void TermsRefuseArgumentsTheAnalyzersWouldReport()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KlTerm(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KlTerm(1, WarmupEpochs: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparsityTerm(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparsityTerm(1, Target: 1.2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianLikelihood(Sigma: 0));
        Assert.Throws<ArgumentException>(() => new GaussianLikelihood(Sigma: 1, LearnedScale: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClassCondition(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InputCorruption(AutoencoderDsl.Noise.Masking, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InputCorruption(AutoencoderDsl.Noise.Gaussian, 0.1, Min: 1, Max: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new InputCorruption(AutoencoderDsl.Noise.SaltAndPepper, 0.1, Max: double.PositiveInfinity));
    }

    private static LossInputs Inputs(Tensor code) => new(code, code, new LatentCode(code), new GaussianLikelihood(), null);

    private static double Sum(Func<double, double, double> term)
    {
        double sum = 0;
        for (int row = 0; row < Outputs.GetLength(0); row++)
        {
            for (int column = 0; column < Outputs.GetLength(1); column++)
            {
                sum += term(Outputs[row, column], Targets[row, column]);
            }
        }

        return sum;
    }
}
