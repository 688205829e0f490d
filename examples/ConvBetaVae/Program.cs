using System;
using System.Diagnostics;
using System.Linq;
using AutoencoderDsl.Examples;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Training;
using ConvBetaVaeExample;
using TorchSharp;
using static TorchSharp.torch;

// A β-VAE with a KL warm-up: prints each epoch's β, then writes samples and a latent traversal, in which each row
// varies one of the most used code dimensions of a test image's code from -3 to 3 with the others held.
return ExampleCommand.Run(args, "Trains a convolutional β-VAE with a KL warm-up and writes samples and a latent traversal.", defaultEpochs: 10, defaultOutput: "conv-beta-vae-output", settings =>
{
    var (train, test) = settings.LoadData();
    using (train)
    using (test)
    {
        using var model = new ConvBetaVae(seed: settings.Seed);
        var clock = Stopwatch.StartNew();
        var history = ExampleProgress.Train(progress => model.Fit(
            train.Images,
            new FitOptions { Epochs = settings.Epochs, Seed = settings.Seed },
            validation: test.Images,
            progress: progress));
        Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");
        Console.WriteLine("β of each epoch (warm-up over " + ConvBetaVae.KlWarmupEpochs + " epochs to " + ConvBetaVae.Beta + "): "
            + string.Join(", ", history.Epochs.Select(epoch => $"{epoch.Epoch}: {epoch.Beta:0.##}")));

        using var scope = NewDisposeScope();
        var samplesPath = settings.Output("samples.png");
        ImageGrid.Save(model.Sample(64, new Generator((ulong)settings.Seed)), samplesPath, columns: 8, scale: 2, title: "64 samples from the prior");
        ExampleFiles.Wrote(samplesPath, "images decoded from codes drawn from N(0, I)");
        Plots.LossCurves(history, settings.Output("loss.png"));
        ExampleFiles.Wrote(settings.Output("loss.png"), "every loss term per epoch, training and validation, as β warms up");

        // The dimensions that carry the most information: the largest mean KL over test images.
        var posterior = model.Encode(test.Images.narrow(0, 0, Math.Min(test.Count, 2000)));
        var klPerDimension = (0.5 * (posterior.Mean.square() + posterior.LogVar.exp() - 1 - posterior.LogVar)).mean([0]);
        var used = klPerDimension.argsort(descending: true).narrow(0, 0, 8);
        const int Steps = 11;
        var origin = posterior.Mean[0];
        var rows = used.data<long>().Select(dimension =>
        {
            var codes = origin.unsqueeze(0).repeat(Steps, 1);
            codes[.., dimension] = linspace(-3, 3, Steps);
            return model.Decode(codes);
        }).ToArray();
        var traversalPath = settings.Output("latent-traversal.png");
        var dimensions = used.data<long>().ToArray();
        ImageGrid.Save(cat(rows), traversalPath, columns: Steps, scale: 2, rowLabels: dimensions.Select(dimension => $"z{dimension}").ToArray(), title: "One code dimension from -3 to 3 per row");
        ExampleFiles.Wrote(traversalPath, $"a latent traversal: rows vary code dimensions {string.Join(", ", dimensions)} (most informative first), columns from -3 to 3");
    }

    return 0;
});
