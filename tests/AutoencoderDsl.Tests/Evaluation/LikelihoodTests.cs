using System;
using AutoencoderDsl.Data;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Tests.Models;
using AutoencoderDsl.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Evaluation;

/// <summary>A VAE trained once for the tests of its likelihood bounds, its sampler and its determinism.</summary>
public sealed class TrainedVae : IDisposable
{
    public TrainedVae()
    {
        Train = TestData.RealOrBuiltIn(training: true, count: 4000);
        Test = TestData.RealOrBuiltIn(training: false, count: 200);
        Model = new SmallVae(seed: 31);
        Model.Fit(Train.Images, new FitOptions { Epochs = 3, Seed = 32 });
    }

    public LabelledImages Train { get; }

    public LabelledImages Test { get; }

    public SmallVae Model { get; }

    public void Dispose()
    {
        Model.Dispose();
        Train.Dispose();
        Test.Dispose();
    }
}

/// <summary>The tests that share <see cref="TrainedVae"/>, which trains once for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class TrainedVaeCollection : ICollectionFixture<TrainedVae>
{
    public const string Name = "A trained VAE";
}

/// <summary>The IWAE bound against the ELBO, and evaluation that repeats.</summary>
[Collection(TrainedVaeCollection.Name)]
public sealed class LikelihoodTests(TrainedVae trained, ITestOutputHelper output)
{
    private SmallVae Vae => trained.Model;

    private Tensor Images => trained.Test.Images;

    [Fact]
    public void TheIwaeBoundIsAtLeastTheElboAndTightensAsKGrows()
    {
        using var scope = NewDisposeScope();
        double elbo = -Vae.AnomalyScore(Images).mean().item<double>();
        double k1 = Vae.LogLikelihood(Images, samples: 1).mean().item<double>();
        double k10 = Vae.LogLikelihood(Images, samples: 10).mean().item<double>();
        double k100 = Vae.LogLikelihood(Images, samples: 100).mean().item<double>();

        output.WriteLine($"ELBO {elbo:F2}, IWAE k=1 {k1:F2}, k=10 {k10:F2}, k=100 {k100:F2} nats");
        // k = 1 is a one-draw estimate of the ELBO itself.
        Assert.True(Math.Abs(k1 - elbo) < 0.01 * Math.Abs(elbo), $"IWAE with k = 1 gave {k1}, the ELBO {elbo}");
        Assert.True(k10 > elbo && k10 > k1, $"k = 10 gave {k10}, below the ELBO {elbo} or k = 1 {k1}");
        Assert.True(k100 > k10, $"k = 100 gave {k100}, not above k = 10 {k10}");
    }

    [Fact]
    public void LogLikelihoodSplitsLargeKIntoChunksWithoutChangingTheEstimate()
    {
        using var scope = NewDisposeScope();
        var few = Images[..2];

        // 5000 draws of two examples need three chunks of 4096 decodes or fewer.
        var estimate = Vae.LogLikelihood(few, samples: 5000);

        Assert.Equal([2L], estimate.shape);
        Assert.True(estimate.isfinite().all().item<bool>());
        Assert.True(estimate.equal(Vae.LogLikelihood(few, samples: 5000)).all().item<bool>(), "the estimate changed between calls");
    }

    [Fact]
    public void EvaluateRepeatsExactlyAndLeavesTheGlobalRandomStateAlone()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(77);
        var expected = randn(4);
        torch.manual_seed(77);

        var first = Vae.Evaluate(Images);
        var second = Vae.Evaluate(Images);

        Assert.Equal(first.Total, second.Total);
        Assert.True(randn(4).equal(expected).all().item<bool>(), "evaluating moved libtorch's global generator");
    }

    [Fact]
    public void TheElboScoreAgreesWithTheEvaluatedLoss()
    {
        using var scope = NewDisposeScope();

        double score = Vae.AnomalyScore(Images).mean().item<double>();
        double loss = Vae.Evaluate(Images).Total;

        // The same negative ELBO (β = 1): the loss with one draw per example, the score with 16.
        Assert.True(Math.Abs(score - loss) < 0.01 * loss, $"the score {score} and the loss {loss} differ");
    }
}
