using System;
using System.CommandLine;
using System.IO;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;

namespace AutoencoderDsl.Examples;

/// <summary>The options every example takes.</summary>
/// <param name="DataFolder">A folder with the four Fashion-MNIST IDX files, or null for Debian's package or the built-in data.</param>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="OutputFolder">Where the example writes its files.</param>
/// <param name="Seed">Seeds the weights, the order of the examples and every draw.</param>
/// <param name="Parsed">The whole command line, for an example's own options.</param>
internal sealed record ExampleSettings(string? DataFolder, int Epochs, string OutputFolder, long Seed, ParseResult Parsed)
{
    /// <summary>
    /// Fashion-MNIST from <see cref="DataFolder"/> or Debian's <c>dataset-fashion-mnist</c>; otherwise the built-in shapes,
    /// <paramref name="syntheticTrain"/> and <paramref name="syntheticTest"/> of them. Says which on the console.
    /// </summary>
    public (LabelledImages Train, LabelledImages Test) LoadData(int syntheticTrain = 12000, int syntheticTest = 2000)
    {
        if (DataFolder is not null || FashionMnist.IsAvailable())
        {
            var (train, test) = FashionMnist.Load(DataFolder);
            Console.WriteLine($"Data: Fashion-MNIST from {DataFolder ?? FashionMnist.DefaultFolder}, {train.Count:N0} training and {test.Count:N0} test images.");
            return (train, test);
        }

        Console.WriteLine(
            $"Fashion-MNIST is not in {FashionMnist.DefaultFolder} (apt-get install dataset-fashion-mnist) and no --data folder was given; "
            + $"using {syntheticTrain:N0} training and {syntheticTest:N0} test images of the built-in synthetic shapes.");
        return (SyntheticShapes.Generate(syntheticTrain, seed: unchecked((int)Seed)), SyntheticShapes.Generate(syntheticTest, seed: unchecked((int)Seed + 1)));
    }

    /// <summary>The path of <paramref name="fileName"/> in the output folder, which is created.</summary>
    public string Output(string fileName)
    {
        Directory.CreateDirectory(OutputFolder);
        return Path.GetFullPath(Path.Combine(OutputFolder, fileName));
    }
}

/// <summary>What the examples print while they train.</summary>
internal static class ExampleProgress
{
    /// <summary>One line per epoch: its time, its training loss terms and, when there is validation data, those too.</summary>
    public static IProgress<TrainingProgress> Epochs { get; } = new SynchronousProgress<TrainingProgress>(report =>
    {
        if (report.Kind == TrainingProgressKind.Epoch)
        {
            var validation = report.Validation is null ? string.Empty : $"; validation {report.Validation}";
            Console.WriteLine($"epoch {report.Epoch}/{report.Epochs}: {report.Elapsed.TotalSeconds:F1} s, train {report.Train}{validation}");
        }
    });
}

/// <summary>Parses an example's command line with System.CommandLine, so <c>--help</c> lists every option.</summary>
internal static class ExampleCommand
{
    /// <param name="extra">The example's own options, read through <see cref="ExampleSettings.Parsed"/>.</param>
    public static int Run(string[] args, string description, int defaultEpochs, string defaultOutput, Func<ExampleSettings, int> run, params Option[] extra)
    {
        var data = new Option<string?>("--data") { Description = "A folder with the four Fashion-MNIST IDX files (default: Debian's dataset-fashion-mnist if installed, else the built-in shapes)." };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data.", DefaultValueFactory = _ => defaultEpochs };
        var output = new Option<string>("--out") { Description = "The folder to write the pictures and the model to.", DefaultValueFactory = _ => defaultOutput };
        var seed = new Option<long>("--seed") { Description = "Seeds the weights, the order of the examples and every draw.", DefaultValueFactory = _ => 1 };
        epochs.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--epochs must be at least 1.");
            }
        });
        var command = new RootCommand(description) { data, epochs, output, seed };
        foreach (var option in extra)
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed => run(new ExampleSettings(parsed.GetValue(data), parsed.GetValue(epochs), parsed.GetValue(output)!, parsed.GetValue(seed), parsed)));
        return command.Parse(args).Invoke();
    }
}
