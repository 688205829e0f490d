using System;
using System.IO;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.Parts;
using AutoencoderDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Models;

/// <summary>A VQ-VAE on a feature map: a 7 × 7 grid of codes, 32 codes of width 8.</summary>
[VectorQuantized(LatentDim = 8, Codes = 32)]
[Input(1, 28, 28)]
public partial class GridVq
{
    [Conv2d(16, Kernel = 4, Stride = 2, Padding = 1), ReLU,
     Conv2d(32, Kernel = 4, Stride = 2, Padding = 1), ReLU]
    public partial Sequential Encoder { get; }

    [ConvTranspose2d(16, Kernel = 4, Stride = 2, Padding = 1), ReLU,
     ConvTranspose2d(1, Kernel = 4, Stride = 2, Padding = 1), Sigmoid]
    public partial Sequential Decoder { get; }
}

/// <summary>A VQ-VAE on a vector: one code of 64 per example, without dead-code restarts.</summary>
[VectorQuantized(LatentDim = 4, Codes = 64, RestartDeadCodes = false)]
[Input(1, 28, 28)]
public partial class VectorVq
{
    [Flatten, Dense(64), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(64), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}

/// <summary>
/// The vector-quantized latent through a generated model: code indices in and out, the codebook and commitment terms
/// and the codebook's usage in the history, dead codes restarted, a prior to sample from that is saved with the model.
/// </summary>
public sealed class VectorQuantizedTests(ITestOutputHelper output)
{
    private static readonly FitOptions Quick = new() { Epochs = 10, BatchSize = 50, LearningRate = 2e-3, Seed = 3 };

    [Fact]
    public void AGridOfCodesTrainsEncodesAsIndicesAndDecodesThem()
    {
        using var train = SyntheticShapes.Generate(600, seed: 1);
        using var test = SyntheticShapes.Generate(200, seed: 2);
        using var model = new GridVq(seed: 4);
        var history = model.Fit(train.Images, Quick);

        foreach (var epoch in history.Epochs)
        {
            output.WriteLine($"epoch {epoch.Epoch}: {string.Join(", ", epoch.Train.Terms.Select(term => $"{term.Key} {term.Value:F3}"))}; perplexity {epoch.Codebook!.Perplexity:F2}, {epoch.Codebook.CodesUsed} used, {epoch.Codebook.Restarted} restarted");
            Assert.Equal(["total", "reconstruction", "codebook", "commitment"], epoch.Train.Terms.Keys);
            Assert.Equal(0.25, epoch.LossWeights["commitment"]);
            Assert.InRange(epoch.Codebook.Perplexity, 1.0, GridVq.Codes);
            Assert.Equal(GridVq.Codes - epoch.Codebook.CodesUsed, epoch.Codebook.Restarted);
        }

        // The codebook is in use: more than a handful of codes carry the 49 positions of each image.
        Assert.True(history.Epochs[^1].Codebook!.Perplexity > 4, $"perplexity {history.Epochs[^1].Codebook!.Perplexity}");

        using var indices = model.Encode(test.Images);
        Assert.Equal(ScalarType.Int64, indices.dtype);
        Assert.Equal([200L, 7, 7], indices.shape);
        Assert.InRange(indices.min().item<long>(), 0, GridVq.Codes - 1);
        Assert.InRange(indices.max().item<long>(), 0, GridVq.Codes - 1);

        using var decoded = model.Decode(indices);
        using var reconstructed = model.Reconstruct(test.Images);
        Assert.True(decoded.allclose(reconstructed), "Decode(Encode(x)) is Reconstruct(x)");

        // Better than the best constant image, by a wide margin: the grid of codes carries the shapes.
        using var meanImage = train.Images.mean([0], keepdim: true);
        double error = (reconstructed - test.Images).square().mean().item<float>();
        double baseline = (meanImage - test.Images).square().mean().item<float>();
        output.WriteLine($"test MSE {error:F4} against {baseline:F4} for the mean image");
        Assert.True(error < 0.5 * baseline, $"MSE {error} is not below half the mean image's {baseline}");

        using var embedded = model.Embed(test.Images.narrow(0, 0, 5));
        Assert.Equal([5L, 8 * 7 * 7], embedded.shape);
        using var path = model.Interpolate(test.Images[0], test.Images[1], 4);
        Assert.Equal([4L, 1, 28, 28], path.shape);
    }

