using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Tests.Images;
using AutoencoderDsl.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace AutoencoderDsl.Tests.Examples;

/// <summary>
/// Each example run as a user runs it, on the built-in shapes (<c>--data builtin</c>) for one epoch: it must finish,
/// and every file it says it wrote must be there and not empty. The examples on Fashion-MNIST, with their default
/// epochs, are what README's pictures and figures come from.
/// </summary>
public sealed partial class ExampleRunTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("FashionVae")]
    [InlineData("Denoising")]
    [InlineData("ConvBetaVae")]
    [InlineData("ConditionalVae")]
    [InlineData("AnomalyDetection")]
    [InlineData("Visualise")]
    [InlineData("Visualise", "--model", "map")]
    public void Runs_on_the_built_in_shapes_and_writes_what_it_says(string example, params string[] options)
    {
        var program = Path.Combine(DotnetProcess.Repository, "examples", example, "bin", DotnetProcess.Configuration, "net10.0", example + ".dll");
        Assert.True(File.Exists(program), $"{program} is missing; building the test project builds it.");
        using var folder = new TemporaryFolder();

        var log = DotnetProcess.Run(folder.Path, TimeSpan.FromMinutes(3), [program, "--data", "builtin", "--epochs", "1", "--out", folder.Path, .. options]);

        output.WriteLine(log);
        Assert.Contains("built-in synthetic shapes", log, StringComparison.Ordinal);
        var written = WroteLine().Matches(log).Select(match => match.Groups[1].Value).ToList();
        Assert.NotEmpty(written);
        Assert.All(written, path =>
        {
            Assert.StartsWith(folder.Path, path, StringComparison.Ordinal);
            bool present = Directory.Exists(path) ? Directory.EnumerateFiles(path).Any() : File.Exists(path) && new FileInfo(path).Length > 0;
            Assert.True(present, $"{example} says it wrote {path}, which is missing or empty.");
        });
    }

    [Theory]
    [InlineData("FashionVae")]
    [InlineData("Denoising")]
    public void Reads_an_image_folder_given_as_data_and_names_what_it_skipped(string example)
    {
        var program = Path.Combine(DotnetProcess.Repository, "examples", example, "bin", DotnetProcess.Configuration, "net10.0", example + ".dll");
        using var folder = new TemporaryFolder();
        string images = Path.Combine(folder.Path, "pictures");
        foreach (var (name, bright) in new[] { ("dark", false), ("light", true) })
        {
            Directory.CreateDirectory(Path.Combine(images, name));
            for (int i = 0; i < 60; i++)
            {
                int shift = i % 7;
                ImageFiles.Write(Path.Combine(images, name, $"{i:D3}.png"), ImageFiles.Grey(32, 32, (x, y) => (byte)(bright ? 120 + ((x + y + shift) * 2) : ((x * y) + shift) % 90)));
            }
        }

        File.WriteAllText(Path.Combine(images, "light", "README.txt"), "not an image");
        File.WriteAllBytes(Path.Combine(images, "dark", "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        string written = Path.Combine(folder.Path, "out");

        var log = DotnetProcess.Run(folder.Path, TimeSpan.FromMinutes(3), program, "--data", images, "--epochs", "1", "--out", written);

        output.WriteLine(log);
        Assert.Contains($"Data: image folder {images}, 120 images in 2 classes (dark, light), 1 files that are not images ignored, 1 bad files skipped.", log, StringComparison.Ordinal);
        Assert.Contains("skipped " + Path.Combine(images, "dark", "broken.png"), log, StringComparison.Ordinal);
        Assert.Contains("100 images to train on, 20 held out to test.", log, StringComparison.Ordinal);
        Assert.NotEmpty(WroteLine().Matches(log));
    }

    [GeneratedRegex(@"^Wrote (.+?): ", RegexOptions.Multiline)]
    private static partial Regex WroteLine();
}
