using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AutoencoderDsl;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.PyTorch;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Models;

/// <summary>The neighbourhood part trained end to end: what it does to a map, and how it sits in the trainer.</summary>
public sealed class NeighbourhoodTests(ITestOutputHelper output)
{
    private static readonly FitOptions Quick = new() { Epochs = 2, BatchSize = 64, LearningRate = 3e-3, Seed = 5 };

    /// <summary>
    /// Measured here, trustworthiness(10) of the held-out map against the plain autoencoder's 0.9696: UMAP's loss 0.9828,
    /// the contrastive loss 0.9826, each cutting the shortfall from 1 about in half for 5 % more reconstruction loss.
    /// </summary>
    [Theory]
    [InlineData(NeighbourhoodLoss.Umap)]
    [InlineData(NeighbourhoodLoss.Contrastive)]
    public void OnClusteredDataTheMapKeepsNeighbourhoodsBetterThanThePlainAutoencoder(NeighbourhoodLoss loss)
    {
        using var scope = NewDisposeScope();
        var (train, test) = (Clusters.Create(1200, seed: 1), Clusters.Create(300, seed: 2));
        var options = Quick with { Epochs = 20 };
        using var plain = new ClusterPlainAe(seed: 3);
        using AutoencoderModel mapped = loss == NeighbourhoodLoss.Contrastive ? new ClusterContrastiveAe(seed: 3) : new ClusterMapAe(seed: 3);
        plain.Fit(train, options);
        var history = Trainer.Fit((ITrainableAutoencoder)mapped, new TrainingData(train), options, validation: null, progress: null, default);

        double plainTrust = NearestNeighbours.Trustworthiness(test, plain.Embed(test), neighbours: 10);
        double mappedTrust = NearestNeighbours.Trustworthiness(test, mapped.Embed(test), neighbours: 10);
        double plainError = plain.Evaluate(test).Reconstruction, mappedError = mapped.Evaluate(test).Reconstruction;
        var term = history.Epochs.Select(epoch => epoch.Train.Terms[AutoencoderDsl.Parts.NeighbourhoodTerm.TermName]).ToList();
        output.WriteLine($"trustworthiness(10) of the held-out map: plain {plainTrust:F4}, with {loss} {mappedTrust:F4}");
        output.WriteLine($"held-out reconstruction (nats): plain {plainError:F3}, with {loss} {mappedError:F3}");
        output.WriteLine($"neighbourhood term per epoch: {string.Join(", ", term.Select(value => value.ToString("F3")))}");

        Assert.True(1 - mappedTrust < 0.7 * (1 - plainTrust), $"the part should cut the shortfall of trustworthiness clearly: {mappedTrust:F4} against {plainTrust:F4}");
        Assert.True(mappedError < 1.15 * plainError, $"the map should still decode: {mappedError:F3} nats against {plainError:F3}");
        Assert.True(term[^1] < term[0], "the neighbourhood term should fall as the map trains");
    }

    [Fact]
    public void AVariationalMapTrainsItsPosteriorMeansWithEveryTermInTheHistory()
    {
        var train = Clusters.Create(400, seed: 4);
        using var model = new ClusterMapVae(seed: 6);
        var history = model.Fit(train, Quick, validation: Clusters.Create(100, seed: 7));
        Assert.Equal(["reconstruction", "kl", "neighbourhood"], history.Last.Train.Terms.Keys.Where(name => name != LossMetrics.TotalName));
        Assert.Contains("neighbourhood", history.Last.Validation!.Terms.Keys);
        Assert.All(history.Epochs, epoch => Assert.True(double.IsFinite(epoch.Train.Total)));
    }

