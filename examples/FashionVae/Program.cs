using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using AutoencoderDsl.Examples;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Onnx;
using AutoencoderDsl.PyTorch;
using AutoencoderDsl.Training;
using FashionVaeExample;
using TorchSharp;
using static TorchSharp.torch;

// Trains the 2-D FashionVae, then shows what it learned: the test loss, how well its codes keep classes apart, samples,
// reconstructions, the manifold, the latent map, the loss curves and a page to explore it; and exports it.
var checkpointOption = new Option<string?>("--checkpoint") { Description = "A checkpoint written after every epoch; a run started again with the same file resumes where it stopped." };
var patienceOption = new Option<int?>("--early-stopping") { Description = "Hold out 10 % of the training images and stop when their loss has not improved for this many epochs, keeping the best epoch's weights (--epochs is then the most)." };
return ExampleCommand.Run(args, "Trains a VAE with a 2-D latent space and writes samples, reconstructions and the latent map.", defaultEpochs: 10, defaultOutput: "fashion-vae-output", settings =>
{
    var (train, test) = settings.LoadData();
    using (train)
    using (test)
    {
        using var model = new FashionVae(seed: settings.Seed);
        var stopwatch = Stopwatch.StartNew();
        var patience = settings.Parsed.GetValue(patienceOption);
        var options = new FitOptions { Epochs = settings.Epochs, BatchSize = 128, LearningRate = 1e-3, Seed = settings.Seed, CheckpointPath = settings.Parsed.GetValue(checkpointOption) };
        var history = ExampleProgress.Train(progress => patience is int epochs
            ? model.Fit(train.Images, options with { ValidationSplit = 0.1, EarlyStopping = new EarlyStopping(Patience: epochs) }, progress: progress)
            : model.Fit(train.Images, options, validation: test.Images, progress: progress));
        stopwatch.Stop();
        if (history.BestEpoch is int best)
        {
            Console.WriteLine($"\n{(history.StopReason == TrainingStopReason.EarlyStopping ? "Stopped early" : "Trained every epoch")} after epoch {history.Last.Epoch}; best epoch {best} "
                + $"(held-out loss {history.Epochs[best - 1].Validation!.Total:F2}){(history.RestoredBestWeights ? ", whose weights the model keeps" : string.Empty)}.");
        }

        var testLoss = model.Evaluate(test.Images);
        Console.WriteLine();
        int trained = history.TrainedEpochs;
        Console.WriteLine(trained == 0
            ? $"All {history.Epochs.Count} epochs were already in the checkpoint."
            : $"Trained {trained} epoch{(trained == 1 ? "" : "s")} in {stopwatch.Elapsed.TotalSeconds:F1} s ({stopwatch.Elapsed.TotalSeconds / trained:F2} s per epoch, validation included).");
        Console.WriteLine($"Test loss (nats per image): {testLoss}");
        var embedding = model.MeasureEmbedding(train.Images, train.Labels, test.Images, test.Labels);
        Console.WriteLine($"Classes kept apart by the 2-D codes: {embedding.Accuracy:P1} of the test images have the class of most of their {embedding.Neighbours} nearest training codes; "
            + $"{embedding.PcaAccuracy:P1} in 2-D PCA fitted on the same images.");
        if (embedding is { Code.Trustworthiness10: double code, Pca.Trustworthiness10: double pca })
        {
            Console.WriteLine($"Neighbourhoods kept by the 2-D codes: trustworthiness {embedding.Code.Trustworthiness5:F3} at 5 neighbours and {code:F3} at 10; "
                + $"2-D PCA {embedding.Pca.Trustworthiness5:F3} and {pca:F3}.");
        }
        Console.WriteLine();

        using (var scope = NewDisposeScope())
        {
            var generator = new Generator().manual_seed(settings.Seed);
            var originals = test.Images.narrow(0, 0, 16);
            int shown = Math.Min(test.Count, 10_000), explored = Math.Min(shown, 1000);
            var points = model.Embed(test.Images.narrow(0, 0, shown));
            var labels = test.Labels.narrow(0, 0, shown);

            ImageGrid.Save(model.Sample(64, generator), settings.Output("samples.png"), columns: 8, scale: 2, title: "64 samples from the prior");
            ExampleFiles.Wrote(settings.Output("samples.png"), "images decoded from codes drawn from N(0, I)");
            ImageGrid.Save(cat([originals, model.Reconstruct(originals)]), settings.Output("reconstructions.png"), columns: 8, scale: 2, rowLabels: ["originals", "", "reconstructed", ""]);
            ExampleFiles.Wrote(settings.Output("reconstructions.png"), "16 test images above their reconstructions");
            Plots.DecodedManifold(z => model.Decode(z), points, settings.Output("manifold.png"), side: 20, title: "The decoder where the test codes lie");
            ExampleFiles.Wrote(settings.Output("manifold.png"), "the 2-D manifold: images decoded on an even 20 × 20 grid over the test codes, faded to grey where few of them lie");
            Plots.LatentScatter(points, labels, test.ClassNames, settings.Output("latent-space.png"), $"Codes of {shown:N0} test images");
            ExampleFiles.Wrote(settings.Output("latent-space.png"), "the posterior means of the test images, coloured by class");
            Plots.ThumbnailMap(points, test.Images.narrow(0, 0, shown), labels, test.ClassNames, settings.Output("thumbnails.png"), title: $"Test images where their codes lie");
            ExampleFiles.Wrote(settings.Output("thumbnails.png"), "the test image nearest the centre of each square of the map, drawn where its code lies");
            Plots.LossCurves(history, settings.Output("loss.png"));
            ExampleFiles.Wrote(settings.Output("loss.png"), "every loss term per epoch, training and validation");
            LatentExplorer.Write(settings.Output("explorer.html"), points[..explored], labels[..explored], test.ClassNames, test.Images[..explored], model.Reconstruct(test.Images[..explored]), z => model.Decode(z), gridSide: 32, title: "FashionVae: the latent space");
            ExampleFiles.Wrote(settings.Output("explorer.html"), "a page to explore the latent space in a browser (hover a point, click the plane)");
        }

        model.Save(settings.Output("fashion-vae.safetensors"));
        ExampleFiles.Wrote(settings.Output("fashion-vae.safetensors"), "the model, for FashionVae.Load");
        var onnx = model.ExportOnnx(settings.Output("onnx"));
        ExampleFiles.Wrote(Path.GetDirectoryName(onnx.Encoder)!, "encoder.onnx and decoder.onnx, which dotnet run --project examples/OnnxDeploy -c Release runs without libtorch, and autoencoder.onnx, the whole model for ML.NET");
        var twin = model.ExportPyTorch(settings.Output("pytorch"));
        ExampleFiles.Wrote(Path.GetDirectoryName(twin.Module)!, $"the PyTorch twin {Path.GetFileName(twin.Module)}, its weights and train.py");
    }

    return 0;
},
checkpointOption,
patienceOption);

