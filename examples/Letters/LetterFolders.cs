using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace LettersExample;

/// <summary>The two image folders written, and which writers went into each.</summary>
/// <param name="Training">The folder the generative model learns from: one subfolder per letter, A to Z.</param>
/// <param name="Judge">The folder, laid out the same, of the writers only the reference classifier sees.</param>
/// <param name="TrainingWriters">The writers in <paramref name="Training"/>.</param>
/// <param name="JudgeWriters">The writers in <paramref name="Judge"/>.</param>
/// <param name="Skipped">Font files that could not be used, each with the reason.</param>
/// <param name="Cache">A folder beside the two for their image caches, so that the caches stay with the letters rather than in the temporary folder.</param>
internal sealed record LetterFolderSet(string Training, string Judge, IReadOnlyList<Writer> TrainingWriters, IReadOnlyList<Writer> JudgeWriters, IReadOnlyList<string> Skipped, string Cache);

/// <summary>
/// Writes every writer's capitals, <c>perLetter</c> distorted images of each, as PNGs in two image folders with one
/// subfolder per letter: <c>train/A/dkg-000.png</c>, …, <c>judge/Z/Humor-Sans-039.png</c>. Each image is drawn from
/// its own seed (the run's seed, the writer's name, the letter and its number), so it does not change with the fonts a
/// machine has or the order they are found in.
/// </summary>
internal static class LetterFolders
{
    /// <summary>The file that marks a folder as written by this example, listing what is in it; a rerun may replace such a folder.</summary>
    public const string Manifest = "letters.txt";

    /// <summary>Renders <paramref name="writers"/> into <c>train</c> and <c>judge</c> under <paramref name="root"/>, replacing what an earlier run wrote there.</summary>
    /// <exception cref="IOException"><paramref name="root"/> holds files this example did not write.</exception>
    /// <exception cref="InvalidOperationException">No writer of one side can write every capital.</exception>
    public static LetterFolderSet Write(IReadOnlyList<Writer> writers, string root, int perLetter, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perLetter, 1);
        root = Path.GetFullPath(root);
        Clear(root);
        var training = Path.Combine(root, "train");
        var judge = Path.Combine(root, "judge");
        foreach (var letter in LetterRenderer.Letters)
        {
            Directory.CreateDirectory(Path.Combine(training, letter.ToString()));
            Directory.CreateDirectory(Path.Combine(judge, letter.ToString()));
        }

        // Each writer on its own thread: every image has its own seed and file, so the order cannot change them.
        var problems = new string?[writers.Count];
        Parallel.For(0, writers.Count, w =>
        {
            var writer = writers[w];
            using var renderer = LetterRenderer.Open(writer, out problems[w]);
            if (renderer is null)
            {
                return;
            }

            var folder = writer.Side == Side.Training ? training : judge;
            for (int letter = 0; letter < LetterRenderer.Letters.Length; letter++)
            {
                for (int index = 0; index < perLetter; index++)
                {
                    var pixels = renderer.Render(letter, new Random(ImageSeed(seed, writer.Name, letter, index)));
                    LetterRenderer.WritePng(pixels, FileOf(folder, writer, letter, index));
                }
            }
        });

        var used = writers.Where((_, w) => problems[w] is null).ToList();
        var skipped = problems.OfType<string>().ToList();
        var set = new LetterFolderSet(training, judge, [.. used.Where(w => w.Side == Side.Training)], [.. used.Where(w => w.Side == Side.Judge)], skipped, Path.Combine(root, "cache"));
        foreach (var (side, sideWriters) in new[] { (Side.Training, set.TrainingWriters), (Side.Judge, set.JudgeWriters) })
        {
            if (sideWriters.Count == 0)
            {
                var fonts = side == Side.Training ? "the model learns from" : "only the judge sees";
                throw new InvalidOperationException(
                    $"There is no font {fonts} ({(skipped.Count == 0 ? "none is installed" : string.Join("; ", skipped))}); install fonts-dejavu-core, whose faces are on both sides, or give --fonts the folder the fonts are in.");
            }
        }

        File.WriteAllLines(Path.Combine(root, Manifest), new[] { $"Capitals A-Z, {perLetter} per letter and font, seed {seed}; a font file is a writer." }
            .Concat(used.Select(w => $"{(w.Side == Side.Training ? "train" : "judge")}\t{w.Name}\t{w.Package.Name}\t{w.Path}")));
        return set;
    }

    /// <summary>The file of <paramref name="writer"/>'s image number <paramref name="index"/> of <paramref name="letter"/> (an index into <see cref="LetterRenderer.Letters"/>) in <paramref name="folder"/>.</summary>
    public static string FileOf(string folder, Writer writer, int letter, int index) =>
        Path.Combine(folder, LetterRenderer.Letters[letter].ToString(), string.Create(CultureInfo.InvariantCulture, $"{writer.Name}-{index:D3}.png"));

    /// <summary>Removes what an earlier run wrote under <paramref name="root"/>; refuses a folder with files of anyone else's.</summary>
    private static void Clear(string root)
    {
        if (!Directory.Exists(root) || !Directory.EnumerateFileSystemEntries(root).Any())
        {
            return;
        }

        if (!File.Exists(Path.Combine(root, Manifest)))
        {
            throw new IOException($"The letter folder '{root}' already holds files that this example did not write (it has no {Manifest}); give --data an empty or new folder.");
        }

        foreach (var folder in new[] { "train", "judge", "cache" }.Select(name => Path.Combine(root, name)).Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }

        File.Delete(Path.Combine(root, Manifest));
    }

    /// <summary>A seed for one image from the run's seed, the writer's name, the letter and the image's number (SplitMix64 steps over an FNV-1a hash of the name).</summary>
    private static int ImageSeed(long seed, string writer, int letter, int index)
    {
        ulong hash = 14695981039346656037UL;
        foreach (var character in writer)
        {
            hash = (hash ^ character) * 1099511628211UL;
        }

        ulong state = Mix((ulong)seed ^ Mix(hash ^ Mix(((ulong)letter << 32) | (uint)index)));
        return (int)(state & int.MaxValue);
    }

    private static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }
}
