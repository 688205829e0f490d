using System;
using System.CommandLine;
using System.Diagnostics;
using AutoencoderDsl.Examples;
using System.IO;
using AutoencoderDsl.Imaging;
using AutoencoderDsl.Onnx;
using AutoencoderDsl.PyTorch;
using AutoencoderDsl.Training;
using FashionVaeExample;
using TorchSharp;
using static TorchSharp.torch;

// Trains the 2-D FashionVae, then shows what it learned: test loss, samples, reconstructions and the latent map.
var checkpointOption = new Option<string?>("--checkpoint") { Description = "A checkpoint written after every epoch; a run started again with the same file resumes where it stopped." };
var patienceOption = new Option<int?>("--early-stopping") { Description = "Hold out 10 % of the training images and stop when their loss has not improved for this many epochs, keeping the best epoch's weights (--epochs is then the most)." };
return ExampleCommand.Run(args, "Trains a VAE with a 2-D latent space and writes samples, reconstructions and the latent map.", defaultEpochs: 10, defaultOutput: "fashion-vae-output", settings =>
{
    var (train, test) = settings.LoadData();
    using (train)
    using (test)
    {
        using var model = new FashionVae(seed: settings.Seed);
        var progress = new ConsoleProgress();
        var stopwatch = Stopwatch.StartNew();
        var patience = settings.Parsed.GetValue(patienceOption);
        var options = new FitOptions { Epochs = settings.Epochs, BatchSize = 128, LearningRate = 1e-3, Seed = settings.Seed, CheckpointPath = settings.Parsed.GetValue(checkpointOption) };
        var history = patience is int epochs
            ? model.Fit(train.Images, options with { ValidationSplit = 0.1, EarlyStopping = new EarlyStopping(Patience: epochs) }, progress: progress)
            : model.Fit(train.Images, options, validation: test.Images, progress: progress);
        stopwatch.Stop();
        if (history.BestEpoch is int best)
        {
            Console.WriteLine($"\n{(history.StopReason == TrainingStopReason.EarlyStopping ? "Stopped early" : "Trained every epoch")} after epoch {history.Last.Epoch}; best epoch {best} "
                + $"(held-out loss {history.Epochs[best - 1].Validation!.Total:F2}){(history.RestoredBestWeights ? ", whose weights the model keeps" : string.Empty)}.");
        }

        var testLoss = model.Evaluate(test.Images);
        Console.WriteLine();
        var trained = progress.EpochsReported;
        Console.WriteLine(trained == 0
            ? $"All {history.Epochs.Count} epochs were already in the checkpoint."
            : $"Trained {trained} epoch{(trained == 1 ? "" : "s")} in {stopwatch.Elapsed.TotalSeconds:F1} s ({stopwatch.Elapsed.TotalSeconds / trained:F2} s per epoch, validation included).");
        Console.WriteLine($"Test loss (nats per image): {testLoss}");
        var embedding = model.MeasureEmbedding(train.Images, train.Labels, test.Images, test.Labels);
        Console.WriteLine($"Classes kept apart by the 2-D codes: {embedding.Accuracy:P1} of the test images have the class of most of their {embedding.Neighbours} nearest training codes; "
            + $"{embedding.PcaAccuracy:P1} in 2-D PCA fitted on the same images.");

        using (var scope = NewDisposeScope())
        {
            var generator = new Generator().manual_seed(settings.Seed);
            var originals = test.Images.narrow(0, 0, 32);
            ImageGrid.Save(model.Sample(64, generator), settings.Output("samples.png"), columns: 8, scale: 3);
            ImageGrid.Save(cat([originals, model.Reconstruct(originals)]), settings.Output("reconstructions.png"), columns: 8, scale: 3);
            ImageGrid.Save(LatentGrid(model, 12), settings.Output("latent-grid.png"), columns: 12, scale: 2);
            var shown = Math.Min(test.Count, 5000);
            LatentScatter.Save(model.Embed(test.Images.narrow(0, 0, shown)), test.Labels.narrow(0, 0, shown), settings.Output("latent-space.png"));
        }

        model.Save(settings.Output("fashion-vae.safetensors"));
        model.ExportOnnx(settings.Output("onnx"));
        var twin = model.ExportPyTorch(settings.Output("pytorch"));
        Console.WriteLine($"Wrote samples.png, reconstructions.png (top: originals, bottom: reconstructions), latent-grid.png, latent-space.png and fashion-vae.safetensors to {settings.Output(string.Empty)}, "
            + $"the ONNX encoder and decoder to onnx/ (dotnet run --project examples/OnnxDeploy -c Release runs them without libtorch), and the PyTorch twin, its weights and train.py to pytorch/ ({Path.GetFileName(twin.Module)}).");
    }

    return 0;
},
checkpointOption,
patienceOption);

// Decodes an evenly spaced grid over the prior's central region: how the model lays out the data in two dimensions.
static Tensor LatentGrid(FashionVae model, int side)
{
    var axis = linspace(-2.5, 2.5, side);
    var x = axis.repeat(side);
    var y = axis.flip(0).repeat_interleave(side);
    return model.Decode(stack([x, y], dim: 1));
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
