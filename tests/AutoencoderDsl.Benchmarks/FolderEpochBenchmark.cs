using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AutoencoderDsl.Data;
using AutoencoderDsl.Images;
using AutoencoderDsl.Training;
using SkiaSharp;
using static TorchSharp.torch;

/// <summary>
/// <c>Fit</c> from an image folder against <c>Fit</c> on the same images in one tensor: Fashion-MNIST's 60,000 training
/// images (or as many built-in shapes) written out as PNGs, one subfolder per class; the 784-400-20 VAE trains one
/// epoch per call, from the folder and from the tensor in turns on two models, and the ratio of each pair's epochs is
/// taken. The folder's <c>Open</c> (headers, and the cache on by default) and the first epoch are stated apart.
/// </summary>
internal static class FolderEpochBenchmark
{
    public static int Run(int rounds)
    {
        var (train, test) = FashionMnist.IsAvailable() ? FashionMnist.Load() : (SyntheticShapes.Generate(60000, seed: 1), SyntheticShapes.Generate(100, seed: 2));
        test.Dispose();
        string root = Path.Combine(Path.GetTempPath(), "autoencoderdsl-folder-benchmark-" + Guid.NewGuid().ToString("N"));
        try
        {
            var clock = Stopwatch.StartNew();
            Write(train, Path.Combine(root, "images"));
            double write = clock.Elapsed.TotalSeconds;
            clock.Restart();
            using var folder = ImageFolder.Open(Path.Combine(root, "images"), [1, 28, 28], new ImageFolderOptions { CacheFolder = Path.Combine(root, "cache") });
            double open = clock.Elapsed.TotalSeconds;
            var (images, labels) = folder.ReadAll();
            using (images)
            using (labels)
            {
                Console.WriteLine($"{folder.Count:N0} PNGs of {(FashionMnist.IsAvailable() ? "Fashion-MNIST" : "the built-in shapes")} written in {write:F1} s; ImageFolder.Open (every header, then every image decoded into the cache) {open:F1} s.");
                Console.WriteLine($"784-400-20 VAE, batch 128, one epoch per Fit call, {rounds} rounds taking turns; {FitOptions.DefaultDataWorkers} data workers, {get_num_threads()} threads.");
                using var fromFolder = new MlpVae(seed: 1);
                using var fromTensor = new MlpVae(seed: 1);
                var ratios = new List<double>();
                for (int round = 0; round < rounds; round++)
                {
                    var options = new FitOptions { Epochs = 1, Seed = round };
                    // Which goes first alternates, so a drift in the machine's speed falls on both.
                    double folderSeconds = 0, tensorSeconds = 0;
                    foreach (bool folderFirst in round % 2 == 0 ? new[] { true, false } : [false, true])
                    {
                        if (folderFirst)
                        {
                            folderSeconds = fromFolder.Fit(folder, options).Last.Duration.TotalSeconds;
                        }
                        else
                        {
                            tensorSeconds = fromTensor.Fit(images, options).Last.Duration.TotalSeconds;
                        }
                    }

                    Console.WriteLine($"  round {round + 1}: folder {folderSeconds:F2} s, tensor {tensorSeconds:F2} s, ratio {folderSeconds / tensorSeconds:F3}{(round == 0 ? " (the first epoch)" : "")}");
                    if (round > 0)
                    {
                        ratios.Add(folderSeconds / tensorSeconds);
                    }
                }

                ratios.Sort();
                clock.Restart();
                using (var stream = new BatchStream(folder, order: null, 128, TrainingData.Rules(fromFolder), "train", FitOptions.DefaultDataWorkers, 4))
                {
                    for (int batch = 0; batch < stream.Batches; batch++)
                    {
                        stream.Next(default).Dispose();
                    }
                }

                Console.WriteLine($"Reading the folder's batches alone, without training: {clock.Elapsed.TotalSeconds:F2} s an epoch ({folder.Count / clock.Elapsed.TotalSeconds:N0} images/s).");
                Console.WriteLine($"Epochs after the first, folder / tensor: median {ratios[ratios.Count / 2]:F3} (from {ratios[0]:F3} to {ratios[^1]:F3}).");
            }
        }
        finally
        {
            train.Dispose();
            Directory.Delete(root, recursive: true);
        }

        return 0;
    }

    /// <summary>Each image as an 8-bit grey PNG in its class's subfolder.</summary>
    private static void Write(LabelledImages data, string root)
    {
        using var bytes = data.Images.mul(255).round_().clamp_(0, 255).to(ScalarType.Byte);
        var pixels = bytes.data<byte>().ToArray();
        var classes = data.Labels.data<long>().ToArray();
        foreach (var name in data.ClassNames)
        {
            Directory.CreateDirectory(Path.Combine(root, Safe(name)));
        }

        Parallel.For(0, data.Count, i =>
        {
            using var bitmap = new SKBitmap(28, 28, SKColorType.Gray8, SKAlphaType.Opaque);
            pixels.AsSpan(i * 784, 784).CopyTo(bitmap.GetPixelSpan());
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(root, Safe(data.ClassNames[(int)classes[i]]), $"{i:D5}.png"), png.ToArray());
        });
    }

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? c : '-'));
}
