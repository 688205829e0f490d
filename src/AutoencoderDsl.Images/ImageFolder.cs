using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using AutoencoderDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Images;

/// <summary>
/// A data set over a folder of images laid out as torchvision's <c>ImageFolder</c>: one subfolder per class, or a flat
/// folder of unlabelled images. Each example is <c>{"data": float32 [C, H, W] in [0, 1]}</c>, with
/// <c>"label": int64</c> scalar when the folder has classes.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Open"/> lists the folder and reads every image's header and end before anything trains, so a bad file
/// fails at once with all the others; <see cref="GetTensor"/> decodes (or reads the cache) and may be called from
/// several threads at once. Conversion rules, the fingerprint and the cache are described in docs/reference.md, section
/// "Image folders".
/// </para>
/// </remarks>
public sealed class ImageFolder : torch.utils.data.Dataset, IExampleSource
{
    /// <summary>The file extensions read as images, compared without regard to case; every other file is ignored.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>How many bad files the exception of <see cref="Open"/> names before it gives only their count.</summary>
    private const int ProblemsNamed = 10;

    private readonly Example[] examples;
    private readonly ImageTarget target;
    private readonly ImageCache? cache;

    private ImageFolder(string folder, Example[] examples, ImageTarget target, IReadOnlyList<string>? classNames, IReadOnlyList<string> skipped, int ignoredFiles, ImageCache? cache)
    {
        Folder = folder;
        this.examples = examples;
        this.target = target;
        ClassNames = classNames;
        Skipped = skipped;
        IgnoredFiles = ignoredFiles;
        this.cache = cache;
        Fingerprint = FingerprintOf(examples, target, classNames);
    }

    /// <summary>The folder's full path.</summary>
    public string Folder { get; }

    /// <summary>The number of images read.</summary>
    public override long Count => examples.Length;

    /// <summary>The class folders' names in ordinal order (label <c>i</c> is <c>ClassNames[i]</c>), or null for a flat folder.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The files and class folders left out by <see cref="ImageFolderOptions.SkipBadFiles"/>, one line each: the path, then why.</summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>How many files were ignored because their names are not an image's (<c>README.txt</c>) or are hidden (<c>.DS_Store</c>, <c>._photo.jpg</c>).</summary>
    public int IgnoredFiles { get; }

    /// <summary>
    /// The first 16 hex digits of a SHA-256 hash over the conversion settings (shape, resize mode, backgrounds), the class
    /// names, and each image's path relative to <see cref="Folder"/>, size, last write time (UTC ticks) and label. It
    /// changes when a file is added, removed, renamed, rewritten or touched, or a setting changes; moving the whole
    /// folder elsewhere keeps it.
    /// </summary>
    public string Fingerprint { get; }

    /// <summary>The cache file read instead of decoding, when <see cref="ImageFolderOptions.Cache"/> is on; otherwise null.</summary>
    public string? CachePath => cache?.Path;

    /// <summary>
    /// Opens <paramref name="folder"/> for a model whose input is <paramref name="shape"/>, after reading every image's header
    /// and end (or, with <see cref="ImageFolderOptions.Cache"/>, decoding every image once into the cache).
    /// </summary>
    /// <param name="folder">A folder of class subfolders, or of images directly.</param>
    /// <param name="shape">The model's input <c>[C, H, W]</c> (its <c>InputShape</c>), with C = 1 (grey) or 3 (red, green, blue).</param>
    /// <param name="options">How images are converted, checked and cached; the defaults when null.</param>
    /// <exception cref="ArgumentException"><paramref name="shape"/> is not <c>[1 or 3, H, W]</c>, or an option is out of range.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="folder"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// Bad files or empty class folders (all of them named, the first few with reasons, and counted), unless
    /// <see cref="ImageFolderOptions.SkipBadFiles"/>; the folder holds no images; or images sit beside class folders.
    /// </exception>
    public static ImageFolder Open(string folder, ReadOnlySpan<long> shape, ImageFolderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        options ??= new ImageFolderOptions();
        var target = TargetOf(shape, options);
        string root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The image folder '{root}' does not exist.");
        }

        var listing = Listing.Read(root);
        var problems = new List<(string Path, string Reason)>(listing.Problems);
        var headers = new string?[listing.Files.Count];
        Parallel.For(0, headers.Length, i => headers[i] = Check(listing.Files[i], target));
        var checkedFiles = new List<Example>(listing.Files.Count);
        for (int i = 0; i < headers.Length; i++)
        {
            if (headers[i] is string reason)
            {
                problems.Add((listing.Files[i].Path, reason));
            }
            else
            {
                checkedFiles.Add(listing.Files[i]);
            }
        }

