using System;
using System.Linq;
using AutoencoderDsl.Tests.Training;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Models;

/// <summary>What each declared part does to a generated model's API, loss and training.</summary>
public sealed class PartTests
{
    [Fact]
    public void AConditionalModelTakesLabelsEverywhereAndSamplesTheClassAsked()
    {
        using var scope = NewDisposeScope();
        using var cvae = new SmallCvae(seed: 1);
        var x = rand(6, 1, 28, 28);
        var labels = tensor(new long[] { 0, 1, 2, 3, 4, 9 });

        Assert.Equal(10, SmallCvae.Classes);
        Assert.Equal([6L, 2], cvae.Encode(x, labels).Mean.shape);
        Assert.Equal([6L, 2], cvae.Embed(x, labels).shape);
        Assert.Equal([6L, 1, 28, 28], cvae.Reconstruct(x, labels).shape);
        Assert.Equal([6L, 1, 28, 28], cvae.Decode(randn(6, 2), labels).shape);
        Assert.Equal([5L, 1, 28, 28], cvae.Sample(5, label: 3).shape);
        Assert.Equal([6L, 1, 28, 28], cvae.Sample(labels).shape);
        Assert.Equal([4L, 1, 28, 28], cvae.Interpolate(x[0], x[1], 4, label: 2).shape);
        Assert.Equal(["total", "reconstruction", "kl"], cvae.Loss(x, labels).Terms.Select(term => term.Key));

        var fromGenerator = new Generator(5);
        var again = new Generator(5);
        Assert.True(cvae.Sample(3, 7, fromGenerator).allclose(cvae.Sample(3, 7, again), 0, 0));
    }

    [Fact]
    public void TheLabelChangesWhatIsDecoded()
    {
        using var scope = NewDisposeScope();
        using var cvae = new SmallCvae(seed: 2);
        var z = randn(1, 2);

        Assert.False(cvae.Decode(z, tensor(new long[] { 0 })).allclose(cvae.Decode(z, tensor(new long[] { 1 }))));
    }

    [Theory]
    [InlineData(new long[] { 0, 1, 10 }, "labels[2] is 10")]
    [InlineData(new long[] { -1, 1, 2 }, "labels[0] is -1")]
    [InlineData(new long[] { 0, 1 }, "shape [3] but got Int64 [2]")]
    public void BadLabelsAreNamedBeforeAnyWork(long[] values, string expected)
    {
        using var scope = NewDisposeScope();
        using var cvae = new SmallCvae(seed: 3);

        var error = Assert.Throws<ArgumentException>(() => cvae.Reconstruct(rand(3, 1, 28, 28), tensor(values)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal("labels", error.ParamName);
    }

    [Fact]
    public void LabelsOfAnotherTypeOrAnOutOfRangeLabelAreRefused()
    {
        using var scope = NewDisposeScope();
        using var cvae = new SmallCvae(seed: 4);

        var floats = Assert.Throws<ArgumentException>(() => cvae.Embed(rand(2, 1, 28, 28), tensor(new float[] { 0, 1 })));
        Assert.Contains("convert them with .to(torch.int64)", floats.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => cvae.Sample(2, label: 10));
        Assert.Throws<ArgumentNullException>(() => cvae.Fit(rand(4, 1, 28, 28), trainLabels: null!));
        var fitLabels = Assert.Throws<ArgumentException>(() => cvae.Fit(rand(4, 1, 28, 28), tensor(new long[] { 0, 1, 2, 11 })));
        Assert.Equal("trainLabels", fitLabels.ParamName);
    }

    [Fact]
    public void AConditionalModelTrainsOnLabelledData()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyConditionalAe(seed: 5);
        var data = TinyData.Create(256, seed: 6);
        var labels = (data[.., 0] > 0).to(ScalarType.Int64) + (data[.., 1] > 0).to(ScalarType.Int64);

        var before = model.Evaluate(data, labels);
        var history = model.Fit(data, labels, TinyData.Options(epochs: 10), validation: data, validationLabels: labels);

        Assert.True(history.Last.Validation!.Total < 0.5 * before.Total, $"{before.Total} -> {history.Last.Validation.Total}");
    }

    [Fact]
    public void ADeclaredDenoiserCorruptsOnlyWhileTrainingAndAgainstTheCleanInput()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyMaskingAe(seed: 7);
        var data = TinyData.Create(64, seed: 8);

        model.eval();
        double evaluationLoss = model.Loss(data).Total.item<float>();
        Assert.Equal(evaluationLoss, model.Loss(data).Total.item<float>());
        model.train();
        double trainingLoss = model.Loss(data).Total.item<float>();

        Assert.NotEqual(evaluationLoss, trainingLoss);
        Assert.True(model.Denoise(data).allclose(model.Reconstruct(data), 0, 0));
        Assert.True(model.training);
    }

