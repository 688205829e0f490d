using AutoencoderApp;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Training;
using TorchSharp;

// Trains the denoiser declared in ImageDenoiser.cs, measures how much noise it removes from test images it never
// trained on, draws clean, noisy and denoised images, and saves it.
// `dotnet run -- --help` lists the options; `dotnet run -- --data <folder>` trains on your own images.
return Settings.Run(args, "Trains a denoising autoencoder and measures the noise it removes from held-out images.", settings =>
{
    var (train, test) = ImageData.Load(settings);
    using (train)
    using (test)
    {
        using var model = new ImageDenoiser(seed: settings.Seed);

        // Fit corrupts every training image as [Denoising] says and teaches the model to give back the clean one.
        var history = model.Fit(train.Images, new FitOptions { Epochs = settings.Epochs, Seed = settings.Seed }, progress: ConsoleProgress.Instance);

        // The test images, corrupted the same way; the scope frees the tensors made inside it at its end.
        using var scope = torch.NewDisposeScope();
        var noise = torch.randn(test.Images.shape, generator: new torch.Generator((ulong)settings.Seed));
        var noisy = (test.Images + (ImageDenoiser.NoiseLevel * noise)).clamp(0, 1);
        var denoised = model.Denoise(noisy);
        var quality = model.MeasureDenoising(noisy, test.Images);
        Console.WriteLine($"PSNR against the clean test images: noisy {quality.Noisy.Psnr:F2} dB, denoised {quality.Denoised.Psnr:F2} dB, a gain of {quality.PsnrGain:F2} dB.");

        int shown = Math.Min(test.Count, 12);
        Plots.LossCurves(history, settings.Output("loss.png"));
        ImageGrid.Save(torch.cat([test.Images.narrow(0, 0, shown), noisy.narrow(0, 0, shown), denoised.narrow(0, 0, shown)]), settings.Output("denoising.png"), columns: shown, scale: 2, rowLabels: ["clean", "noisy", "denoised"]);
        Console.WriteLine($"Wrote loss.png and denoising.png to {settings.OutputFolder}.");

        // Save writes the weights as safetensors; Load checks every name and shape and builds a new model from them.
        var path = settings.Output("model.safetensors");
        model.Save(path);
        using var loaded = ImageDenoiser.Load(path);
        bool same = loaded.Denoise(noisy).equal(denoised).all().item<bool>();
        Console.WriteLine($"Saved the model to {path} and loaded it back: its denoised images are {(same ? "identical" : "different")}.");
    }

    return 0;
});
