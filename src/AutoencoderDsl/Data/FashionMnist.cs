using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace AutoencoderDsl.Data;

/// <summary>
/// Loads Fashion-MNIST (Zalando, 2017): 70,000 greyscale 28×28 images of clothing in ten classes, split into
/// 60,000 for training and 10,000 for testing.
/// </summary>
/// <remarks>
/// The loader reads the four IDX files under their standard names, each gzip-compressed (<c>.gz</c>) or not.
/// On Debian and Ubuntu, <c>apt-get install dataset-fashion-mnist</c> puts them in <see cref="DefaultFolder"/>.
/// </remarks>
public static class FashionMnist
{
    /// <summary>The folder Debian's <c>dataset-fashion-mnist</c> package installs the files into.</summary>
    public const string DefaultFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private static readonly string[] FileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Whether all four files are present in <paramref name="folder"/>.</summary>
    /// <param name="folder">The folder to look in; <see cref="DefaultFolder"/> if <see langword="null"/>.</param>
    public static bool IsAvailable(string? folder = null) =>
        FileNames.All(name => Find(folder ?? DefaultFolder, name) is not null);

    /// <summary>Loads the training and test splits.</summary>
    /// <param name="folder">The folder holding the four IDX files; <see cref="DefaultFolder"/> if <see langword="null"/>.</param>
    /// <returns>
    /// Both splits with images as <c>float32 [N, 1, 28, 28]</c> in [0, 1] and labels as <c>int64 [N]</c>;
    /// the caller disposes them.
    /// </returns>
    /// <exception cref="FileNotFoundException">A file is missing; the message names the folder and every missing file.</exception>
    /// <exception cref="InvalidDataException">A file is malformed, or an images file and its labels file disagree.</exception>
    public static (LabelledImages Train, LabelledImages Test) Load(string? folder = null)
    {
        folder ??= DefaultFolder;
        var paths = FileNames.Select(name => Find(folder, name)).ToArray();
        var missing = FileNames.Where((_, i) => paths[i] is null).ToArray();
        if (missing.Length > 0)
        {
            throw new FileNotFoundException(
                $"Fashion-MNIST is incomplete in '{folder}': missing {string.Join(", ", missing)} (with or without .gz). "
                + "Install the Debian package dataset-fashion-mnist, or download the files from https://github.com/zalandoresearch/fashion-mnist.",
                Path.Combine(folder, missing[0]));
        }

        var train = IdxFile.ReadLabelledImages(paths[0]!, paths[1]!, ClassNames);
        try
        {
            return (train, IdxFile.ReadLabelledImages(paths[2]!, paths[3]!, ClassNames));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private static string? Find(string folder, string name)
    {
        string raw = Path.Combine(folder, name);
        return File.Exists(raw + ".gz") ? raw + ".gz" : File.Exists(raw) ? raw : null;
    }
}
