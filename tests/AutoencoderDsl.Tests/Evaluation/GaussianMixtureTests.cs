using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Evaluation;

/// <summary>The mixture sampler's EM: it never lowers the likelihood, and it finds clusters that are there.</summary>
public sealed class GaussianMixtureTests
{
    /// <summary>Two round clusters in the plane, 300 points around (−4, 0) and 100 around (4, 2), σ = 0.5.</summary>
    private static Tensor TwoClusters()
    {
        using var generator = new Generator(3);
        using var scope = NewDisposeScope();
        var left = (randn([300, 2], generator: generator) * 0.5) + tensor(new float[] { -4, 0 });
        var right = (randn([100, 2], generator: generator) * 0.5) + tensor(new float[] { 4, 2 });
        return cat([left, right]).MoveToOuterDisposeScope();
    }

    [Fact]
    public void EveryEmStepRaisesTheLogLikelihood()
    {
        using var points = TwoClusters();
        var history = new List<double>();

        using var mixture = GaussianMixture.Fit(points, components: 3, iterations: 50, tolerance: 0, logLikelihoods: history);

        Assert.True(history.Count > 5, $"EM stopped after {history.Count} steps");
        for (int step = 1; step < history.Count; step++)
        {
            Assert.True(history[step] >= history[step - 1] - 1e-9, $"step {step} lowered the mean log-likelihood from {history[step - 1]} to {history[step]}");
        }
    }

    [Fact]
    public void TwoComponentsFindTheTwoClustersAndTheirShares()
    {
        using var points = TwoClusters();

        using var mixture = GaussianMixture.Fit(points, components: 2, seed: 1);

        var order = mixture.Means[.., 0].argsort();
        var means = mixture.Means.index_select(0, order).data<double>().ToArray();
        var weights = mixture.Weights.index_select(0, order).data<double>().ToArray();
        Assert.Equal([-4, 0, 4, 2], means, (a, b) => Math.Abs(a - b) < 0.15);
        Assert.Equal([0.75, 0.25], weights, (a, b) => Math.Abs(a - b) < 0.01);
        var spread = mixture.Covariances.index_select(0, order).diagonal(dim1: 1, dim2: 2).data<double>().ToArray();
        Assert.All(spread, variance => Assert.InRange(variance, 0.18, 0.33));
    }

    [Fact]
    public void OneComponentIsTheGaussianOfTheDataInClosedForm()
    {
        using var points = TwoClusters();
        using var mixture = GaussianMixture.Fit(points, components: 1);
        using var origin = zeros(1, 2);

        var mean = points.to(ScalarType.Float64).mean([0]);
        var centred = points.to(ScalarType.Float64) - mean;
        var covariance = centred.T.matmul(centred) / points.shape[0];
        var deviation = -mean;
        double expected = (-0.5 * deviation.matmul(linalg.inv(covariance)).dot(deviation).item<double>())
            - (0.5 * linalg.slogdet(covariance).Item2.item<double>()) - Math.Log(2 * Math.PI);

        Assert.Equal(expected, mixture.LogDensity(origin).item<double>(), 4);
    }

    [Fact]
    public void SamplesFollowTheMixtureAndRepeatWithTheSeed()
    {
        using var points = TwoClusters();
        using var mixture = GaussianMixture.Fit(points, components: 2, seed: 1);

        using var first = mixture.Sample(4000, new Generator(5));
        using var again = mixture.Sample(4000, new Generator(5));

        Assert.True(first.equal(again).all().item<bool>());
        Assert.Equal([4000L, 2], first.shape);
        double rightShare = (first[.., 0] > 0).to(ScalarType.Float64).mean().item<double>();
        Assert.InRange(rightShare, 0.22, 0.28);
    }

    [Fact]
    public void FewerPointsThanComponentsAreRefused()
    {
        using var points = zeros(2, 3);

        var error = Assert.Throws<ArgumentException>(() => GaussianMixture.Fit(points, components: 3));

        Assert.Contains("N ≥ 3", error.Message);
    }
}
