using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace AutoencoderDsl.Tests.Examples;

/// <summary>
/// <c>examples/Letters</c> run as a user runs it, small: it renders the capitals of the fonts this machine has, trains
/// the class-conditional VAE, and a classifier of fonts the model never saw must recognise what it generates far more
/// often than chance (1 in 26). A missing font package is printed as a warning; the example then runs on the rest.
/// </summary>
public sealed partial class LettersExampleTests(ITestOutputHelper output)
{
    // The least shares the judge must recognise, about half the worst measured with these settings: with every font
    // package, seeds 1-10 gave 65.5-84.0 % of A's and 48.4-63.7 % on average; with DejaVu alone (--fonts on a folder
    // holding only it), seeds 1-3 gave 34.5-41.5 % and 48.2-49.9 %. Chance is 1 in 26, 3.8 %.
    private const double LeastShareOfA = 0.15;
    private const double LeastMeanShare = 0.25;

    [Fact]
    public void Generates_letters_a_classifier_of_other_fonts_recognises()
    {
        var program = Path.Combine(DotnetProcess.Repository, "examples", "Letters", "bin", DotnetProcess.Configuration, "net10.0", "Letters.dll");
        Assert.True(File.Exists(program), $"{program} is missing; building the test project builds it.");
        using var folder = new TemporaryFolder();

        var log = DotnetProcess.Run(folder.Path, TimeSpan.FromMinutes(3), program, "--epochs", "8", "--per-letter", "15", "--seed", "1", "--out", folder.Path);

        // Which fonts this run used comes first, so that a reader of the test's output sees what the numbers rest on.
        var fontLines = log.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.StartsWith("Fonts ", StringComparison.Ordinal) || line.StartsWith("warning:", StringComparison.Ordinal)).ToList();
        output.WriteLine("The fonts this run used, and each font package it went without:");
        output.WriteLine(fontLines.Count == 0 ? "(the example named no fonts)" : string.Join(Environment.NewLine, fontLines));
        output.WriteLine(string.Empty);
        output.WriteLine(log);
        Assert.Contains(fontLines, line => line.StartsWith("Fonts the model learns from", StringComparison.Ordinal));
        Assert.Contains(fontLines, line => line.StartsWith("Fonts only the judge sees", StringComparison.Ordinal));

        double letterA = Share(LetterALine(), log);
        double mean = Share(EveryLetterLine(), log);
        var fonts = string.Join("; ", fontLines);
        Assert.True(letterA >= LeastShareOfA, $"Only {letterA:P1} of the generated A's were classified as A (at least {LeastShareOfA:P0} expected; chance is {1.0 / 26:P1}). Fonts: {fonts}");
        Assert.True(mean >= LeastMeanShare, $"On average only {mean:P1} of the generated letters were classified as the letter asked for (at least {LeastMeanShare:P0} expected). Fonts: {fonts}");

        var written = WroteLine().Matches(log).Select(match => match.Groups[1].Value).ToList();
        Assert.Contains(written, path => path.EndsWith("more-letter-a.png", StringComparison.Ordinal));
        Assert.All(written, path =>
        {
            Assert.StartsWith(folder.Path, path, StringComparison.Ordinal);
            bool present = Directory.Exists(path) ? Directory.EnumerateFileSystemEntries(path).Any() : File.Exists(path) && new FileInfo(path).Length > 0;
            Assert.True(present, $"Letters says it wrote {path}, which is missing or empty.");
        });
    }

    private static double Share(Regex line, string log)
    {
        var match = line.Match(log);
        Assert.True(match.Success, $"The example printed no line matching {line}.");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) / 100;
    }

    [GeneratedRegex(@"^Letter A: ([0-9.]+) % of \d+ generated A's are classified as A", RegexOptions.Multiline)]
    private static partial Regex LetterALine();

    [GeneratedRegex(@"^Every letter: on average ([0-9.]+) % of the", RegexOptions.Multiline)]
    private static partial Regex EveryLetterLine();

    [GeneratedRegex(@"^Wrote (.+?): ", RegexOptions.Multiline)]
    private static partial Regex WroteLine();
}
