using System;
using System.Diagnostics;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Models;

/// <summary>Generated models trained on data: they learn, and they learn exactly what hand-written TorchSharp learns.</summary>
public sealed class EndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public void GeneratedVaeLowersItsTestLossByAClearMargin()
    {
        using var train = SyntheticShapes.Generate(2000, seed: 1);
        using var test = SyntheticShapes.Generate(500, seed: 2);
        using var vae = new SmallVae(seed: 3);

        var before = vae.Evaluate(test.Images);
        var history = vae.Fit(train.Images, new FitOptions { Epochs = 3, BatchSize = 64, Seed = 4 }, validation: test.Images);
        var after = vae.Evaluate(test.Images);

        output.WriteLine($"test loss before {before}; after {after}");
        Assert.Equal(3, history.Epochs.Count);
        Assert.True(after.Total < 0.6 * before.Total, $"test loss went from {before.Total} to {after.Total}");
        Assert.True(after.Kl > 0);
    }

    [Fact]
    public void GeneratedAndHandWrittenVaesGiveTheSameLossFromTheSameSeedAndData()
    {
        using var scope = NewDisposeScope();
        using var data = SyntheticShapes.Generate(256, seed: 5);
        using var generated = new SmallVae(seed: 6);
        using var handWritten = new HandWrittenSmallVae(seed: 6);
        var generatedOptimizer = optim.Adam(generated.parameters(), 1e-3);
        var handWrittenOptimizer = optim.Adam(handWritten.parameters(), 1e-3);

        for (int step = 0; step < 8; step++)
        {
            var batch = data.Images.narrow(0, step * 32, 32);
            torch.manual_seed(100 + step);
            var generatedLoss = generated.Loss(batch).Total;
            torch.manual_seed(100 + step);
            var handWrittenLoss = handWritten.Loss(batch);

            Assert.Equal(handWrittenLoss.item<float>(), generatedLoss.item<float>(), 2);

            foreach (var (optimizer, loss) in new[] { (generatedOptimizer, generatedLoss), (handWrittenOptimizer, handWrittenLoss) })
            {
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
        }
    }

    [Fact]
    public void DenoisingAutoencoderMoreThanHalvesTheError()
    {
        using var train = TestData.RealOrBuiltIn(training: true, count: 8000);
        using var test = TestData.RealOrBuiltIn(training: false, count: 500);
        using var denoiser = new DenoisingAe(seed: 13);
        static Tensor AddNoise(Tensor clean) => (clean + (0.3 * randn_like(clean))).clamp(0, 1);

        denoiser.Fit(train.Images, new FitOptions { Epochs = 5, BatchSize = 64, Seed = 14, Corrupt = AddNoise });

        using var scope = NewDisposeScope();
        torch.manual_seed(15);
        var noisy = AddNoise(test.Images);
        double noisyError = (noisy - test.Images).square().mean().item<float>();
        double denoisedError = (denoiser.Reconstruct(noisy) - test.Images).square().mean().item<float>();
        output.WriteLine($"mean squared error against the clean images: noisy {noisyError:F4}, denoised {denoisedError:F4}");
        Assert.True(denoisedError < 0.5 * noisyError, $"denoising took the error from {noisyError} only to {denoisedError}");
    }

    [Fact]
    public void ADeclaredDenoiserRaisesThePsnrOfHeldOutNoisyImages()
    {
        using var train = TestData.RealOrBuiltIn(training: true, count: 8000);
        using var test = TestData.RealOrBuiltIn(training: false, count: 500);
        using var denoiser = new DeclaredDenoiser(seed: 16);

        denoiser.Fit(train.Images, new FitOptions { Epochs = 4, BatchSize = 64, Seed = 17 });

        using var scope = NewDisposeScope();
        using var noise = new Generator(18);
        var noisy = (test.Images + (0.5 * randn(test.Images.shape, generator: noise))).clamp(0, 1);
        var quality = AutoencoderDsl.Evaluation.Quality.OfDenoising(noisy, denoiser.Denoise(noisy), test.Images);
        double noisyPsnr = quality.Noisy.Psnr, denoisedPsnr = quality.Denoised.Psnr;
        output.WriteLine($"PSNR against the clean images at σ = 0.5: noisy {noisyPsnr:F2} dB, denoised {denoisedPsnr:F2} dB");
        Assert.True(denoisedPsnr > noisyPsnr + 5, $"denoising took the PSNR from {noisyPsnr:F2} dB only to {denoisedPsnr:F2} dB");
    }

    [Fact]
    public void AConditionalVaesSamplesAreClassifiedAsTheClassAsked()
    {
        using var train = TestData.RealOrBuiltIn(training: true, count: 12000);
        using var test = TestData.RealOrBuiltIn(training: false, count: 2000);
        using var cvae = new SmallCvae(seed: 19);
        cvae.Fit(train.Images, train.Labels, new FitOptions { Epochs = 4, Seed = 20 });
        using var classifier = AutoencoderDsl.Evaluation.ReferenceClassifier.Train(train.Images, train.Labels, classes: 10, epochs: 3, seed: 21);

        using var scope = NewDisposeScope();
        var asked = arange(10, dtype: ScalarType.Int64).repeat_interleave(50);
        var agreement = classifier.Assess(cvae.Sample(asked, new Generator(22)), asked);
        double realAccuracy = classifier.Accuracy(test.Images, test.Labels);

        output.WriteLine($"reference classifier on real test images: {realAccuracy:P1}; samples classified as the class asked: {agreement.Accuracy:P1} (chance 10 %); per class: {string.Join(" ", agreement.PerClassAccuracy.Select(share => share.ToString("P0", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.True(realAccuracy > 0.75, $"the reference classifier reaches only {realAccuracy:P1} on real images");
        Assert.True(agreement.Accuracy > 0.5, $"only {agreement.Accuracy:P1} of the samples were classified as the class asked");
    }

    [Fact]
    public void TrainsOnFashionMnistOrTheBuiltInDataSet()
    {
        bool real = FashionMnist.IsAvailable();
        using var trainSubset = TestData.RealOrBuiltIn(training: true, count: 12000);
        using var testSubset = TestData.RealOrBuiltIn(training: false, count: 2000);
        using var vae = new FashionVae(seed: 9);

        var before = vae.Evaluate(testSubset.Images);
        var stopwatch = Stopwatch.StartNew();
        vae.Fit(trainSubset.Images, new FitOptions { Epochs = 2, BatchSize = 128, Seed = 10 });
        var after = vae.Evaluate(testSubset.Images);

        output.WriteLine($"{(real ? "Fashion-MNIST" : "synthetic shapes")}: {trainSubset.Count} examples, 2 epochs in {stopwatch.Elapsed.TotalSeconds:F1} s; test loss {before.Total:F1} -> {after}");
        Assert.True(after.Total < 0.75 * before.Total, $"test loss went from {before.Total} to {after.Total}");
        if (real)
        {
            // A 2-D VAE on 12,000 Fashion-MNIST images reaches about 290 nats in two epochs; untrained it is about 545.
            Assert.InRange(after.Total, 200, 320);
        }
    }
}