        var examples = checkedFiles.Select((example, slot) => example with { Slot = slot }).ToArray();
        ImageCache? cache = null;
        if (options.Cache && examples.Length > 0)
        {
            string key = FingerprintOf(examples, target, listing.ClassNames);
            string cacheFolder = Path.GetFullPath(options.CacheFolder ?? Path.Combine(Path.GetTempPath(), "autoencoderdsl-image-cache"));
            cache = ImageCache.OpenOrBuild(cacheFolder, CacheOwner(root, target), key, examples.Select(example => example.Path).ToArray(), target);
            foreach (var (slot, reason) in cache.Failures)
            {
                problems.Add((examples[slot].Path, reason));
            }

            var failed = cache.Failures.Select(failure => failure.Slot).ToHashSet();
            examples = examples.Where((_, slot) => !failed.Contains(slot)).ToArray();
        }

        try
        {
            problems.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            if (problems.Count > 0 && !options.SkipBadFiles)
            {
                throw new InvalidDataException(Describe(root, problems));
            }

            if (examples.Length == 0)
            {
                throw new InvalidDataException(
                    problems.Count > 0
                        ? $"No image in '{root}' can be read: all {problems.Count} were left out as bad (see the list below).{Environment.NewLine}{Describe(root, problems)}"
                        : $"The folder '{root}' holds no {ImageDecoder.Formats} images ({string.Join(", ", Extensions)}); {listing.Ignored} other files were ignored.");
            }

            var skipped = problems.Select(problem => $"{problem.Path}: {problem.Reason}").ToArray();
            return new ImageFolder(root, examples, target, listing.ClassNames, skipped, listing.Ignored, cache);
        }
        catch
        {
            cache?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Example <paramref name="index"/>: <c>"data"</c>, float32 <c>[C, H, W]</c> in [0, 1], and for a folder of classes
    /// <c>"label"</c>, an int64 scalar. Safe to call from several threads at once; the caller disposes the tensors.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, <see cref="Count"/>).</exception>
    /// <exception cref="InvalidDataException">The image cannot be decoded (it changed since <see cref="Open"/>, or its data is damaged past its header); the message names the file.</exception>
    public override Dictionary<string, Tensor> GetTensor(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var example = examples[index];
        var bytes = new byte[target.Size];
        if (cache is not null)
        {
            cache.Read(example.Slot, bytes);
        }
        else
        {
            ImageDecoder.Decode(example.Path, target, bytes);
        }

        var values = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            values[i] = bytes[i] / 255f;
        }

        var result = new Dictionary<string, Tensor> { [DataKeys.Data] = tensor(values, [target.Channels, target.Height, target.Width]) };
        if (ClassNames is not null)
        {
            result[DataKeys.Label] = tensor(example.Label);
        }

        return result;
    }

    /// <summary>The full path of example <paramref name="index"/>'s file.</summary>
    public string? Origin(long index) => examples[index].Path;

    /// <summary>
    /// Every example at once: images as float32 <c>[N, C, H, W]</c> and, for a folder of classes, labels as int64 <c>[N]</c>;
    /// the caller disposes them. Holds N × C × H × W × 4 bytes.
    /// </summary>
    /// <exception cref="InvalidDataException">An image cannot be decoded; the message names the file.</exception>
    public (Tensor Images, Tensor? Labels) ReadAll()
    {
        var images = zeros([Count, target.Channels, target.Height, target.Width], ScalarType.Float32);
        try
        {
            Parallel.For(0, examples.Length, i =>
            {
                var example = GetTensor(i);
                using var data = example[DataKeys.Data];
                using var label = example.GetValueOrDefault(DataKeys.Label);
                using var row = images[i];
                row.copy_(data);
            });
        }
        catch (AggregateException exception) when (exception.InnerExceptions.Count > 0)
        {
            images.Dispose();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception.InnerExceptions[0]).Throw();
            throw;
        }

