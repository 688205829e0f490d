using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using AutoencoderDsl.Tests.Infrastructure;
using SkiaSharp;
using Xunit.Abstractions;

namespace AutoencoderDsl.Tests.Package;

/// <summary>
/// The packages as a user installs them: packed from this repository, referenced by a new console project outside it
/// with nothing but AutoencoderDsl, AutoencoderDsl.Plotting and TorchSharp-cpu, restored into the default cache and
/// into ./packages under the project, built with warnings as errors, and run: one epoch, then a plot.
/// </summary>
public sealed class PackageTests(ITestOutputHelper output)
{
    private static readonly string Repository = DotnetProcess.Repository;

    private const string Program = """
        using System;
        using AutoencoderDsl;
        using AutoencoderDsl.Data;
        using AutoencoderDsl.Plotting;
        using AutoencoderDsl.Training;
        using TorchSharp.Modules;

        using var data = SyntheticShapes.Generate(512, seed: 1);
        using var model = new ShapesAe(seed: 2);
        var history = model.Fit(data.Images, new FitOptions { Epochs = 1, BatchSize = 64, Seed = 3 }, validation: data.Images);
        Plots.LossCurves(history, "loss.png");
        ImageGrid.Save(model.Reconstruct(data.Images.narrow(0, 0, 8)), "reconstructions.png");
        Console.WriteLine($"trained one epoch: {history.Last.Train}; wrote loss.png and reconstructions.png");

        [Autoencoder(LatentDim = 8)]
        [Input(1, 28, 28)]
        public partial class ShapesAe
        {
            [Flatten, Dense(64), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(64), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
            public partial Sequential Decoder { get; }
        }
        """;

    [Fact]
    public void APackedLibraryBuildsTrainsAndPlotsInAProjectOutsideTheRepository()
    {
        string version = $"0.1.0-packtest.{DateTime.UtcNow:yyyyMMddHHmmss}";
        string root = Path.Combine(Path.GetTempPath(), "autoencoderdsl-package-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(root, "feed"), project = Path.Combine(root, "Consumer");
        Directory.CreateDirectory(feed);
        Directory.CreateDirectory(project);
        try
        {
            foreach (var library in new[] { "AutoencoderDsl.Abstractions", "AutoencoderDsl", "AutoencoderDsl.Plotting" })
            {
                DotnetProcess.Run(Repository, TimeSpan.FromMinutes(5), "pack", Path.Combine("src", library), "-c", "Release", "-o", feed, $"-p:Version={version}");
            }

            var packed = Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order().ToArray();
            output.WriteLine("packed: " + string.Join(", ", packed));
            using (var archive = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"AutoencoderDsl.{version}.nupkg")))
            {
                var entries = archive.Entries.Select(entry => entry.FullName).ToArray();
                Assert.Contains("analyzers/dotnet/cs/AutoencoderDsl.Generators.dll", entries);
                Assert.Contains("tasks/netstandard2.0/AutoencoderDsl.Build.dll", entries);
                Assert.Contains("buildTransitive/AutoencoderDsl.targets", entries);
                Assert.DoesNotContain(entries, entry => entry.EndsWith(".cs", StringComparison.Ordinal));
            }

            File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="AutoencoderDsl" Version="{version}" />
                    <PackageReference Include="AutoencoderDsl.Plotting" Version="{version}" />
                    <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(project, "Program.cs"), Program);

            // Once with the default package cache, once with the packages restored into a folder under the project.
            foreach (var packages in new string?[] { null, Path.Combine(project, "packages") })
            {
                foreach (var generated in new[] { "bin", "obj", "loss.png", "reconstructions.png" }.Select(name => Path.Combine(project, name)))
                {
                    if (Directory.Exists(generated))
                    {
                        Directory.Delete(generated, recursive: true);
                    }

                    File.Delete(generated);
                }

                string[] where = packages is null ? [] : [$"-p:RestorePackagesPath={packages}"];
                DotnetProcess.Run(project, TimeSpan.FromMinutes(5), ["restore", .. where]);
                var build = DotnetProcess.Run(project, TimeSpan.FromMinutes(5), ["build", "--no-restore", "-warnaserror", .. where]);
                var run = DotnetProcess.Run(project, TimeSpan.FromMinutes(2), "run", "--no-build");
                output.WriteLine($"{(packages is null ? "default cache" : "./packages")}: {build.Split('\n').First(line => line.Contains("AutoencoderDsl:", StringComparison.Ordinal) || line.Contains("Build succeeded", StringComparison.Ordinal)).Trim()}; {run.Trim()}");
                Assert.Contains("trained one epoch", run);
                using var plot = SKBitmap.Decode(Path.Combine(project, "loss.png"));
                Assert.True(plot.Width > 100 && plot.Height > 100);
                Assert.True(File.Exists(Path.Combine(project, "reconstructions.png")));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);

            // Each run packs a version of its own; take it back out of the package cache.
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (var id in new[] { "autoencoderdsl", "autoencoderdsl.abstractions", "autoencoderdsl.plotting" })
            {
                var folder = Path.Combine(cache, id, version);
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }
    }
}
