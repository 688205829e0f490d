using System;
using System.Diagnostics;
using System.IO;
using AutoencoderDsl.Data;
using AutoencoderDsl.Imaging;
using AutoencoderDsl.Training;
using DenoisingExample;
using TorchSharp;
using static TorchSharp.torch;

// Noise removal: trains a convolutional autoencoder on noisy images against clean targets, then measures how much
// of the noise it removes from test images it has never seen and writes noisy / denoised / clean rows to a PNG.
const double NoiseLevel = 0.3;
const int Epochs = 3;
string outputFolder = args.Length > 0 ? args[0] : "denoising-output";

var (train, test) = FashionMnist.IsAvailable()
    ? FashionMnist.Load()
    : (SyntheticShapes.Generate(20000, seed: 1), SyntheticShapes.Generate(2000, seed: 2));
Console.WriteLine($"{train.Count:N0} training and {test.Count:N0} test images; Gaussian noise σ = {NoiseLevel}.");
static Tensor AddNoise(Tensor clean) => (clean + (NoiseLevel * randn_like(clean))).clamp(0, 1);

using var denoiser = new Denoiser(seed: 1);
var clock = Stopwatch.StartNew();
denoiser.Fit(
    train.Images,
    new FitOptions { Epochs = Epochs, BatchSize = 128, Seed = 1, Corrupt = AddNoise },
    progress: new SynchronousProgress<TrainingProgress>(report =>
    {
        if (report.Kind == TrainingProgressKind.Epoch)
        {
            Console.WriteLine($"epoch {report.Epoch}/{report.Epochs}: {report.Elapsed.TotalSeconds:F1} s, train {report.Train}");
        }
    }));
Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");

using (var scope = NewDisposeScope())
{
    torch.manual_seed(2);
    var noisy = AddNoise(test.Images);
    var denoised = denoiser.Reconstruct(noisy);
    double noisyError = (noisy - test.Images).square().mean().item<float>();
    double denoisedError = (denoised - test.Images).square().mean().item<float>();
    Console.WriteLine(
        $"Mean squared error against the clean test images: noisy {noisyError:F4} (PSNR {Psnr(noisyError):F1} dB), "
        + $"denoised {denoisedError:F4} (PSNR {Psnr(denoisedError):F1} dB).");

    var shown = 10;
    var path = Path.Combine(outputFolder, "denoising.png");
    ImageGrid.Save(cat([noisy.narrow(0, 0, shown), denoised.narrow(0, 0, shown), test.Images.narrow(0, 0, shown)]), path, columns: shown, scale: 3);
    Console.WriteLine($"Wrote {Path.GetFullPath(path)} (rows: noisy, denoised, clean).");
}

train.Dispose();
test.Dispose();

// Peak signal-to-noise ratio for images in [0, 1].
static double Psnr(double meanSquaredError) => 10 * Math.Log10(1 / meanSquaredError);
