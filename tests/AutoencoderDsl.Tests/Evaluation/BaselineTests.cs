using System;
using AutoencoderDsl.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Evaluation;

/// <summary>PCA, k-nearest neighbours and PSNR, the baselines and figures the model's numbers are compared with.</summary>
public sealed class BaselineTests
{
    [Fact]
    public void PcaRebuildsDataThatLiesInAPlaneExactly()
    {
        using var generator = new Generator(4);
        using var scope = NewDisposeScope();
        var coordinates = randn([200, 2], generator: generator) * tensor(new float[] { 3, 1 });
        var basis = linalg.qr(randn([5, 5], generator: generator)).Q[.., ..2].T;
        var data = coordinates.matmul(basis) + 7;

        using var pca = Pca.Fit(data, dimensions: 2);

        Assert.True(pca.ReconstructionError(data).max().item<float>() < 1e-6);
        var variances = pca.ExplainedVariance.data<float>().ToArray();
        Assert.True(variances[0] > variances[1], "the components come by decreasing variance");
        Assert.Equal(9.0, variances[0], 0.25 * 9);
        using var line = Pca.Fit(data, dimensions: 1);
        Assert.True(line.ReconstructionError(data).mean().item<float>() > 0.5, "one component cannot hold a plane");
        Assert.Throws<ArgumentOutOfRangeException>(() => Pca.Fit(data, dimensions: 6));
    }

    [Fact]
    public void NearestNeighboursVoteAsWorkedOutByHand()
    {
        using var points = tensor(new float[] { 0, 1, 2, 10, 11, 12 }).unsqueeze(1);
        using var labels = tensor(new long[] { 0, 0, 1, 1, 1, 1 });
        using var queries = tensor(new float[] { 0.4f, 1.6f, 10.5f }).unsqueeze(1);

        // k = 3: 0.4 sees 0, 1, 2 (0, 0, 1) → 0; 1.6 sees 2, 1, 0 → 0; 10.5 sees 10, 11, 12 → 1.
        using var truth = tensor(new long[] { 0, 1, 1 });
        Assert.Equal(2.0 / 3, NearestNeighbours.Accuracy(points, labels, queries, truth, neighbours: 3), 12);
        // k = 1: 1.6 sees 2 alone → 1.
        Assert.Equal(1.0, NearestNeighbours.Accuracy(points, labels, queries, truth, neighbours: 1), 12);
    }

    [Fact]
    public void PsnrIsTenLogOfPeakSquaredOverTheMeanSquaredError()
    {
        using var reference = zeros(2, 4);
        using var signal = full([2, 4], 0.1f);
        using var noisy = full([2, 4], 0.2f);

        var quality = Quality.Of(signal, reference);
        var denoising = Quality.OfDenoising(noisy, signal, reference);

        Assert.Equal(0.01, quality.MeanSquaredError, 6);
        Assert.Equal(20.0, quality.Psnr, 4);
        Assert.Equal(20.0 * Math.Log10(2), denoising.PsnrGain, 4);
        Assert.Equal(20.0 + (20 * Math.Log10(2)), Quality.Of(signal, reference, peak: 2).Psnr, 4);
        Assert.Throws<ArgumentException>(() => Quality.Of(signal, zeros(8)));
    }
}
