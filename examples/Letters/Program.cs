using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Examples;
using AutoencoderDsl.Images;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Training;
using LettersExample;
using TorchSharp;
using static TorchSharp.torch;

// More images of the handwritten letter A: renders the capitals of Debian's handwriting fonts (and DejaVu) with random
// distortions into an image folder, trains a class-conditional VAE on it, asks it for new letters, and lets a
// classifier trained only on other fonts judge whether each is the letter asked for.
var perLetterOption = new Option<int>("--per-letter") { Description = "Distorted images of each letter rendered from each font.", DefaultValueFactory = _ => 40 };
var fontsOption = new Option<string>("--fonts") { Description = "The folder the font packages are installed in.", DefaultValueFactory = _ => LetterFonts.DefaultRoot };
perLetterOption.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int>() < 1)
    {
        result.AddError("--per-letter must be at least 1.");
    }
});

return ExampleCommand.Run(args, "Renders capitals from handwriting fonts into an image folder (--data names it; default: OUT/letters), trains a class-conditional VAE on it and writes more images of the letter A.", defaultEpochs: 20, defaultOutput: "letters-output", settings =>
{
    var total = Stopwatch.StartNew();
    var inventory = LetterFonts.Find(settings.Parsed.GetValue(fontsOption)!);
    foreach (var package in inventory.Missing)
    {
        Console.WriteLine($"warning: {package.Name} is not installed (apt-get install {package.Name}); going on without its fonts.");
    }

    var clock = Stopwatch.StartNew();
    int perLetter = settings.Parsed.GetValue(perLetterOption);
    var folders = LetterFolders.Write(inventory.Writers, settings.DataFolder ?? settings.Output("letters"), perLetter, settings.Seed);
    foreach (var problem in folders.Skipped)
    {
        Console.WriteLine($"warning: skipped {problem}.");
    }

    Console.WriteLine($"Fonts the model learns from ({folders.TrainingWriters.Count}): {string.Join(", ", folders.TrainingWriters.Select(w => w.Name))}.");
    Console.WriteLine($"Fonts only the judge sees ({folders.JudgeWriters.Count}): {string.Join(", ", folders.JudgeWriters.Select(w => w.Name))}.");
    Console.WriteLine($"Rendered {perLetter} distorted images of each letter from each font in {clock.Elapsed.TotalSeconds:F1} s.");
    ExampleFiles.Wrote(folders.Training, "the letters the model learns from, a folder per letter");
    ExampleFiles.Wrote(folders.Judge, "the letters of the judge's fonts, a folder per letter");

    // The model learns from the folder through the library's data path; the judge's and the real letters it is
    // measured on are read whole, as the reference classifier takes tensors.
    var options = new ImageFolderOptions { CacheFolder = folders.Cache };
    using var training = ImageFolder.Open(folders.Training, LettersCvae.InputShape, options);
    using var judged = ImageFolder.Open(folders.Judge, LettersCvae.InputShape, options);
    using (var firsts = FirstImages([(training, folders.TrainingWriters), (judged, folders.JudgeWriters)]))
    {
        var path = settings.Output("rendered-letters.png");
        var rowLabels = folders.TrainingWriters.Select(writer => $"{writer.Name} (model)").Concat(folders.JudgeWriters.Select(writer => $"{writer.Name} (judge)")).ToList();
        ImageGrid.Save(firsts, path, columns: LettersCvae.Classes, scale: 2, rowLabels: rowLabels, title: "The first rendered image of each letter, a row per font");
        ExampleFiles.Wrote(path, "a row per font: what the model and the judge learn from");
    }

    using var model = new LettersCvae(seed: settings.Seed);
    clock.Restart();
    var history = ExampleProgress.Train(progress => model.Fit(training, new FitOptions { Epochs = settings.Epochs, Seed = settings.Seed }, progress: progress));
    Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s; last epoch's loss {history.Last.Train} (nats per image).");

    using var classifier = TrainJudge(judged, settings.Seed);
    Console.WriteLine($"Reference classifier, trained on the judge's fonts only: {Share(AccuracyOn(classifier, training))} of the real letters the model learned from (fonts it never saw) classified right.");

    using var scope = NewDisposeScope();
    const int Asked = 200;
    var asked = arange(LettersCvae.Classes, dtype: ScalarType.Int64).repeat_interleave(Asked);
    var samples = model.Sample(asked, new Generator((ulong)settings.Seed));
    var agreement = classifier.Assess(samples, asked);
    var letters = model.ClassNames!;
    Console.WriteLine($"Letter A: {Share(agreement.PerClassAccuracy[0])} of {Asked} generated A's are classified as A (chance: {Share(1.0 / LettersCvae.Classes)}).");
    Console.WriteLine($"Every letter: on average {Share(agreement.PerClassAccuracy.Average())} of the {Asked} generated for a letter are classified as that letter; per letter:");
    Console.WriteLine("  " + string.Join("  ", letters.Select((letter, label) => $"{letter} {agreement.PerClassAccuracy[label].ToString("P0", CultureInfo.InvariantCulture)}")));

    var file = settings.Output("more-letter-a.png");
    ImageGrid.Save(model.Sample(64, "A", new Generator((ulong)settings.Seed)), file, columns: 8, scale: 3, title: "More images of the letter A");
    ExampleFiles.Wrote(file, "64 generated A's");
    var firstTen = (arange(LettersCvae.Classes).repeat_interleave(10) * Asked) + arange(10).repeat(LettersCvae.Classes);
    file = settings.Output("letters.png");
    ImageGrid.Save(samples.index_select(0, firstTen), file, columns: 10, scale: 2, rowLabels: letters, title: "Ten generated images of each letter");
    ExampleFiles.Wrote(file, "a row per letter, each generated for that letter");
    file = settings.Output("letters-cvae.safetensors");
    model.Save(file);
    ExampleFiles.Wrote(file, "the model, for LettersCvae.Load");
    Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:F1} s.");
    return 0;
}, perLetterOption, fontsOption);

// The first image of each letter of each writer, a row per writer, read through the folders' data sets.
static Tensor FirstImages(IEnumerable<(ImageFolder Folder, IReadOnlyList<Writer> Writers)> sides)
{
    using var scope = NewDisposeScope();
    var images = new List<Tensor>();
    foreach (var (folder, writers) in sides)
    {
        var indexOf = Enumerable.Range(0, (int)folder.Count).ToDictionary(index => folder.Origin(index)!, index => (long)index);
        images.AddRange(writers.SelectMany(writer => Enumerable.Range(0, LettersCvae.Classes)
            .Select(letter => folder.GetTensor(indexOf[LetterFolders.FileOf(folder.Folder, writer, letter, 0)])[DataKeys.Data])));
    }

    return stack(images).MoveToOuterDisposeScope();
}

// The reference classifier, trained on the letters of the judge's fonts alone.
static ReferenceClassifier TrainJudge(ImageFolder judged, long seed)
{
    var (images, labels) = judged.ReadAll();
    using (images)
    using (labels)
    {
        return ReferenceClassifier.Train(images, labels!, LettersCvae.Classes, epochs: 10, seed: seed);
    }
}

// The share of a folder's letters the classifier gets right.
static double AccuracyOn(ReferenceClassifier classifier, ImageFolder letters)
{
    var (images, labels) = letters.ReadAll();
    using (images)
    using (labels)
    {
        return classifier.Accuracy(images, labels!);
    }
}

// Shares in one format whatever the machine's culture, so that tests and scripts can read them.
static string Share(double share) => share.ToString("P1", CultureInfo.InvariantCulture);
