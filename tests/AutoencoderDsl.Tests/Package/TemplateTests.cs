using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using AutoencoderDsl.Tests.Infrastructure;
using SkiaSharp;
using Xunit.Abstractions;

namespace AutoencoderDsl.Tests.Package;

/// <summary>
/// <c>dotnet new autoencoder</c> as a user runs it: the template package installed from the local feed into a private
/// template store, a project of every kind created outside the repository (and one of another image shape), built with
/// warnings as errors against the feed, and run for one epoch on a few hundred built-in shapes; the colour project also
/// on a folder of PNGs.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed partial class TemplateTests(LocalFeed feed, ITestOutputHelper output)
{
    /// <summary>A project to create: its options after <c>dotnet new autoencoder</c>, its run's own options, the files it must write, and a line its run must print.</summary>
    private sealed record Project(string Name, string[] Options, string[] RunOptions, string[] Pictures, string Printed);

    private static readonly Project[] Projects =
    [
        new("VaeApp", [], [], ["reconstructions.png", "samples.png", "latent-space.png"], "its reconstructions are identical"),
        new("AeApp", ["--kind", "ae"], [], ["reconstructions.png", "latent-space.png"], "its reconstructions are identical"),
        new("DenoisingApp", ["--kind", "denoising"], [], ["denoising.png"], "its denoised images are identical"),
        new("ConditionalApp", ["--kind", "conditional"], ["--class", "Ring"], ["samples-by-class.png", "samples-of-class.png"], "its samples of Ring are identical"),
        new("AnomalyApp", ["--kind", "anomaly"], ["--normal", "2"], ["roc.png", "most-anomalous.png"], "and it flags the same test images"),
        new("ColourVaeApp", ["--channels", "3", "--height", "32", "--width", "40"], [], ["reconstructions.png", "samples.png", "latent-space.png"], "its reconstructions are identical"),
    ];

    [Fact]
    public void EveryKindIsCreatedFromTheFeedBuildsWithoutWarningsAndTrainsAnEpoch()
    {
        string root = Path.Combine(feed.Root, "templates");
        string hive = Path.Combine(root, "template-store");
        Directory.CreateDirectory(root);
        var clock = Stopwatch.StartNew();
        var installed = DotnetProcess.Run(root, TimeSpan.FromMinutes(2), "new", "install", feed.PackagePath("AutoencoderDsl.Templates"), "--debug:custom-hive", hive);
        Assert.Contains("autoencoder", installed);
        File.WriteAllText(Path.Combine(root, "nuget.config"), feed.NuGetConfig);
        foreach (var project in Projects)
        {
            DotnetProcess.Run(root, TimeSpan.FromMinutes(1), ["new", "autoencoder", "-n", project.Name, "-o", project.Name, "--debug:custom-hive", hive, .. project.Options]);
            string projectFile = File.ReadAllText(Path.Combine(root, project.Name, project.Name + ".csproj"));
            Assert.Contains($"<AutoencoderDslVersion>{feed.Version}</AutoencoderDslVersion>", projectFile);
            Assert.Contains("<PackageReference Include=\"TorchSharp-cpu\" Version=\"0.107.0\" />", projectFile);
        }

        output.WriteLine($"installed the template package and created {Projects.Length} projects: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Contains("public const int Channels = 3;", File.ReadAllText(Path.Combine(root, "ColourVaeApp", "ImageShape.cs")));
        Assert.Contains("public const int Width = 40;", File.ReadAllText(Path.Combine(root, "ColourVaeApp", "ImageShape.cs")));
        Assert.True(File.Exists(Path.Combine(root, "AnomalyApp", "AnomalyDetector.cs")));
        Assert.False(File.Exists(Path.Combine(root, "AnomalyApp", "ImageVae.cs")));

        // One solution builds them all: one restore, and MSBuild builds the projects side by side, each with warnings as
        // errors. TorchSharp-cpu copies libtorch for every platform into each output, 1.2 GB a project; hard links to the
        // package cache keep six of them from filling the disk. The libstdc++ patch writes a new file in place of the
        // one it patches, so it never writes through a link into the cache.
        clock.Restart();
        DotnetProcess.Run(root, TimeSpan.FromMinutes(1), "new", "sln", "-n", "Projects", "--format", "slnx");
        DotnetProcess.Run(root, TimeSpan.FromMinutes(1), ["sln", "Projects.slnx", "add", .. Projects.Select(project => Path.Combine(project.Name, project.Name + ".csproj"))]);
        DotnetProcess.Run(root, TimeSpan.FromMinutes(8), "build", "Projects.slnx", "-warnaserror", "-p:CreateHardLinksForCopyLocalIfPossible=true");
        output.WriteLine($"restored and built {Projects.Length} projects against the feed: {clock.Elapsed.TotalSeconds:F1} s");

        foreach (var project in Projects)
        {
            clock.Restart();
            string folder = Path.Combine(root, project.Name);
            var run = DotnetProcess.Run(folder, TimeSpan.FromMinutes(2), ["run", "--no-build", "--", "--epochs", "1", "--examples", "600", "--out", "out", .. project.RunOptions]);
            output.WriteLine($"{project.Name} ({(project.Options.Length == 0 ? "default options" : string.Join(' ', project.Options))}): one epoch and the pictures in {clock.Elapsed.TotalSeconds:F1} s");
            output.WriteLine(run.Trim());

            var epoch = EpochLine().Match(run);
            Assert.True(epoch.Success, $"No epoch line in:\n{run}");
            Assert.True(double.IsFinite(double.Parse(epoch.Groups["total"].Value, CultureInfo.InvariantCulture)), epoch.Value);
            Assert.Contains(project.Printed, run);
            foreach (var picture in project.Pictures.Append("loss.png"))
            {
                using var image = SKBitmap.Decode(Path.Combine(folder, "out", picture));
                Assert.True(image is { Width: > 50, Height: > 50 }, $"{project.Name} wrote no readable {picture}.");
            }

            Assert.True(new FileInfo(Path.Combine(folder, "out", "model.safetensors")).Length > 0);
        }

        // A folder of the user's own images, 40 × 30 PNGs in two class folders, read as 3 × 32 × 40.
        clock.Restart();
        string images = WriteImageFolder(root);
        var fromFolder = DotnetProcess.Run(Path.Combine(root, "ColourVaeApp"), TimeSpan.FromMinutes(2), "run", "--no-build", "--", "--data", images, "--epochs", "1", "--out", "folder-out");
        output.WriteLine($"ColourVaeApp --data {images}: one epoch and the pictures in {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine(fromFolder.Trim());
        Assert.Contains($"Data: 12 images from {images} in 2 classes.", fromFolder);
        Assert.Matches(EpochLine(), fromFolder);
        Assert.Contains("its reconstructions are identical", fromFolder);
        using var scatter = SKBitmap.Decode(Path.Combine(root, "ColourVaeApp", "folder-out", "latent-space.png"));
        Assert.True(scatter is { Width: > 50, Height: > 50 });
    }

    /// <summary>Six discs and six squares, light on black, each a 40 × 30 PNG in a folder named after its class.</summary>
    private static string WriteImageFolder(string root)
    {
        string folder = Path.Combine(root, "images");
        foreach (var shape in new[] { "discs", "squares" })
        {
            Directory.CreateDirectory(Path.Combine(folder, shape));
            for (int i = 0; i < 6; i++)
            {
                using var bitmap = new SKBitmap(40, 30);
                using var canvas = new SKCanvas(bitmap);
                using var paint = new SKPaint { Color = new SKColor((byte)(100 + (25 * i)), 200, 255), IsAntialias = true };
                canvas.Clear(SKColors.Black);
                if (shape == "discs")
                {
                    canvas.DrawCircle(20, 15, 5 + i, paint);
                }
                else
                {
                    canvas.DrawRect(8 + i, 4, 12 + (2 * i), 10 + i, paint);
                }

                using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(Path.Combine(folder, shape, $"{i}.png"), png.ToArray());
            }
        }

        return folder;
    }

    /// <summary>The line the template's progress prints at the end of an epoch, e.g. <c>epoch 1/1 in 2.1 s, loss in nats per image: total 506.58, …</c>.</summary>
    [GeneratedRegex(@"^epoch 1/1 in [0-9.]+ s, loss in nats per image: total (?<total>\S+),", RegexOptions.Multiline)]
    private static partial Regex EpochLine();
}