        return (images, ClassNames is null ? null : tensor(examples.Select(example => example.Label).ToArray()));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            cache?.Dispose();
        }

        base.Dispose(disposing);
    }

    private static ImageTarget TargetOf(ReadOnlySpan<long> shape, ImageFolderOptions options)
    {
        if (shape.Length != 3 || shape[0] is not (1 or 3) || shape[1] is < 1 or > 65536 || shape[2] is < 1 or > 65536)
        {
            throw new ArgumentException(
                $"An image folder feeds a model whose input is [C, H, W] with C = 1 (grey) or 3 (red, green, blue), H and W from 1 to 65536; "
                + $"this shape is [{string.Join(", ", shape.ToArray())}]. Pass the model's InputShape, and declare a 2-D input such as [1, 28, 28] or [3, 64, 64].",
                nameof(shape));
        }

        if (options.MaxPixels < 1)
        {
            throw new ArgumentException($"ImageFolderOptions.MaxPixels must be positive; it is {options.MaxPixels}.", nameof(options));
        }

        return new ImageTarget((int)shape[0], (int)shape[1], (int)shape[2], options.Resize, options.AlphaBackground, options.Padding, options.MaxPixels);
    }

    private static string? Check(Example example, in ImageTarget target)
    {
        try
        {
            return ImageDecoder.Check(example.Path, example.Length, target);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"it cannot be read ({exception.Message})";
        }
    }

    private static string Describe(string root, List<(string Path, string Reason)> problems)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{problems.Count} bad {(problems.Count == 1 ? "entry" : "entries")} in the image folder '{root}':");
        foreach (var (path, reason) in problems.Take(ProblemsNamed))
        {
            text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  {path}: {reason}");
        }

        if (problems.Count > ProblemsNamed)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  … and {problems.Count - ProblemsNamed} more.");
        }

        return text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}Fix or remove them, or open the folder with ImageFolderOptions.SkipBadFiles = true to leave them out (they are then listed in ImageFolder.Skipped).").ToString();
    }

    /// <summary>Names the folder and the conversion a cache file is for, so that a new one can replace those gone stale.</summary>
    private static string CacheOwner(string root, in ImageTarget target) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{root}\n[{target.Channels}, {target.Height}, {target.Width}] {target.Resize} {target.AlphaBackground} {target.Padding}"))))[..16];

    private static string FingerprintOf(IEnumerable<Example> examples, in ImageTarget target, IReadOnlyList<string>? classNames)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"AutoencoderDsl.Images.ImageFolder 1\n[{target.Channels}, {target.Height}, {target.Width}] {target.Resize} alpha over {target.AlphaBackground} padding {target.Padding}\n");
        text.Append(classNames is null ? "unlabelled" : "classes " + string.Join("\t", classNames)).Append('\n');
        foreach (var example in examples)
        {
            text.Append(CultureInfo.InvariantCulture, $"{example.RelativePath}\t{example.Length}\t{example.LastWriteTicks}\t{example.Label}\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    /// <summary>One image file; <see cref="Slot"/> is its place in the cache, which keeps files that then failed to decode.</summary>
    internal sealed record Example(string Path, string RelativePath, long Length, long LastWriteTicks, long Label, int Slot);

    /// <summary>The folder's classes and image files, found without opening any of them.</summary>
    private sealed record Listing(IReadOnlyList<string>? ClassNames, List<Example> Files, List<(string Path, string Reason)> Problems, int Ignored)
    {
        public static Listing Read(string root)
        {
            int ignored = 0;
            var rootImages = new List<FileInfo>();
            foreach (var file in Sorted(new DirectoryInfo(root).EnumerateFiles()))
            {
                if (IsImage(file))
                {
                    rootImages.Add(file);
                }
                else
                {
                    ignored++;
                }
            }

            var classes = new List<(string Name, List<FileInfo> Images)>();
            foreach (var directory in Sorted(new DirectoryInfo(root).EnumerateDirectories()).Where(directory => !IsHidden(directory)))
            {
                var images = new List<FileInfo>();
                Collect(directory, images, ref ignored);
                classes.Add((directory.Name, images));
            }

            var files = new List<Example>();
            var problems = new List<(string Path, string Reason)>();
            if (!classes.Any(@class => @class.Images.Count > 0))
            {
                // Flat: subfolders without images (an empty one, one of notes) are not classes of a flat folder.
                files.AddRange(rootImages.Select(file => ExampleOf(root, file, 0)));
                return new Listing(null, files, problems, ignored);
            }

            foreach (var file in rootImages)
            {
                problems.Add((file.FullName, "an image directly in a folder of class folders belongs to no class; move it into its class's folder, or remove it"));
            }

            for (int label = 0; label < classes.Count; label++)
            {
                var (name, images) = classes[label];
                if (images.Count == 0)
                {
                    problems.Add((Path.Combine(root, name), $"the class folder '{name}' holds no images; add some or remove the folder (its label {label} is kept)"));
                }

                files.AddRange(images.Select(file => ExampleOf(root, file, label)));
            }

            return new Listing(classes.Select(@class => @class.Name).ToArray(), files, problems, ignored);
        }

        /// <summary>
        /// Adds the images under <paramref name="directory"/>, its subfolders included (as torchvision does), in ordinal
        /// order of their relative paths. Hidden folders and links to folders are not entered: a link could lead back up.
        /// </summary>
        private static void Collect(DirectoryInfo directory, List<FileInfo> images, ref int ignored)
        {
            foreach (var entry in Sorted(directory.EnumerateFileSystemInfos()))
            {
                if (entry is DirectoryInfo subfolder)
                {
                    if (!IsHidden(subfolder) && subfolder.LinkTarget is null)
                    {
                        Collect(subfolder, images, ref ignored);
                    }
                }
                else if (IsImage((FileInfo)entry))
                {
                    images.Add((FileInfo)entry);
                }
                else
                {
                    ignored++;
                }
            }
        }

        private static IEnumerable<T> Sorted<T>(IEnumerable<T> entries)
            where T : FileSystemInfo => entries.OrderBy(entry => entry.Name, StringComparer.Ordinal);

        private static bool IsHidden(FileSystemInfo entry) => entry.Name.StartsWith('.');

        private static bool IsImage(FileInfo file) =>
            !IsHidden(file) && Extensions.Contains(file.Extension, StringComparer.OrdinalIgnoreCase);

        private static Example ExampleOf(string root, FileInfo file, long label) =>
            new(file.FullName, Path.GetRelativePath(root, file.FullName).Replace('\\', '/'), file.Length, file.LastWriteTimeUtc.Ticks, label, Slot: 0);
    }
}
