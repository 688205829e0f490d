using AutoencoderDsl.Data;
using AutoencoderDsl.Images;
using TorchSharp;

namespace AutoencoderApp;

/// <summary>The images to train and test on, shaped as <see cref="ImageShape"/>: a folder of your own, or shapes the library draws.</summary>
internal static class ImageData
{
    /// <summary>The share of the images held out to test on: the model never trains on them.</summary>
    private const double TestShare = 0.2;

    /// <summary>Reads or draws the images and splits them, at random but the same for the same seed, into training and test images.</summary>
    public static (LabelledImages Train, LabelledImages Test) Load(Settings settings)
    {
        using var all = settings.Data is null ? DrawShapes(settings.Examples, settings.Seed) : ReadFolder(settings.Data);
        if (all.Count < 2)
        {
            throw new InvalidDataException($"The folder '{settings.Data}' holds {all.Count} readable image; at least 2 are needed, to train on and to test on.");
        }

        using var generator = new torch.Generator((ulong)settings.Seed);
        using var order = torch.randperm(all.Count, generator: generator);
        using var shuffled = new LabelledImages(all.Images.index_select(0, order), all.Labels.index_select(0, order), all.ClassNames);
        var (test, train) = shuffled.Split(Math.Max(1, (int)(all.Count * TestShare)));
        Console.WriteLine($"{train.Count:N0} images to train on, {test.Count:N0} held out to test on.");
        return (train, test);
    }

    private static LabelledImages DrawShapes(int count, int seed)
    {
        // The shapes are drawn square and grey: cropping to the height and width and copying the grey into every
        // channel fits them to ImageShape.
        int side = Math.Max(ImageShape.Height, ImageShape.Width);
        if (Math.Min(ImageShape.Height, ImageShape.Width) < 8)
        {
            throw new ArgumentException($"The built-in shapes are drawn at least 8 × 8 pixels, but ImageShape is {ImageShape.Height} × {ImageShape.Width}; make it larger in ImageShape.cs or train on a folder with --data.");
        }

        using var shapes = SyntheticShapes.Generate(count, seed, side);
        using var cropped = shapes.Images
            .narrow(2, (side - ImageShape.Height) / 2, ImageShape.Height)
            .narrow(3, (side - ImageShape.Width) / 2, ImageShape.Width);
        Console.WriteLine($"Data: {count:N0} built-in shapes in {shapes.ClassNames.Count} classes ({string.Join(", ", shapes.ClassNames)}).");
        return new LabelledImages(cropped.repeat(1, ImageShape.Channels, 1, 1), shapes.Labels.clone(), shapes.ClassNames);
    }

    private static LabelledImages ReadFolder(string folder)
    {
        // Each image is cropped to ImageShape's aspect ratio, scaled and converted to grey or colour. Files that are not
        // images are ignored; damaged images are skipped and named. ReadAll holds every image in memory: for a folder
        // larger than memory, pass the ImageFolder itself to Fit, which reads it in batches.
        using var images = ImageFolder.Open(folder, [ImageShape.Channels, ImageShape.Height, ImageShape.Width], new ImageFolderOptions { SkipBadFiles = true });
        foreach (var skipped in images.Skipped)
        {
            Console.WriteLine($"  skipped {skipped}");
        }

        // Subfolders are classes; images directly in the folder are one class, named after it.
        var classes = images.ClassNames ?? [Path.GetFileName(Path.TrimEndingDirectorySeparator(images.Folder))];
        Console.WriteLine($"Data: {images.Count:N0} images from {images.Folder} in {classes.Count} {(classes.Count == 1 ? "class" : "classes")}.");
        var (pixels, labels) = images.ReadAll();
        return new LabelledImages(pixels, labels ?? torch.zeros(images.Count, dtype: torch.int64), classes);
    }
}
