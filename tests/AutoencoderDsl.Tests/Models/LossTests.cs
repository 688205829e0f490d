using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Models;

/// <summary>The loss terms against hand computation on fixed tensors.</summary>
public sealed class LossTests
{
    private static readonly double[,] Means = { { 0.0, 1.0 }, { 2.0, -1.0 } };
    private static readonly double[,] LogVars = { { 0.0, Math.Log(2.0) }, { -1.0, 0.5 } };

    [Fact]
    public void KlMatchesTheClosedForm()
    {
        using var scope = NewDisposeScope();
        double expected = 0;
        for (int row = 0; row < 2; row++)
        {
            for (int column = 0; column < 2; column++)
            {
                double mu = Means[row, column], logVar = LogVars[row, column];
                expected += -0.5 * (1 + logVar - (mu * mu) - Math.Exp(logVar));
            }
        }

        var kl = LossFunctions.GaussianKl(tensor(Means), tensor(LogVars));

        Assert.Equal(expected / 2, kl.item<double>(), 12);
    }

    [Fact]
    public void KlIsZeroAtThePrior()
    {
        using var scope = NewDisposeScope();
        Assert.Equal(0.0, LossFunctions.GaussianKl(zeros(3, 5), zeros(3, 5)).item<float>());
    }

    [Fact]
    public void BernoulliFromLogitsEqualsCrossEntropyOfProbabilities()
    {
        using var scope = NewDisposeScope();
        double[] logits = [-3.0, -0.5, 0.0, 0.7, 4.0, 1.5];
        double[] targets = [0.0, 1.0, 0.25, 1.0, 0.9, 0.0];
        double expected = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double p = 1 / (1 + Math.Exp(-logits[i]));
            expected -= (targets[i] * Math.Log(p)) + ((1 - targets[i]) * Math.Log(1 - p));
        }

        var logitTensor = tensor(logits).reshape(2, 3);
        var targetTensor = tensor(targets).reshape(2, 3);

        var fromLogits = LossFunctions.BernoulliFromLogits(logitTensor, targetTensor).item<double>();
        var fromProbabilities = LossFunctions.BernoulliFromProbabilities(logitTensor.sigmoid(), targetTensor).item<double>();

        Assert.Equal(expected / 2, fromLogits, 10);
        Assert.Equal(expected / 2, fromProbabilities, 10);
    }

    [Fact]
    public void BernoulliFromLogitsStaysFiniteWhereProbabilitiesSaturate()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new[] { 200.0f, -200.0f }).reshape(1, 2);
        var targets = tensor(new[] { 0.0f, 1.0f }).reshape(1, 2);

        var loss = LossFunctions.BernoulliFromLogits(logits, targets).item<float>();

        Assert.Equal(400f, loss, 3);
    }

    [Fact]
    public void GaussianIsHalfTheSquaredErrorPerExample()
    {
        using var scope = NewDisposeScope();
        var mean = tensor(new[] { 1.0, 2.0, 3.0, 4.0 }).reshape(2, 2);
        var target = tensor(new[] { 0.0, 2.0, 5.0, 1.0 }).reshape(2, 2);

        Assert.Equal(0.5 * (1 + 0 + 4 + 9) / 2, LossFunctions.Gaussian(mean, target).item<double>(), 12);
    }

    [Fact]
    public void VariationalTotalIsReconstructionPlusBetaKl()
    {
        using var scope = NewDisposeScope();
        using var vae = new FashionVae(seed: 21);
        var loss = vae.Loss(rand(8, 1, 28, 28));

        Assert.Equal(
            loss.Reconstruction.item<float>() + (FashionVae.Beta * loss.Kl.item<float>()),
            loss.Total.item<float>(),
            3);
    }

    [Fact]
    public void GeneratedLossUsesLogitsWhenTheDecoderEndsInSigmoid()
    {
        using var scope = NewDisposeScope();
        using var vae = new FashionVae(seed: 22);
        var x = rand(4, 1, 28, 28);

        torch.manual_seed(5);
        var loss = vae.Loss(x);
        torch.manual_seed(5);
        var output = vae.forward(x);
        var fromProbabilities = LossFunctions.BernoulliFromProbabilities(output.Reconstruction, x);

        // Equal up to float32 rounding of the sigmoid, which the logits path avoids.
        Assert.Equal(fromProbabilities.item<float>(), loss.Reconstruction.item<float>(), 0.05f);
    }

    [Fact]
    public void UnboundedBernoulliDecoderFailsWithAFix()
    {
        using var scope = NewDisposeScope();
        using var ae = new UnboundedBernoulliAe(seed: 23);
        using var x = rand(6, 4);
        ae.get_parameter("decoder.0.bias")!.detach().fill_(5);

        var error = Assert.Throws<InvalidOperationException>(() => ae.Loss(x));

        Assert.Contains("End the decoder with Sigmoid", error.Message);
    }

    [Fact]
    public void DenoisingLossScoresTheCleanTarget()
    {
        using var scope = NewDisposeScope();
        using var ae = new DeepAe(seed: 24);
        ae.eval();
        var clean = rand(6, 784);
        var noisy = clean + (0.3 * randn_like(clean));

        var reconstruction = ae.forward(noisy).Reconstruction;

        Assert.Equal(
            LossFunctions.Gaussian(reconstruction, clean).item<float>(),
            ae.Loss(noisy, clean).Total.item<float>(),
            3);
    }
}
