using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AutoencoderDsl;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

// The three models of the comparison share the convolutional trunk of ConvVae (Models.cs): two stride-2 4 × 4
// convolutions to [64, 7, 7], and two transposed ones back to [1, 28, 28]. All three keep the default Bernoulli
// likelihood, the library's choice for images in [0, 1], so they train on the same loss and differ only in the code.

/// <summary>A VQ-VAE on the trunk: a 7 × 7 grid of codes, each one of 512 codes of width 16.</summary>
[VectorQuantized(LatentDim = 16, Codes = 512)]
[Input(1, 28, 28)]
internal partial class ConvVq
{
    [Conv2d(32, 4, Stride = 2, Padding = 1), ReLU,
     Conv2d(64, 4, Stride = 2, Padding = 1), ReLU]
    public partial Sequential Encoder { get; }

    // The 3 × 3 convolution brings the 16-channel codes back to the 64 non-negative channels the transposed
    // convolutions receive in ConvVae and ConvAe.
    [Conv2d(64, 3, Padding = 1), ReLU,
     ConvTranspose2d(32, 4, Stride = 2, Padding = 1), ReLU,
     ConvTranspose2d(1, 4, Stride = 2, Padding = 1), Sigmoid]
    public partial Sequential Decoder { get; }
}

/// <summary>ConvVae's layers as a deterministic autoencoder with a code of 16 numbers.</summary>
[Autoencoder(LatentDim = 16)]
[Input(1, 28, 28)]
internal partial class ConvAe
{
    [Conv2d(32, 4, Stride = 2, Padding = 1), ReLU,
     Conv2d(64, 4, Stride = 2, Padding = 1), ReLU, Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(64 * 7 * 7), ReLU, Unflatten(64, 7, 7),
     ConvTranspose2d(32, 4, Stride = 2, Padding = 1), ReLU,
     ConvTranspose2d(1, 4, Stride = 2, Padding = 1), Sigmoid]
    public partial Sequential Decoder { get; }
}

/// <summary>
/// The VQ-VAE against the convolutional β-VAE and the plain convolutional autoencoder on Fashion-MNIST: each trains on
/// the 60,000 training images with the same options, then reconstructs the 10,000 test images (the posterior mean for
/// the β-VAE, the nearest codes for the VQ-VAE); a Markdown table of the test MSE and PSNR, the size of each model and
/// its code, the time of an epoch and the VQ-VAE's codebook use.
/// </summary>
internal static class VqComparison
{
    public static int Run(int epochs)
    {
        if (epochs < 1)
        {
            Console.Error.WriteLine($"vq-compare takes a number of epochs of at least 1, but got {epochs}; for example: vq-compare 5.");
            return 2;
        }

        if (!FashionMnist.IsAvailable())
        {
            Console.Error.WriteLine($"vq-compare needs Fashion-MNIST in {FashionMnist.DefaultFolder} (install dataset-fashion-mnist).");
            return 2;
        }

        var (train, test) = FashionMnist.Load();
        using (train)
        using (test)
        {
            var options = new FitOptions { Epochs = epochs, BatchSize = 128, LearningRate = 1e-3, Seed = 1 };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Fashion-MNIST: {train.Count:N0} training images, {test.Count:N0} test images; {epochs} epochs, batch {options.BatchSize}, "
                + $"Adam {options.LearningRate}, seed {options.Seed}; {get_num_threads()} threads, {Environment.ProcessorCount} cores"));

            var rows = new List<string>();
            using (var vq = new ConvVq(seed: 1))
            {
                long positions = 1;
                foreach (long size in ConvVq.CodeShape[1..])
                {
                    positions *= size;
                }

                double bits = positions * Math.Log2(ConvVq.Codes);
                rows.Add(Row(
                    $"VQ-VAE, {ConvVq.Codes} codes of width {ConvVq.LatentDim}", vq, train.Images, test.Images, options,
                    $"{positions} codes ({string.Join(" × ", ConvVq.CodeShape[1..].ToArray())}) × log₂ {ConvVq.Codes} = {bits:F0} bits"));
            }

            using (var vae = new ConvVae(seed: 1))
            {
                rows.Add(Row($"β-VAE, β = {ConvVae.Beta}", vae, train.Images, test.Images, options, $"{ConvVae.LatentDim} floats"));
            }

            using (var ae = new ConvAe(seed: 1))
            {
                rows.Add(Row("autoencoder", ae, train.Images, test.Images, options, $"{ConvAe.LatentDim} floats"));
            }

            Console.WriteLine();
            Console.WriteLine("| model | parameters | code | s per epoch (median) | test MSE per pixel | test PSNR | codebook, last epoch |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            rows.ForEach(Console.WriteLine);
        }

        return 0;
    }

    /// <summary>Trains <paramref name="model"/>, prints each epoch, and measures its test reconstructions: one row of the table.</summary>
    private static string Row(string name, AutoencoderModel model, Tensor train, Tensor test, FitOptions options, string code)
    {
        long parameters = model.parameters().Sum(parameter => parameter.numel());
        var history = model.Fit(train, options);
        foreach (var epoch in history.Epochs)
        {
            string terms = string.Join(", ", epoch.Train.Terms.Select(term => $"{term.Key} {term.Value:F2}"));
            string codebook = epoch.Codebook is { } usage ? $"; perplexity {usage.Perplexity:F1}, {usage.CodesUsed} codes used, {usage.Restarted} restarted" : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}, epoch {epoch.Epoch}: {epoch.Duration.TotalSeconds:F1} s; {terms}{codebook}"));
        }

        var quality = model.MeasureReconstruction(test);
        double seconds = EpochBenchmarks.Median(history.Epochs.Select(epoch => epoch.Duration.TotalSeconds));
        string last = history.Epochs[^1].Codebook is { } used ? $"perplexity {used.Perplexity:F1}, {used.CodesUsed} of {ConvVq.Codes} codes used" : "—";
        return string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {parameters:N0} | {code} | {seconds:F1} | {quality.MeanSquaredError:F5} | {quality.Psnr:F2} dB | {last} |");
    }
}