    [Fact]
    public void APriorFittedOnTheTrainingCodesSamplesAndIsSavedWithTheModel()
    {
        using var train = SyntheticShapes.Generate(300, seed: 5);
        using var model = new GridVq(seed: 6);
        model.Fit(train.Images, Quick with { Epochs = 1 });

        var refused = Assert.Throws<InvalidOperationException>(() => model.Sample(4));
        Assert.Contains("FitPrior", refused.Message);

        var prior = model.FitPrior(train.Images, batchSize: 128);
        Assert.Equal(300, prior.Examples);
        Assert.Equal([7L, 7], prior.Grid);
        using var generator = new Generator(7);
        using var samples = model.Sample(6, generator);
        Assert.Equal([6L, 1, 28, 28], samples.shape);
        Assert.True(samples.min().item<float>() >= 0 && samples.max().item<float>() <= 1);

        var path = Path.Combine(Path.GetTempPath(), $"vq-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.Save(path);
            using var loaded = GridVq.Load(path);
            Assert.NotNull(loaded.Prior);
            using var counts = prior.Tensors[CodePrior.CountsName];
            using var loadedCounts = loaded.Prior!.Tensors[CodePrior.CountsName];
            Assert.True(counts.equal(loadedCounts).all().item<bool>());
            Assert.True(model.Quantizer.Codebook.equal(loaded.Quantizer.Codebook).all().item<bool>());
            using var again = new Generator(7);
            using var loadedSamples = loaded.Sample(6, again);
            Assert.True(samples.equal(loadedSamples).all().item<bool>(), "the same draws decode to the same samples after loading");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AVectorCodeIsOneIndexPerExampleAndWithoutRestartsDeadCodesStay()
    {
        using var train = SyntheticShapes.Generate(300, seed: 8);
        using var model = new VectorVq(seed: 9);
        var history = model.Fit(train.Images, Quick with { Epochs = 2 });
        Assert.All(history.Epochs, epoch => Assert.Equal(0, epoch.Codebook!.Restarted));
        Assert.All(history.Epochs, epoch => Assert.InRange(epoch.Codebook!.CodesUsed, 1, VectorVq.Codes));

        using var indices = model.Encode(train.Images.narrow(0, 0, 10));
        Assert.Equal([10L], indices.shape);
        using var loss = model.Loss(train.Images.narrow(0, 0, 10));
        using var sum = loss.Reconstruction + loss.Codebook + (VectorVq.Commitment * loss.Commitment);
        Assert.True(loss.Total.allclose(sum), "the total is reconstruction + codebook + β · commitment");
    }

    [Fact]
    public void DecodeTakesCodeIndicesAndSaysSoWhenGivenCodes()
    {
        using var model = new GridVq(seed: 10);
        using var codes = zeros(2, 8, 7, 7);
        var wrong = Assert.Throws<ArgumentException>(() => model.Decode(codes));
        Assert.Contains("Int64 [N, 7, 7]", wrong.Message);
        Assert.Contains("Float32 [2, 8, 7, 7]", wrong.Message);
        using var outOfRange = full([1, 7, 7], GridVq.Codes, dtype: ScalarType.Int64);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Decode(outOfRange));
    }

    [Fact]
    public void TwoRunsWithOneSeedGiveTheSameHistoryAndCodebook()
    {
        using var train = SyntheticShapes.Generate(200, seed: 11);
        using var first = new GridVq(seed: 12);
        using var second = new GridVq(seed: 12);
        var a = first.Fit(train.Images, Quick with { Epochs = 2 });
        var b = second.Fit(train.Images, Quick with { Epochs = 2 });
        Assert.Equal(a.Epochs.Select(epoch => epoch.Train.Total), b.Epochs.Select(epoch => epoch.Train.Total));
        Assert.Equal(a.Epochs.Select(epoch => epoch.Codebook), b.Epochs.Select(epoch => epoch.Codebook));
        Assert.True(first.Quantizer.Codebook.equal(second.Quantizer.Codebook).all().item<bool>());
    }

    [Fact]
    public void AResumedOrContinuedRunRepeatsAStraightOneWithItsRestartsAndUsage()
    {
        using var train = SyntheticShapes.Generate(200, seed: 13);
        var folder = Directory.CreateTempSubdirectory("vq-resume-").FullName;
        try
        {
            var options = Quick with { Epochs = 2, CheckpointPath = Path.Combine(folder, "run.ckpt") };
            using var straight = new GridVq(seed: 14);
            var expected = straight.Fit(train.Images, options with { Epochs = 3, CheckpointPath = Path.Combine(folder, "straight.ckpt") });

            using var first = new GridVq(seed: 14);
            first.Fit(train.Images, options);
            using var resumed = new GridVq(seed: 14);
            var history = resumed.Fit(train.Images, options with { Epochs = 3 });
            Assert.Equal(2, history.ResumedEpochs);

            using var continued = new GridVq(seed: 14);
            continued.Fit(train.Images, Quick with { Epochs = 2 });
            var more = continued.Fit(train.Images, Quick with { Epochs = 1 });

            foreach (var run in new[] { history, more })
            {
                Assert.Equal(expected.Epochs.Select(epoch => epoch.Train.Terms), run.Epochs.Select(epoch => epoch.Train.Terms));
                Assert.Equal(expected.Epochs.Select(epoch => epoch.Codebook), run.Epochs.Select(epoch => epoch.Codebook));
            }

            foreach (var model in new GridVq[] { resumed, continued })
            {
                var state = model.state_dict();
                foreach (var (name, value) in straight.state_dict())
                {
                    Assert.True(value.equal(state[name]).all().item<bool>(), $"{name} differs from the straight run's");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
