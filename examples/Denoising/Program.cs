using System;
using System.Diagnostics;
using AutoencoderDsl.Examples;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Training;
using DenoisingExample;
using TorchSharp;
using static TorchSharp.torch;

// Noise removal: trains the declared denoiser, then measures how much noise it removes from test images it has never
// seen, corrupted the way it was trained, and writes noisy / denoised / clean rows to a PNG.
return ExampleCommand.Run(args, "Trains a denoising autoencoder and measures the PSNR it recovers on held-out noisy images.", defaultEpochs: 5, defaultOutput: "denoising-output", settings =>
{
    var (train, test) = settings.LoadData(syntheticTrain: 20000);
    using (train)
    using (test)
    {
        using var denoiser = new Denoiser(seed: settings.Seed);
        var clock = Stopwatch.StartNew();
        ExampleProgress.Train(progress => denoiser.Fit(
            train.Images,
            new FitOptions { Epochs = settings.Epochs, Seed = settings.Seed },
            progress: progress));
        Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");

        using var scope = NewDisposeScope();
        var noise = new Generator((ulong)settings.Seed + 1);
        var noisy = (test.Images + (0.5 * randn(test.Images.shape, generator: noise))).clamp(0, 1);
        var denoised = denoiser.Denoise(noisy);
        var quality = denoiser.MeasureDenoising(noisy, test.Images);
        Console.WriteLine($"PSNR against the clean test images (Gaussian noise σ = 0.5): noisy {quality.Noisy.Psnr:F2} dB, denoised {quality.Denoised.Psnr:F2} dB, a gain of {quality.PsnrGain:F2} dB.");

        const int Shown = 10;
        var path = settings.Output("denoising.png");
        var rows = new[] { test.Images.narrow(0, 0, Shown), noisy.narrow(0, 0, Shown), denoised.narrow(0, 0, Shown) };
        var labels = new[] { "clean", $"noisy {quality.Noisy.Psnr:F1} dB", $"denoised {quality.Denoised.Psnr:F1} dB" };
        ImageGrid.Save(cat(rows), path, columns: Shown, scale: 2, rowLabels: labels, title: "Held-out test images, Gaussian noise of σ = 0.5 (PSNR over the whole test set)");
        ExampleFiles.Wrote(path, "clean, noisy and denoised rows of held-out images, with each row's PSNR");
        Plots.Bars([("noisy", quality.Noisy.Psnr), ("denoised", quality.Denoised.Psnr)], settings.Output("psnr.png"), "PSNR against the clean test images", "dB");
        ExampleFiles.Wrote(settings.Output("psnr.png"), "the PSNR of the noisy and of the denoised test images");
    }

    return 0;
});