    [Fact]
    public void TheSparsityTargetBoundsTheCodeAndIsItsOwnTermInTheHistory()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyTargetSparseAe(seed: 9);
        var data = TinyData.Create(128, seed: 10);

        var history = model.Fit(data, TinyData.Options(epochs: 6));
        var code = model.Embed(data);

        Assert.True(code.min().item<float>() > 0 && code.max().item<float>() < 1);
        Assert.All(history.Epochs, epoch => Assert.True(epoch.Train.Sparsity > 0));
        Assert.Equal(2.0, history.Last.LossWeights["sparsity"]);
        Assert.True(history.Last.Train.Sparsity < history.Epochs[0].Train.Sparsity, "training lowered the sparsity penalty");
        double total = history.Last.Train.Reconstruction + (2 * history.Last.Train.Sparsity!.Value);
        Assert.Equal(total, history.Last.Train.Total, 3);
    }

    [Fact]
    public void AnL1PenaltyShrinksTheCode()
    {
        using var scope = NewDisposeScope();
        using var sparse = new TinyL1SparseAe(seed: 11);
        using var dense = new TinyDenseCodeAe(seed: 11);
        var data = TinyData.Create(256, seed: 12);

        var history = sparse.Fit(data, TinyData.Options(epochs: 10));
        dense.Fit(data, TinyData.Options(epochs: 10));
        double sparseNorm = sparse.Embed(data).abs().sum(1).mean().item<float>();
        double denseNorm = dense.Embed(data).abs().sum(1).mean().item<float>();

        Assert.Equal(["total", "reconstruction", "sparsity"], history.Last.Train.Terms.Keys);
        Assert.True(sparseNorm < 0.7 * denseNorm, $"the L1 norm of the code is {sparseNorm} with the penalty and {denseNorm} without");
    }

    [Fact]
    public void TheWarmupIsRecordedAsEachEpochsBeta()
    {
        using var scope = NewDisposeScope();
        using var vae = new TinyWarmupVae(seed: 13);
        var data = TinyData.Create(64, seed: 14);

        var history = vae.Fit(data, TinyData.Options(epochs: 6), validation: data);

        Assert.Equal([0.0, 0.5, 1.0, 1.5, 2.0, 2.0], history.Epochs.Select(epoch => epoch.Beta!.Value));
        Assert.Equal(history.Epochs[0].Train.Reconstruction, history.Epochs[0].Train.Total, 4);
        var validation = history.Epochs[0].Validation!;
        Assert.Equal(validation.Reconstruction + (2 * validation.Kl!.Value), validation.Total, 3);
    }

    [Fact]
    public void ALearnedScaleIsAParameterThatSettlesNearTheReconstructionError()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyLearnedScaleAe(seed: 15);
        var data = TinyData.Create(256, seed: 16);

        Assert.Contains("log_scale", model.state_dict().Keys);
        model.Fit(data, TinyData.Options(epochs: 30));

        var sigma = Math.Exp(model.state_dict()["log_scale"].item<float>());
        var rootMeanSquare = Math.Sqrt((model.Reconstruct(data) - data).square().mean().item<float>());
        Assert.InRange(sigma / rootMeanSquare, 0.8, 1.25);
    }

    [Fact]
    public void AFixedSigmaGivesTheFullNegativeLogLikelihood()
    {
        using var scope = NewDisposeScope();
        using var model = new TinyFixedSigmaAe(seed: 17);
        var data = TinyData.Create(32, seed: 18);
        model.eval();

        var squaredError = (model.Reconstruct(data) - data).square().sum(1).mean().item<float>();
        var expected = (squaredError / (2 * 0.25)) + (TinyData.Width * (Math.Log(0.5) + (0.5 * Math.Log(2 * Math.PI))));

        Assert.Equal(expected, model.Loss(data).Reconstruction.item<float>(), 3);
    }
}
