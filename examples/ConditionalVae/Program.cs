using System;
using System.Diagnostics;
using System.Globalization;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Examples;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Training;
using ConditionalVaeExample;
using TorchSharp;
using static TorchSharp.torch;

// Generation of a chosen kind: trains a class-conditional VAE, asks it for 100 new images of each class, and lets a
// classifier trained on the real images judge whether each sample is of the class it was asked for.
return ExampleCommand.Run(args, "Trains a class-conditional VAE and generates new images of each class.", defaultEpochs: 10, defaultOutput: "conditional-vae-output", settings =>
{
    var (train, test) = settings.LoadData();
    using (train)
    using (test)
    {
        if (train.ClassNames.Count != ClothesCvae.Classes)
        {
            // The number of classes is part of the declaration, so a folder of another number needs another declaration.
            Console.Error.WriteLine($"ClothesCvae is declared for {ClothesCvae.Classes} classes ([ClassConditional(Classes = {ClothesCvae.Classes})] in ClothesCvae.cs), but the data has {train.ClassNames.Count} ({string.Join(", ", train.ClassNames)}); "
                + $"declare Classes = {train.ClassNames.Count} there and run again.");
            return 1;
        }

        using var model = new ClothesCvae(seed: settings.Seed);
        var clock = Stopwatch.StartNew();
        ExampleProgress.Train(progress => model.Fit(
            train.Images,
            train.Labels,
            new FitOptions { Epochs = settings.Epochs, Seed = settings.Seed },
            progress: progress));
        Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s; test loss {model.Evaluate(test.Images, test.Labels)} (nats per image).");

        using var classifier = ReferenceClassifier.Train(train.Images, train.Labels, ClothesCvae.Classes, epochs: 5, seed: settings.Seed);
        Console.WriteLine($"Reference classifier (trained on the real training images): {classifier.Accuracy(test.Images, test.Labels):P1} on the real test images.");

        using var scope = NewDisposeScope();
        var asked = arange(ClothesCvae.Classes, dtype: ScalarType.Int64).repeat_interleave(100);
        var samples = model.Sample(asked, new Generator((ulong)settings.Seed));
        var agreement = classifier.Assess(samples, asked);
        Console.WriteLine($"Of 100 samples asked of each class, {agreement.Accuracy:P1} are classified as the class asked (chance: 10 %); {agreement.ConfidentAccuracy:P1} with confidence ≥ 0.9.");
        for (int label = 0; label < ClothesCvae.Classes; label++)
        {
            Console.WriteLine($"  {train.ClassNames[label],-12} {agreement.PerClassAccuracy[label].ToString("P0", CultureInfo.InvariantCulture),5}");
        }

        // The first ten samples of each class, a row per class.
        var firstTen = (arange(ClothesCvae.Classes).repeat_interleave(10) * 100) + arange(10).repeat(ClothesCvae.Classes);
        var path = settings.Output("samples-by-class.png");
        ImageGrid.Save(samples.index_select(0, firstTen), path, columns: 10, scale: 2, rowLabels: train.ClassNames, title: "Ten samples generated for each class");
        ExampleFiles.Wrote(path, "one row per class, each generated for that class");
        model.Save(settings.Output("clothes-cvae.safetensors"));
        ExampleFiles.Wrote(settings.Output("clothes-cvae.safetensors"), "the model, for ClothesCvae.Load");
    }

    return 0;
});
