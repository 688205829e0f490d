using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using AutoencoderDsl.Tests.Data;
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
    public void Runs_on_the_built_in_shapes_and_writes_what_it_says(string example)
    {
        var program = Path.Combine(DotnetProcess.Repository, "examples", example, "bin", DotnetProcess.Configuration, "net10.0", example + ".dll");
        Assert.True(File.Exists(program), $"{program} is missing; building the test project builds it.");
        using var folder = new TemporaryFolder();

        var log = DotnetProcess.Run(folder.Path, TimeSpan.FromMinutes(3), program, "--data", "builtin", "--epochs", "1", "--out", folder.Path);

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

    [GeneratedRegex(@"^Wrote (.+?): ", RegexOptions.Multiline)]
    private static partial Regex WroteLine();
}
