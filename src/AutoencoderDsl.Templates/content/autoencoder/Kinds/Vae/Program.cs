using AutoencoderApp;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Training;
using TorchSharp;

// Trains the variational autoencoder declared in ImageVae.cs, draws what it learned, and saves it.
// `dotnet run -- --help` lists the options; `dotnet run -- --data <folder>` trains on your own images.
return Settings.Run(args, "Trains a variational autoencoder and draws its reconstructions, samples and latent space.", settings =>
{
    var (train, test) = ImageData.Load(settings);
    using (train)
    using (test)
    {
        using var model = new ImageVae(seed: settings.Seed);

        // Fit trains in mini-batches with Adam and scores the held-out images after every epoch.
        var history = model.Fit(train.Images, new FitOptions { Epochs = settings.Epochs, Seed = settings.Seed }, validation: test.Images, progress: ConsoleProgress.Instance);
        Console.WriteLine($"Test loss in nats per image: {model.Evaluate(test.Images)}");

        // A dispose scope frees the tensors made inside it at its end, instead of leaving them to the garbage collector.
        using (torch.NewDisposeScope())
        {
            var originals = test.Images.narrow(0, 0, Math.Min(test.Count, 16));
            Plots.LossCurves(history, settings.Output("loss.png"));
            ImageGrid.Save(torch.cat([originals, model.Reconstruct(originals)]), settings.Output("reconstructions.png"), columns: (int)originals.shape[0], scale: 2, rowLabels: ["test images", "reconstructed"]);
            ImageGrid.Save(model.Sample(64, new torch.Generator((ulong)settings.Seed)), settings.Output("samples.png"), columns: 8, scale: 2, title: "New images: codes drawn from N(0, I), decoded");
            Plots.LatentScatter(model.Embed(test.Images), test.Labels, test.ClassNames, settings.Output("latent-space.png"), "The test images' codes");
        }

        Console.WriteLine($"Wrote loss.png, reconstructions.png, samples.png and latent-space.png to {settings.OutputFolder}.");

        // Save writes the weights as safetensors; Load checks every name and shape and builds a new model from them.
        var path = settings.Output("model.safetensors");
        model.Save(path);
        using var loaded = ImageVae.Load(path);
        using var sample = test.Images.narrow(0, 0, 1);
        using var before = model.Reconstruct(sample);
        using var after = loaded.Reconstruct(sample);
        Console.WriteLine($"Saved the model to {path} and loaded it back: its reconstructions are {(before.equal(after).all().item<bool>() ? "identical" : "different")}.");
    }

    return 0;
});
