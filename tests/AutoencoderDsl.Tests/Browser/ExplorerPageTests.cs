using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Tests.Infrastructure;
using AutoencoderDsl.Tests.Models;
using AutoencoderDsl.Training;
using SkiaSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Browser;

/// <summary>
/// The latent-space explorer in a real browser: Debian's Chromium, headless, driven by playwright-core. Where Chromium or
/// Node.js is missing the test says it skipped; with AUTOENCODERDSL_REQUIRE_BROWSER=1 (as CI sets it) it fails instead.
/// </summary>
public sealed class ExplorerPageTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Browser");

    [Fact]
    public void HoveringShowsTheExampleAndClickingDecodesThePoint()
    {
        if (!Available())
        {
            return;
        }

        InstallPlaywright();
        using var train = TestData.RealOrBuiltIn(training: true, count: 2000);
        using var test = TestData.RealOrBuiltIn(training: false, count: 300);
        using var vae = new FashionVae(seed: 61);
        vae.Fit(train.Images, new FitOptions { Epochs = 1, Seed = 62 });
        var page = Path.Combine(Folder, "explorer.html");
        var screenshot = Path.Combine(Folder, "explorer-screenshot.png");
        using (NewDisposeScope())
        {
            LatentExplorer.Write(page, vae.Embed(test.Images), test.Labels, test.ClassNames, test.Images, vae.Reconstruct(test.Images), z => vae.Decode(z), gridSide: 16);
        }

        using var json = Browse(page, screenshot);
        var root = json.RootElement;
        Assert.Equal("0", root.GetProperty("hovered").GetString());
        Assert.True(root.GetProperty("previewShown").GetBoolean(), "hovering the first point showed no image");
        Assert.True(root.GetProperty("previewChanged").GetBoolean(), "hovering another point did not change the preview");
        Assert.True(root.GetProperty("decodedChanged").GetBoolean(), "clicking elsewhere did not change the decoded image");
        Assert.NotEqual(root.GetProperty("cells")[0].GetString(), root.GetProperty("cells")[1].GetString());
        Assert.Contains("16 × 16", root.GetProperty("note").GetString());
        using var image = SKBitmap.Decode(screenshot);
        Assert.True(image.Width >= 1000 && image.Height >= 700, $"the screenshot is {image.Width} × {image.Height}");
    }

    [Fact]
    public void HostileClassNamesAndTitlesAreShownAsTextAndRunNothing()
    {
        if (!Available())
        {
            return;
        }

        InstallPlaywright();
        // Class names can come straight from a CSV label column; each tries another way out of the text it belongs in.
        string[] classNames =
        [
            "<img src=x onerror=\"window.hijacked = 'legend'; document.title = 'hijacked'\">",
            "</script><script>window.hijacked = 'script'</script>",
            "<!-- \u2028 \u2029 __TITLE__ __DATA__",
        ];
        const string title = "__DATA__ </title><script>window.hijacked = 'title'</script> __TITLE__";
        var page = Path.Combine(Folder, "hostile.html");
        using (NewDisposeScope())
        {
            var codes = linspace(-1, 1, 60).reshape(30, 2);
            var images = full(30, 1, 6, 6, 0.5f);
            LatentExplorer.Write(page, codes, arange(30) % 3, classNames, images, images, z => zeros(z.shape[0], 1, 6, 6), gridSide: 4, title: title);
        }

        using var json = Browse(page, Path.Combine(Folder, "hostile-screenshot.png"));
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("hijacked").ValueKind);
        Assert.Equal(title, root.GetProperty("title").GetString());
        Assert.Equal(title, root.GetProperty("heading").GetString());
        Assert.Equal(classNames, root.GetProperty("legend").EnumerateArray().Select(name => name.GetString()));
    }

    /// <summary>Runs explorer.test.mjs on <paramref name="page"/> and gives its report, after checking the page raised no error.</summary>
    private JsonDocument Browse(string page, string screenshot)
    {
        var result = Run("node", TimeSpan.FromMinutes(2), Path.Combine(Folder, "explorer.test.mjs"), page, screenshot);
        output.WriteLine(result);
        output.WriteLine($"screenshot: {screenshot}");
        var json = JsonDocument.Parse(result.Trim().Split('\n')[^1]);
        Assert.Equal(0, json.RootElement.GetProperty("errors").GetArrayLength());
        return json;
    }

    private bool Available()
    {
        string? missing = !File.Exists(Chromium) ? $"{Chromium} (apt-get install chromium)" : !CanRun("node", "--version") ? "node (apt-get install nodejs npm)" : null;
        if (missing is null)
        {
            return true;
        }

        if (Environment.GetEnvironmentVariable("AUTOENCODERDSL_REQUIRE_BROWSER") == "1")
        {
            Assert.Fail($"AUTOENCODERDSL_REQUIRE_BROWSER=1 but {missing} is missing.");
        }

        output.WriteLine($"Skipped: {missing} is missing.");
        return false;
    }

    /// <summary>playwright-core from npm, once, beside the tests; it drives the system's Chromium and downloads no browser.</summary>
    private static void InstallPlaywright()
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "playwright-core")))
        {
            Run("npm", TimeSpan.FromMinutes(5), "install", "--no-audit", "--no-fund", "--prefix", Folder);
        }
    }

    private static bool CanRun(string program, string argument)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, argument) { RedirectStandardOutput = true, RedirectStandardError = true });
            return process is not null && process.WaitForExit(TimeSpan.FromSeconds(30)) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string Run(string program, TimeSpan timeout, params string[] arguments) =>
        ChildProcess.Run(program, arguments, Folder, timeout, new Dictionary<string, string?> { ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1" });
}
