using System;
using AutoencoderDsl.Data;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Tests.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Evaluation;

/// <summary>The mixture sampler a VAE fits on its codes, and what a model file carries beside the parameters.</summary>
[Collection(TrainedVaeCollection.Name)]
public sealed class SamplerTests(TrainedVae trained)
{
    [Fact]
    public void AFittedSamplerDrawsCodesWhereTheDataIs()
    {
        using var scope = NewDisposeScope();
        var vae = trained.Model;
        var fromPrior = vae.Sample(8, new Generator(2));
        try
        {
            var sampler = vae.FitSampler(trained.Train.Images, components: 5);

            var codes = vae.Embed(trained.Test.Images);
            var prior = randn(codes.shape[0], SmallVae.LatentDim, generator: new Generator(1));
            Assert.Same(sampler, vae.Sampler);
            Assert.True(
                sampler.LogDensity(codes).mean().item<double>() > sampler.LogDensity(prior).mean().item<double>(),
                "held-out codes are no likelier under the mixture than prior draws");
            Assert.False(vae.Sample(8, new Generator(2)).equal(fromPrior).all().item<bool>(), "Sample still draws from the prior");
        }
        finally
        {
            vae.Sampler = null;
        }

        Assert.True(vae.Sample(8, new Generator(2)).equal(fromPrior).all().item<bool>(), "a null sampler does not restore the prior");
    }

    [Fact]
    public void SaveAndLoadKeepTheThresholdTheStandardizerAndTheSampler()
    {
        using var folder = new TemporaryFolder();
        using var scope = NewDisposeScope();
        var vae = trained.Model;
        var images = trained.Test.Images;
        try
        {
            vae.FitSampler(trained.Train.Images, components: 3);
            var threshold = vae.CalibrateThreshold(images, falsePositiveRate: 0.05);
            vae.Standardizer = Standardizer.Fit(randn(20, 3));
            vae.Save(folder.File("vae.safetensors"));

            using var loaded = SmallVae.Load(folder.File("vae.safetensors"));

            Assert.Equal(threshold, loaded.AnomalyThreshold);
            Assert.True(loaded.IsAnomaly(images).equal(vae.IsAnomaly(images)).all().item<bool>());
            Assert.True(loaded.Standardizer!.Mean.equal(vae.Standardizer.Mean).all().item<bool>());
            Assert.True(loaded.Standardizer.Scale.equal(vae.Standardizer.Scale).all().item<bool>());
            Assert.True(loaded.Sample(16, new Generator(3)).equal(vae.Sample(16, new Generator(3))).all().item<bool>(), "the loaded model samples differently");
        }
        finally
        {
            vae.Sampler = null;
            vae.Standardizer = null;
            vae.AnomalyThreshold = null;
        }
    }

    [Fact]
    public void AModelSavedWithoutExtrasLoadsWithoutThem()
    {
        using var folder = new TemporaryFolder();
        trained.Model.Save(folder.File("plain.safetensors"));

        using var loaded = SmallVae.Load(folder.File("plain.safetensors"));

        Assert.Null(loaded.AnomalyThreshold);
        Assert.Null(loaded.Standardizer);
        Assert.Null(loaded.Sampler);
    }

    [Fact]
    public void ASamplerOfAnotherCodeSizeIsRefused()
    {
        using var points = randn(20, 3);
        using var other = AutoencoderDsl.Evaluation.GaussianMixture.Fit(points, components: 1);

        var error = Assert.Throws<ArgumentException>(() => { trained.Model.Sampler = other; });

        Assert.Contains("3-dimensional codes but this model's codes have 4", error.Message);
    }
}
