using System;
using System.CommandLine;
using System.Diagnostics;
using AutoencoderDsl;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Examples;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;
using VisualiseExample;
using static TorchSharp.torch;

// Trains a 2-D map of the images and measures it as the Parametric UMAP paper measures maps (5-NN and 1-NN accuracy,
// trustworthiness on held-out images and, as the paper measures it, on training images, beside 2-D PCA), then draws
// it: the scatter, the thumbnails, the decoded manifold and the explorer.
// --model chooses the declaration: the autoencoder with the neighbourhood part's contrastive loss (the best measured,
// its encoder wider), one with UMAP's loss on the main example's layers, the plain autoencoder, or the main example's
// 2-D VAE; each run prints its row of the table in docs/neighbours.md.
var modelOption = new Option<string>("--model") { Description = "contrastive: a 2-D autoencoder with the neighbourhood part's contrastive loss and a wider encoder (the best measured); map: one with UMAP's loss on the main example's layers; ae: the plain 2-D autoencoder; vae: the main example's 2-D VAE.", DefaultValueFactory = _ => "contrastive" };
modelOption.AcceptOnlyFromAmong("contrastive", "map", "ae", "vae");
var batchOption = new Option<int?>("--batch") { Description = "Examples per step (default: 1024 for contrastive, 256 for the others)." };
var rateOption = new Option<double?>("--lr") { Description = "Adam's learning rate (default: 3e-3 for contrastive, falling to 0 by a cosine schedule; 1e-3, constant, for the others)." };
return ExampleCommand.Run(args, "Trains a 2-D map of the images, measures how well it keeps neighbourhoods and classes, and draws it.", defaultEpochs: 60, defaultOutput: "visualise-output", settings =>
{
    var (train, test) = settings.LoadData();
    using (train)
    using (test)
    {
        string choice = settings.Parsed.GetValue(modelOption)!;
        using AutoencoderModel model = choice switch
        {
            "map" => new FashionMap(seed: settings.Seed),
            "ae" => new FashionAe(seed: settings.Seed),
            "vae" => new PlainVae(seed: settings.Seed),
            _ => new FashionContrastiveMap(seed: settings.Seed),
        };
        bool contrastive = choice == "contrastive";
        int batch = settings.Parsed.GetValue(batchOption) ?? (contrastive ? 1024 : 256);
        double rate = settings.Parsed.GetValue(rateOption) ?? (contrastive ? 3e-3 : 1e-3);
        var options = new FitOptions { Epochs = settings.Epochs, BatchSize = batch, LearningRate = rate, Schedule = contrastive ? new CosineSchedule() : null, Seed = settings.Seed, Logger = new GraphTime() };
        var clock = Stopwatch.StartNew();
        ExampleProgress.Train(progress => Trainer.Fit((ITrainableAutoencoder)model, new TrainingData(train.Images), options, validation: null, progress, default));
        double seconds = clock.Elapsed.TotalSeconds;

        var quality = model.MeasureEmbedding(train.Images, train.Labels, test.Images, test.Labels);
        var fitted = TrustworthinessOnTraining(model, train.Images);
        Console.WriteLine();
        Console.WriteLine("| model | 5-NN | 1-NN | trustworthiness 5 / 10 | trustworthiness 5 on 10,000 training images | test reconstruction (nats per image) | training |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Row($"{model.GetName()}, {settings.Epochs} epochs, batch {batch}, learning rate {rate:G}{(contrastive ? " by a cosine schedule" : "")}", quality.Code, fitted.Code, model.Evaluate(test.Images).Reconstruction, seconds);
        Row("2-D PCA", quality.Pca, fitted.Pca, null, null);
        Console.WriteLine();

        using (var scope = NewDisposeScope())
        {
            int shown = (int)Math.Min(test.Count, 10_000), explored = Math.Min(shown, 1000);
            var points = model.Embed(test.Images.narrow(0, 0, shown));
            var labels = test.Labels.narrow(0, 0, shown);
            Plots.LatentScatter(points, labels, test.ClassNames, settings.Output("map.png"), $"{model.GetName()}: codes of {shown:N0} test images");
            ExampleFiles.Wrote(settings.Output("map.png"), "the codes of the test images, coloured by class");
            Plots.ThumbnailMap(points, test.Images.narrow(0, 0, shown), labels, test.ClassNames, settings.Output("thumbnails.png"), title: "Test images where their codes lie");
            ExampleFiles.Wrote(settings.Output("thumbnails.png"), "the test image nearest the centre of each square of the map, drawn where its code lies");
            Plots.DecodedManifold(z => model.Decode(z), points, settings.Output("manifold.png"), side: 20, title: "The decoder where the test codes lie");
            ExampleFiles.Wrote(settings.Output("manifold.png"), "images decoded on an even 20 × 20 grid over the test codes, faded to grey where few of them lie");
            LatentExplorer.Write(settings.Output("explorer.html"), points[..explored], labels[..explored], test.ClassNames, test.Images[..explored], model.Reconstruct(test.Images[..explored]), z => model.Decode(z), gridSide: 32, title: $"{model.GetName()}: the map of the test images");
            ExampleFiles.Wrote(settings.Output("explorer.html"), "a page to explore the map in a browser (hover a point, click the plane)");
        }

        model.Save(settings.Output($"{choice}.safetensors"));
        ExampleFiles.Wrote(settings.Output($"{choice}.safetensors"), $"the model, for {model.GetName()}.Load");
    }

    return 0;
},
modelOption,
batchOption,
rateOption);

static void Row(string name, EmbeddingScores scores, double onTraining, double? reconstruction, double? seconds) =>
    Console.WriteLine($"| {name} | {scores.FiveNeighbourAccuracy:P1} | {scores.OneNeighbourAccuracy:P1} | {Trust(scores.Trustworthiness5)} / {Trust(scores.Trustworthiness10)} | {onTraining:F3} | {(reconstruction is double nats ? nats.ToString("F1") : "–")} | {(seconds is double s ? $"{s:F0} s" : "–")} |");

// The Parametric UMAP paper's trustworthiness is of the first 10,000 training images, the ones the map was fitted to,
// at k = 5; MeasureEmbedding's is of held-out images. Both are printed so the paper's figures compare like for like.
static (double Code, double Pca) TrustworthinessOnTraining(AutoencoderModel model, Tensor images)
{
    using var scope = NewDisposeScope();
    var first = images.narrow(0, 0, Math.Min(images.shape[0], 10_000));
    using var pca = Pca.Fit(images, 2);
    return (NearestNeighbours.Trustworthiness(first, model.Embed(first)), NearestNeighbours.Trustworthiness(first, pca.Project(first)));
}

static string Trust(double? value) => value is double trust ? trust.ToString("F3") : "–";

/// <summary>Prints how long the neighbourhood graph took, which Fit logs.</summary>
internal sealed class GraphTime : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Id == TrainingEvents.NeighbourhoodBuilt)
        {
            Console.WriteLine(formatter(state, exception));
        }
    }
}
