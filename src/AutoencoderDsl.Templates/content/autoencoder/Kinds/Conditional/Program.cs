using System.CommandLine;
using AutoencoderApp;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Training;
using TorchSharp;

// Trains the class-conditional VAE declared in ClassConditionalVae.cs, generates new images of every class and of the
// class asked for, and saves it.
// `dotnet run -- --help` lists the options; `dotnet run -- --class Ring` asks for rings.
var classOption = new Option<string?>("--class") { Description = "The class to generate 16 images of, by name or number (default: the first)." };
return Settings.Run(args, "Trains a class-conditional VAE and generates new images of a chosen class.", settings =>
{
    var (train, test) = ImageData.Load(settings);
    using (train)
    using (test)
    {
        if (train.ClassNames.Count != ClassConditionalVae.Classes)
        {
            // The number of classes is part of the declaration: its one-hot inputs have one entry per class.
            Console.Error.WriteLine($"ClassConditionalVae is declared for {ClassConditionalVae.Classes} classes, but the data has {train.ClassNames.Count} ({string.Join(", ", train.ClassNames)}); "
                + $"write [ClassConditional(Classes = {train.ClassNames.Count})] in ClassConditionalVae.cs and run again.");
            return 1;
        }

        int chosen = ClassChoice.Parse(settings.Parsed.GetValue(classOption), train.ClassNames, "--class");
        using var model = new ClassConditionalVae(seed: settings.Seed);

        // Every call takes the images' classes beside the images: Fit learns from both.
        var history = model.Fit(train.Images, train.Labels, new FitOptions { Epochs = settings.Epochs, Seed = settings.Seed }, validation: test.Images, validationLabels: test.Labels, progress: ConsoleProgress.Instance);
        Console.WriteLine($"Test loss in nats per image: {model.Evaluate(test.Images, test.Labels)}");

        // The class names are saved with the model, so after Load a class can be asked for by name.
        model.ClassNames = train.ClassNames;
        string className = train.ClassNames[chosen];

        // A dispose scope frees the tensors made inside it at its end, instead of leaving them to the garbage collector.
        using (torch.NewDisposeScope())
        {
            const int PerClass = 8;
            var everyClass = torch.arange(ClassConditionalVae.Classes, dtype: torch.int64).repeat_interleave(PerClass);
            Plots.LossCurves(history, settings.Output("loss.png"));
            ImageGrid.Save(model.Sample(everyClass, new torch.Generator((ulong)settings.Seed)), settings.Output("samples-by-class.png"), columns: PerClass, scale: 2, rowLabels: train.ClassNames, title: "New images of every class");
            ImageGrid.Save(model.Sample(16, className, new torch.Generator((ulong)settings.Seed)), settings.Output("samples-of-class.png"), columns: 8, scale: 2, title: $"16 new images of class {className}");
        }

        Console.WriteLine($"Wrote loss.png, samples-by-class.png and samples-of-class.png ({className}) to {settings.OutputFolder}.");

        // Save writes the weights and the class names; Load checks every name and shape and builds a new model from them.
        var path = settings.Output("model.safetensors");
        model.Save(path);
        using var loaded = ClassConditionalVae.Load(path);
        using var before = model.Sample(4, className, new torch.Generator((ulong)settings.Seed));
        using var after = loaded.Sample(4, className, new torch.Generator((ulong)settings.Seed));
        Console.WriteLine($"Saved the model to {path} and loaded it back: it knows the classes {string.Join(", ", loaded.ClassNames!)}, and its samples of {className} are {(before.equal(after).all().item<bool>() ? "identical" : "different")}.");
    }

    return 0;
},
classOption);
