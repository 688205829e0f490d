using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using AutoencoderDsl;
using AutoencoderDsl.Data;
using AutoencoderDsl.Imaging;
using AutoencoderDsl.Training;
using FashionVaeExample;
using TorchSharp;
using static TorchSharp.torch;

// Trains the 2-D FashionVae, then shows what it learned: test loss, samples, reconstructions and the latent map.
var options = ExampleOptions.Parse(args);
if (options is null)
{
    return 2;
}

var (train, test, dataName) = LoadData(options.DataFolder);
Console.WriteLine($"Data: {dataName}, {train.Count:N0} training and {test.Count:N0} test images.");

using var model = new FashionVae(seed: options.Seed);
var progress = new ConsoleProgress();
var stopwatch = Stopwatch.StartNew();
var history = model.Fit(
    train.Images,
    new FitOptions { Epochs = options.Epochs, BatchSize = 128, LearningRate = 1e-3, Seed = options.Seed, CheckpointPath = options.CheckpointPath },
    validation: test.Images,
    progress: progress);
stopwatch.Stop();

var testLoss = model.Evaluate(test.Images);
Console.WriteLine();
var trained = progress.EpochsReported;
Console.WriteLine(trained == 0
    ? $"All {history.Epochs.Count} epochs were already in the checkpoint."
    : $"Trained {trained} epoch{(trained == 1 ? "" : "s")} in {stopwatch.Elapsed.TotalSeconds:F1} s ({stopwatch.Elapsed.TotalSeconds / trained:F2} s per epoch, validation included).");
Console.WriteLine($"Test loss (nats per image): {testLoss}");

Directory.CreateDirectory(options.OutputFolder);
using (var scope = NewDisposeScope())
{
    var generator = new Generator().manual_seed(options.Seed);
    var originals = test.Images.narrow(0, 0, 32);
    ImageGrid.Save(model.Sample(64, generator), Path.Combine(options.OutputFolder, "samples.png"), columns: 8, scale: 3);
    ImageGrid.Save(cat([originals, model.Reconstruct(originals)]), Path.Combine(options.OutputFolder, "reconstructions.png"), columns: 8, scale: 3);
    ImageGrid.Save(LatentGrid(model, 12), Path.Combine(options.OutputFolder, "latent-grid.png"), columns: 12, scale: 2);
    var shown = Math.Min(test.Count, 5000);
    LatentScatter.Save(model.Embed(test.Images.narrow(0, 0, shown)), test.Labels.narrow(0, 0, shown), Path.Combine(options.OutputFolder, "latent-space.png"));
}

model.Save(Path.Combine(options.OutputFolder, "fashion-vae.bin"));
Console.WriteLine($"Wrote samples.png, reconstructions.png (top: originals, bottom: reconstructions), latent-grid.png, latent-space.png and fashion-vae.bin to {Path.GetFullPath(options.OutputFolder)}.");
train.Dispose();
test.Dispose();
return 0;

static (LabelledImages Train, LabelledImages Test, string Name) LoadData(string? folder)
{
    if (folder is not null || FashionMnist.IsAvailable())
    {
        var (train, test) = FashionMnist.Load(folder);
        return (train, test, $"Fashion-MNIST from {folder ?? FashionMnist.DefaultFolder}");
    }

    Console.WriteLine(
        $"Fashion-MNIST is not in {FashionMnist.DefaultFolder} (apt-get install dataset-fashion-mnist) and no --data folder was given; "
        + "using the built-in synthetic shapes instead.");
    return (SyntheticShapes.Generate(12000, seed: 1), SyntheticShapes.Generate(2000, seed: 2), "built-in synthetic shapes");
}

// Decodes an evenly spaced grid over the prior's central region: how the model lays out the data in two dimensions.
static Tensor LatentGrid(FashionVae model, int side)
{
    var axis = linspace(-2.5, 2.5, side);
    var x = axis.repeat(side);
    var y = axis.flip(0).repeat_interleave(side);
    return model.Decode(stack([x, y], dim: 1));
}

/// <summary>Command-line options of the example.</summary>
internal sealed record ExampleOptions(int Epochs, string? DataFolder, string OutputFolder, long Seed, string? CheckpointPath)
{
    private const string Usage = "usage: FashionVae [--epochs N] [--data FOLDER] [--out FOLDER] [--seed N] [--checkpoint FILE]";

    public static ExampleOptions? Parse(string[] args)
    {
        var options = new ExampleOptions(Epochs: 10, DataFolder: null, OutputFolder: "fashion-vae-output", Seed: 1, CheckpointPath: null);
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--epochs" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var epochs) && epochs > 0:
                    options = options with { Epochs = epochs };
                    break;
                case "--data" when value is not null:
                    options = options with { DataFolder = value };
                    break;
                case "--out" when value is not null:
                    options = options with { OutputFolder = value };
                    break;
                case "--checkpoint" when value is not null:
                    options = options with { CheckpointPath = value };
                    break;
                case "--seed" when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed):
                    options = options with { Seed = seed };
                    break;
                default:
                    Console.Error.WriteLine($"Unexpected argument '{args[i]}'. {Usage}");
                    return null;
            }

            i++;
        }

        return options;
    }
}

/// <summary>One line per epoch; between them, a live batch counter when the output is a terminal.</summary>
internal sealed class ConsoleProgress : IProgress<TrainingProgress>
{
    /// <summary>Epochs trained in this run, which a resumed run's history does not tell.</summary>
    public int EpochsReported { get; private set; }

    public void Report(TrainingProgress value)
    {
        if (value.Kind == TrainingProgressKind.Batch)
        {
            if (!Console.IsOutputRedirected && (value.Batch % 20 == 0 || value.Batch == value.Batches))
            {
                Console.Write($"\repoch {value.Epoch}/{value.Epochs}  batch {value.Batch}/{value.Batches}  loss {value.Train.Total,8:F2}  {value.ExamplesPerSecond,8:N0} images/s");
            }

            return;
        }

        EpochsReported++;
        var validation = value.Validation is null ? string.Empty : $"  validation {value.Validation}";
        Console.WriteLine($"\repoch {value.Epoch}/{value.Epochs}  {value.Elapsed.TotalSeconds:F1} s  train {value.Train}{validation}".PadRight(100));
    }
}
