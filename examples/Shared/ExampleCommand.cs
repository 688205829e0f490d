using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.Images;
using AutoencoderDsl.Training;
using Spectre.Console;

namespace AutoencoderDsl.Examples;

/// <summary>The options every example takes.</summary>
/// <param name="DataFolder">A folder with the four Fashion-MNIST IDX files or an image folder, or null for Debian's package or the built-in data.</param>
/// <param name="Epochs">Passes over the training data.</param>
/// <param name="OutputFolder">Where the example writes its files.</param>
/// <param name="Seed">Seeds the weights, the order of the examples and every draw.</param>
/// <param name="Parsed">The whole command line, for an example's own options.</param>
internal sealed record ExampleSettings(string? DataFolder, int Epochs, string OutputFolder, long Seed, ParseResult Parsed)
{
    /// <summary>The <c>--data</c> value that asks for the built-in shapes even where Fashion-MNIST is installed.</summary>
    public const string BuiltIn = "builtin";

    /// <summary>
    /// Fashion-MNIST from <see cref="DataFolder"/> or Debian's <c>dataset-fashion-mnist</c>; an image folder (one
    /// subfolder per class, or images directly) when <see cref="DataFolder"/> holds no Fashion-MNIST files; otherwise,
    /// or when <see cref="DataFolder"/> is <see cref="BuiltIn"/>, the built-in shapes, <paramref name="syntheticTrain"/>
    /// and <paramref name="syntheticTest"/> of them. Says which on the console.
    /// </summary>
    public (LabelledImages Train, LabelledImages Test) LoadData(int syntheticTrain = 12000, int syntheticTest = 2000)
    {
        if (DataFolder is not null && DataFolder != BuiltIn && !FashionMnist.IsAvailable(DataFolder))
        {
            return LoadImageFolder(DataFolder);
        }

        if (DataFolder != BuiltIn && (DataFolder is not null || FashionMnist.IsAvailable()))
        {
            var (train, test) = FashionMnist.Load(DataFolder);
            Console.WriteLine($"Data: Fashion-MNIST from {DataFolder ?? FashionMnist.DefaultFolder}, {train.Count:N0} training and {test.Count:N0} test images.");
            return (train, test);
        }

        Console.WriteLine(DataFolder == BuiltIn
            ? $"Data: {syntheticTrain:N0} training and {syntheticTest:N0} test images of the built-in synthetic shapes."
            : $"Fashion-MNIST is not in {FashionMnist.DefaultFolder} (apt-get install dataset-fashion-mnist) and no --data folder was given; "
                + $"using {syntheticTrain:N0} training and {syntheticTest:N0} test images of the built-in synthetic shapes.");
        return (SyntheticShapes.Generate(syntheticTrain, seed: unchecked((int)Seed)), SyntheticShapes.Generate(syntheticTest, seed: unchecked((int)Seed + 1)));
    }

    /// <summary>The share of an image folder's images held out as test images, chosen by a permutation of the seed.</summary>
    private const double TestShare = 1.0 / 6;

    /// <summary>
    /// An image folder, converted to 28 × 28 grey and read into memory (the examples draw and measure from tensors), its
    /// bad files skipped and named; a flat folder's images are one class named after the folder.
    /// </summary>
    private (LabelledImages Train, LabelledImages Test) LoadImageFolder(string folder)
    {
        using var images = ImageFolder.Open(folder, [1, 28, 28], new ImageFolderOptions { SkipBadFiles = true });
        var classes = images.ClassNames ?? [Path.GetFileName(Path.TrimEndingDirectorySeparator(images.Folder))];
        Console.WriteLine($"Data: image folder {images.Folder}, {images.Count:N0} images in {classes.Count} {(classes.Count == 1 ? "class" : "classes")} ({string.Join(", ", classes.Take(10))}{(classes.Count > 10 ? ", …" : "")}), "
            + $"{images.IgnoredFiles} files that are not images ignored, {images.Skipped.Count} bad files skipped.");
        foreach (var skipped in images.Skipped)
        {
            Console.WriteLine($"  skipped {skipped}");
        }

        if (images.Count < 2)
        {
            throw new InvalidDataException($"The image folder '{images.Folder}' holds {images.Count} readable image; an example needs at least 2, to train on and to test on.");
        }

        var (pixels, labels) = images.ReadAll();
        using (pixels)
        using (labels)
        using (var generator = new TorchSharp.torch.Generator(unchecked((ulong)Seed), TorchSharp.torch.CPU))
        {
            long count = images.Count, test = Math.Max(1, (long)Math.Round(count * TestShare));
            using var order = TorchSharp.torch.randperm(count, generator: generator);
            using var allLabels = labels?.alias() ?? TorchSharp.torch.zeros(count, dtype: TorchSharp.torch.int64);
            LabelledImages Take(long start, long length)
            {
                using var rows = order.narrow(0, start, length);
                return new LabelledImages(pixels.index_select(0, rows), allLabels.index_select(0, rows), classes);
            }

            Console.WriteLine($"  {count - test:N0} images to train on, {test:N0} held out to test.");
            return (Take(0, count - test), Take(count - test, test));
        }
    }

