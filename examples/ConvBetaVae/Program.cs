using System;
using System.Diagnostics;
using System.Linq;
using AutoencoderDsl.Examples;
using AutoencoderDsl.Imaging;
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
        var history = model.Fit(
            train.Images,
            new FitOptions { Epochs = settings.Epochs, Seed = settings.Seed },
            validation: test.Images,
            progress: ExampleProgress.Epochs);
        Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");
        Console.WriteLine("β of each epoch (warm-up over " + ConvBetaVae.KlWarmupEpochs + " epochs to " + ConvBetaVae.Beta + "): "
            + string.Join(", ", history.Epochs.Select(epoch => $"{epoch.Epoch}: {epoch.Beta:0.##}")));

        using var scope = NewDisposeScope();
        var samplesPath = settings.Output("samples.png");
        ImageGrid.Save(model.Sample(64, new Generator((ulong)settings.Seed)), samplesPath, columns: 8, scale: 3);
        Console.WriteLine($"Wrote {samplesPath}.");

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
        ImageGrid.Save(cat(rows), traversalPath, columns: Steps, scale: 3);
        Console.WriteLine($"Wrote {traversalPath} (rows: code dimensions {string.Join(", ", used.data<long>())}, by mean KL; columns: -3 to 3).");
    }

    return 0;
});
