using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace LettersExample;

/// <summary>What a writer's letters are used for.</summary>
internal enum Side
{
    /// <summary>The generative model is trained on them.</summary>
    Training,

    /// <summary>Only the reference classifier that judges the generated letters sees them.</summary>
    Judge,
}

/// <summary>A Debian font package whose capitals are rendered, and the folder under the font root it installs its files in.</summary>
/// <param name="Name">The package, as <c>apt-get install</c> takes it.</param>
/// <param name="Folder">The name of the folder that holds its font files (<c>/usr/share/fonts/truetype/&lt;Folder&gt;</c> on Debian).</param>
/// <param name="Handwriting">Whether its faces imitate handwriting; DejaVu's are type faces.</param>
internal sealed record FontPackage(string Name, string Folder, bool Handwriting);

/// <summary>One font file, taken as one writer.</summary>
/// <param name="Name">The file's name without its extension, unique among the writers (<c>dkgBI</c>, <c>DejaVuSerif-Bold</c>).</param>
/// <param name="Path">The font file.</param>
/// <param name="Package">The package the file comes from.</param>
/// <param name="Side">Whether the generative model or only the judge sees its letters.</param>
internal sealed record Writer(string Name, string Path, FontPackage Package, Side Side);

/// <summary>The writers found under a font root, and the packages none of whose files were there.</summary>
internal sealed record FontInventory(IReadOnlyList<Writer> Writers, IReadOnlyList<FontPackage> Missing);

/// <summary>
/// Finds the font files of the packages the letters are written in and splits them into the writers the generative
/// model learns from and the writers only the judge sees. The split is by file name, fixed, so it does not depend on
/// which packages a machine has, and whole families stay on one side: the judge never sees a face of a family the model
/// learned from. Both sides have handwriting, and DejaVu is split too, so with DejaVu alone both sides still have faces.
/// </summary>
internal static class LetterFonts
{
    /// <summary>Where Debian installs fonts.</summary>
    public const string DefaultRoot = "/usr/share/fonts";

    /// <summary>The packages, handwriting first; each is optional, DejaVu is on every Debian machine.</summary>
    public static readonly IReadOnlyList<FontPackage> Packages =
    [
        new("fonts-dkg-handwriting", "fifthhorseman", Handwriting: true),
        new("fonts-breip", "breip", Handwriting: true),
        new("fonts-femkeklaver", "femkeklaver", Handwriting: true),
        new("fonts-rufscript", "rufscript", Handwriting: true),
        new("fonts-sjfonts", "sjfonts", Handwriting: true),
        new("fonts-humor-sans", "humor-sans", Handwriting: true),
        new("fonts-dejavu-core", "dejavu", Handwriting: false),
    ];

    /// <summary>The judge's handwriting by file name: Breip (both files), Humor Sans, Delphine and Femkeklaver (hollow, outlined letters).</summary>
    private static readonly string[] JudgeNames = ["Breip", "breipfont", "Humor-Sans", "Delphine", "femkeklaver"];

    private static readonly string[] JudgePrefixes = ["DejaVuSerif", "DejaVuSansMono", "DejaVuMath"];

    /// <summary>
    /// The side of the font file named <paramref name="name"/> (without extension): the judge's for Breip, Humor Sans,
    /// Delphine, Femkeklaver, DejaVu Serif, Sans Mono and Math; the model's for the rest (DkgHandwriting's four faces,
    /// Rufscript, Steve Hand, DejaVu Sans in its weights, obliques and condensed forms).
    /// </summary>
    public static Side SideOf(string name) =>
        JudgeNames.Contains(name, StringComparer.Ordinal) || JudgePrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal))
            ? Side.Judge
            : Side.Training;

    /// <summary>The font files (<c>.ttf</c>, <c>.otf</c>) of every package found in a folder of the package's name anywhere under <paramref name="root"/>.</summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> is not a folder.</exception>
    public static FontInventory Find(string root = DefaultRoot)
    {
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The font folder '{root}' does not exist; give the folder the font packages install into (Debian: {DefaultRoot}).");
        }

        var writers = new List<Writer>();
        var missing = new List<FontPackage>();
        var everywhere = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        foreach (var package in Packages)
        {
            var files = Directory.EnumerateDirectories(root, package.Folder, everywhere)
                .SelectMany(folder => Directory.EnumerateFiles(folder))
                .Where(file => Path.GetExtension(file).ToLowerInvariant() is ".ttf" or ".otf")
                .Order(StringComparer.Ordinal)
                .ToList();
            if (files.Count == 0)
            {
                missing.Add(package);
            }

            // A second copy of a file (another folder under the root) would be the same writer twice.
            foreach (var file in files.DistinctBy(Path.GetFileNameWithoutExtension))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                writers.Add(new Writer(name, file, package, SideOf(name)));
            }
        }

        return new FontInventory(writers, missing);
    }
}