    /// <summary>The path of <paramref name="fileName"/> in the output folder, which is created.</summary>
    public string Output(string fileName)
    {
        Directory.CreateDirectory(OutputFolder);
        return Path.GetFullPath(Path.Combine(OutputFolder, fileName));
    }
}

/// <summary>
/// What the examples show while they train: on a terminal, a live Spectre.Console bar for the epoch (batches, the loss
/// terms, examples per second, time left) above one line per finished epoch; elsewhere (a CI log, a pipe) the lines alone.
/// </summary>
internal static class ExampleProgress
{
    /// <summary>Runs <paramref name="fit"/> with a progress receiver and returns its history.</summary>
    /// <param name="fit">Trains, reporting to the receiver it is given.</param>
    public static TrainingHistory Train(Func<IProgress<TrainingProgress>, TrainingHistory> fit)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            return fit(new SynchronousProgress<TrainingProgress>(report =>
            {
                if (report.Kind == TrainingProgressKind.Epoch)
                {
                    Console.WriteLine(EpochLine(report));
                }
            }));
        }

        return AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                ProgressTask? task = null;
                return fit(new SynchronousProgress<TrainingProgress>(report =>
                {
                    task ??= context.AddTask("training", maxValue: report.Batches);
                    if (report.Kind == TrainingProgressKind.Epoch)
                    {
                        AnsiConsole.WriteLine(EpochLine(report));
                        task.Value = 0;
                        return;
                    }

                    task.MaxValue = report.Batches;
                    task.Value = report.Batch;
                    task.Description = Markup.Escape($"epoch {report.Epoch}/{report.Epochs}  {report.Train}  {report.ExamplesPerSecond:N0}/s  {Left(report.TimeLeft)}");
                }));
            });
    }

    private static string EpochLine(TrainingProgress report)
    {
        var validation = report.Validation is null ? string.Empty : $"; validation {report.Validation}";
        return $"epoch {report.Epoch}/{report.Epochs}: {report.Elapsed.TotalSeconds:F1} s, train {report.Train}{validation}";
    }

    private static string Left(TimeSpan left) => $"{(int)left.TotalMinutes}:{left.Seconds:00} left";
}

/// <summary>Where an example wrote its files, printed as it writes them.</summary>
internal static class ExampleFiles
{
    /// <summary>Says that <paramref name="path"/> was written and what it shows.</summary>
    public static void Wrote(string path, string what) => Console.WriteLine($"Wrote {path}: {what}.");
}

/// <summary>Parses an example's command line with System.CommandLine, so <c>--help</c> lists every option.</summary>
internal static class ExampleCommand
{
    /// <param name="extra">The example's own options, read through <see cref="ExampleSettings.Parsed"/>.</param>
    public static int Run(string[] args, string description, int defaultEpochs, string defaultOutput, Func<ExampleSettings, int> run, params Option[] extra)
    {
        var data = new Option<string?>("--data") { Description = $"A folder with the four Fashion-MNIST IDX files, an image folder (one subfolder per class, or images directly; PNG, JPEG, BMP, GIF, WebP, converted to 28 × 28 grey), or {ExampleSettings.BuiltIn} for the built-in synthetic shapes (default: Debian's dataset-fashion-mnist if installed, else the built-in shapes)." };
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