    [Fact]
    public void AResumedContinuedOrDataSetRunRepeatsAStraightOne()
    {
        var train = Clusters.Create(300, seed: 8);
        var folder = Directory.CreateTempSubdirectory("neighbourhood-resume-").FullName;
        try
        {
            using var straight = new ClusterMapAe(seed: 9);
            var expected = straight.Fit(train, Quick with { Epochs = 3 });

            using var first = new ClusterMapAe(seed: 9);
            first.Fit(train, Quick with { CheckpointPath = Path.Combine(folder, "run.ckpt") });
            using var resumed = new ClusterMapAe(seed: 9);
            var history = resumed.Fit(train, Quick with { Epochs = 3, CheckpointPath = Path.Combine(folder, "run.ckpt") });
            Assert.Equal(2, history.ResumedEpochs);

            using var continued = new ClusterMapAe(seed: 9);
            continued.Fit(train, Quick);
            var more = continued.Fit(train, Quick with { Epochs = 1 });

            // A data set is read whole into memory for the graph, and gives the same batches: the same run.
            using var fromDataSet = new ClusterMapAe(seed: 9);
            using var list = new ExampleList(train, labels: null);
            var streamed = fromDataSet.Fit(list, Quick with { Epochs = 3 });

            foreach (var run in new[] { history, more, streamed })
            {
                Assert.Equal(expected.Epochs.Select(epoch => epoch.Train.Terms), run.Epochs.Select(epoch => epoch.Train.Terms));
            }

            foreach (var model in new ClusterMapAe[] { resumed, continued, fromDataSet })
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

    [Fact]
    public void TheGraphIsBuiltOncePerTrainingSetAndAgainAfterAReset()
    {
        var train = Clusters.Create(200, seed: 10);
        var events = new EventLog();
        using var model = new ClusterMapAe(seed: 11);
        var options = Quick with { Epochs = 1, Logger = events };

        model.Fit(train, options);
        model.Fit(train, options);
        Assert.Equal(1, events.Count(TrainingEvents.NeighbourhoodBuilt));

        model.Fit(Clusters.Create(200, seed: 12), options);
        Assert.Equal(2, events.Count(TrainingEvents.NeighbourhoodBuilt));

        model.ResetTraining();
        model.Fit(train, options);
        Assert.Equal(3, events.Count(TrainingEvents.NeighbourhoodBuilt));
    }

    [Fact]
    public void EvaluationScoresTheTermWithinEachBatchTheSameWayEveryTime()
    {
        var data = Clusters.Create(150, seed: 13);
        using var model = new ClusterMapAe(seed: 14);
        var first = model.Evaluate(data, batchSize: 50);
        var second = model.Evaluate(data, batchSize: 50);
        Assert.True(first.Terms["neighbourhood"] > 0);
        Assert.Equal(first.Terms, second.Terms);
    }

    [Fact]
    public void TooFewExamplesForTheGraphAreRefusedBeforeAnyWork()
    {
        using var model = new ClusterMapAe(seed: 15);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(Clusters.Create(ClusterMapAe.Neighbours, seed: 16), Quick));
        Assert.Contains($"its {ClusterMapAe.Neighbours} nearest others, but there are only {ClusterMapAe.Neighbours} examples to train on", error.Message);
        Assert.Equal("train", error.ParamName);
    }

    [Fact]
    public void ABatchOfOneIsRefusedForTheContrastiveLossBeforeAnyWork()
    {
        using var model = new ClusterContrastiveAe(seed: 15);
        using var probe = Clusters.Create(20, seed: 16);
        using var before = model.Embed(probe);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(Clusters.Create(100, seed: 16), Quick with { BatchSize = 1 }));
        Assert.Contains("a batch of 1 leaves it nothing to tell apart", error.Message);
        Assert.Equal("options", error.ParamName);
        using var after = model.Embed(probe);
        Assert.True(before.eq(after).all().item<bool>());
    }

    [Fact]
    public void ThePyTorchTwinRefusesTheTermAndWritesNothingWhileTheWeightsStillLoadInPyTorch()
    {
        using var model = new ClusterMapAe(seed: 17);
        var folder = Path.Combine(Path.GetTempPath(), "neighbourhood-twin-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<NotSupportedException>(() => model.ExportPyTorch(folder));
        Assert.Contains("The PyTorch twin has no neighbourhood term", error.Message);
        Assert.False(Directory.Exists(folder));

        var weights = Path.GetTempFileName();
        try
        {
            model.SavePyTorch(weights);
            Assert.True(new FileInfo(weights).Length > 0);
        }
        finally
        {
            File.Delete(weights);
        }
    }

    /// <summary>Logged event IDs, counted.</summary>
    private sealed class EventLog : ILogger
    {
        private readonly List<int> ids = [];

        public int Count(int id) => ids.Count(logged => logged == id);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => ids.Add(eventId.Id);
    }
}

/// <summary>
/// Clustered data for the neighbourhood part: 16 Gaussian blobs in 20 dimensions, each spread over 4 directions of its
/// own, more than a 2-D map can lay out without choosing what to keep.
/// </summary>
internal static class Clusters
{
    /// <summary>The width of one example.</summary>
    public const int Width = 20;

    private const int Blobs = 16;
    private const int Spread = 4;

    /// <summary><paramref name="count"/> examples; the blobs are the same for every seed.</summary>
    public static Tensor Create(long count, long seed)
    {
        using var layout = new Generator(100, CPU);
        using var generator = new Generator((ulong)seed, CPU);
        using var scope = NewDisposeScope();
        var centres = 3 * randn([Blobs, Width], generator: layout);
        var directions = randn([Blobs, Spread, Width], generator: layout);
        var blob = randint(0, Blobs, [count], generator: generator);
        var inside = randn([count, 1, Spread], generator: generator);
        var points = centres.index_select(0, blob) + inside.bmm(directions.index_select(0, blob)).squeeze(1);
        return points.MoveToOuterDisposeScope();
    }
}

[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
[Neighbourhood(Neighbours = 10, Weight = 30)]
[Input(Clusters.Width)]
public partial class ClusterMapAe
{
    [Dense(64), ReLU, Dense(64), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(64), ReLU, Dense(64), ReLU, Dense(Clusters.Width)]
    public partial Sequential Decoder { get; }
}

/// <summary><see cref="ClusterMapAe"/> with the contrastive loss.</summary>
[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
[Neighbourhood(Neighbours = 10, Weight = 30, Loss = NeighbourhoodLoss.Contrastive)]
[Input(Clusters.Width)]
public partial class ClusterContrastiveAe
{
    [Dense(64), ReLU, Dense(64), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(64), ReLU, Dense(64), ReLU, Dense(Clusters.Width)]
    public partial Sequential Decoder { get; }
}

/// <summary><see cref="ClusterMapAe"/> without the part: the same layers, so the same seed gives the same weights.</summary>
[Autoencoder(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
[Input(Clusters.Width)]
public partial class ClusterPlainAe
{
    [Dense(64), ReLU, Dense(64), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(64), ReLU, Dense(64), ReLU, Dense(Clusters.Width)]
    public partial Sequential Decoder { get; }
}

[Variational(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
[Neighbourhood(Neighbours = 10, Weight = 1)]
[Input(Clusters.Width)]
public partial class ClusterMapVae
{
    [Dense(64), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(64), ReLU, Dense(Clusters.Width)]
    public partial Sequential Decoder { get; }
}
