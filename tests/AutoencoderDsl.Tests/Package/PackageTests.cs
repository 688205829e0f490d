using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using AutoencoderDsl.Tests.Infrastructure;
using SkiaSharp;
using Xunit.Abstractions;

namespace AutoencoderDsl.Tests.Package;

/// <summary>
/// The packages as a user gets them, from the local feed getting-started.md makes: what each package's page shows and
/// what its assemblies carry for a debugger, and a new console project outside the repository with nothing but
/// AutoencoderDsl, AutoencoderDsl.Plotting and TorchSharp-cpu, restored into the default cache and into ./packages
/// under the project, built with warnings as errors, and run: one epoch, then a plot.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PackageTests(LocalFeed feed, ITestOutputHelper output)
{
    private static readonly string Repository = DotnetProcess.Repository;

    /// <summary>The address every package and PDB names, from the one place it is written (Directory.Build.props).</summary>
    private static readonly string RepositoryUrl = typeof(PackageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(attribute => attribute.Key == "RepositoryUrl").Value!;

    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

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
    public void TheOneCommandPacksEveryPackageProject()
    {
        using var filter = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository, "src", "AutoencoderDsl.Packages.slnf")));
        var projects = filter.RootElement.GetProperty("solution").GetProperty("projects").EnumerateArray()
            .Select(project => Path.GetFileNameWithoutExtension(project.GetString()!)).Order().ToArray();
        output.WriteLine($"packed {feed.Version}: {string.Join(", ", feed.Packages)}");
        Assert.Equal(projects, feed.Packages);
    }

    [Fact]
    public void EveryPackageShowsItsReadmeIconLicenceRepositoryAndChangelog()
    {
        string commit = ChildProcess.Run("git", ["rev-parse", "HEAD"], Repository, TimeSpan.FromSeconds(30)).Trim();
        string changelog = File.ReadAllText(Path.Combine(Repository, "CHANGELOG.md"));
        foreach (var id in feed.Packages)
        {
            using var package = ZipFile.OpenRead(feed.PackagePath(id));
            var metadata = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open()).Root!.Elements().Single(element => element.Name.LocalName == "metadata");
            string? Field(string name) => metadata.Elements().SingleOrDefault(element => element.Name.LocalName == name)?.Value;
            var repository = metadata.Elements().Single(element => element.Name.LocalName == "repository");
            var license = metadata.Elements().Single(element => element.Name.LocalName == "license");

            Assert.False(string.IsNullOrWhiteSpace(Field("description")), $"{id} has no description.");
            Assert.Contains("autoencoder", Field("tags")!.Split(' '));
            Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
            Assert.Equal(RepositoryUrl, Field("projectUrl"));
            Assert.Equal(("git", RepositoryUrl, commit), ((string?)repository.Attribute("type"), (string?)repository.Attribute("url"), (string?)repository.Attribute("commit")));

            Assert.Equal("README.md", Field("readme"));
            string readme = Read(package, "README.md");
            Assert.Equal(File.ReadAllText(Path.Combine(Repository, "src", id, "README.md")), readme);
            Assert.StartsWith($"# {id}\n", readme, StringComparison.Ordinal);

            Assert.Equal("icon.png", Field("icon"));
            using (var icon = SKBitmap.Decode(ReadBytes(package, "icon.png")))
            {
                Assert.Equal((128, 128), (icon.Width, icon.Height));
            }

            Assert.Equal(changelog, Read(package, "CHANGELOG.md"));
            Assert.Contains("CHANGELOG.md", Field("releaseNotes"), StringComparison.Ordinal);
            output.WriteLine($"{id}: tags {Field("tags")}; repository {repository.Attribute("url")?.Value} at {commit[..12]}");
        }
    }

    [Fact]
    public void EveryAssemblyIsDeterministicWithAnEmbeddedPdbWhoseSourceLinkPointsAtTheRepository()
    {
        string commit = ChildProcess.Run("git", ["rev-parse", "HEAD"], Repository, TimeSpan.FromSeconds(30)).Trim();
        string content = RepositoryUrl.Replace("https://github.com/", "https://raw.githubusercontent.com/", StringComparison.Ordinal) + $"/{commit}/*";
        foreach (var id in feed.Packages)
        {
            using var package = ZipFile.OpenRead(feed.PackagePath(id));
            var assemblies = package.Entries.Where(entry => entry.FullName.EndsWith(".dll", StringComparison.Ordinal)).ToArray();
            if (id == "AutoencoderDsl.Templates")
            {
                Assert.Empty(assemblies);
                continue;
            }

            Assert.Contains(assemblies, entry => entry.FullName.StartsWith("lib/", StringComparison.Ordinal));
            foreach (var assembly in assemblies)
            {
                string where = $"{id}: {assembly.FullName}";
                using var pe = new PEReader(new MemoryStream(ReadBytes(package, assembly.FullName)));
                var debug = pe.ReadDebugDirectory();
                Assert.True(debug.Any(entry => entry.Type == DebugDirectoryEntryType.Reproducible), $"{where} was not built deterministically.");
                var embedded = debug.Where(entry => entry.Type == DebugDirectoryEntryType.EmbeddedPortablePdb).ToArray();
                Assert.True(embedded.Length == 1, $"{where} has no embedded PDB.");

                using var pdb = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded[0]);
                var reader = pdb.GetMetadataReader();
                var sourceLink = reader.GetCustomDebugInformation(EntityHandle.ModuleDefinition)
                    .Select(reader.GetCustomDebugInformation).SingleOrDefault(information => reader.GetGuid(information.Kind) == SourceLinkKind);
                Assert.True(!sourceLink.Value.IsNil, $"{where}'s PDB has no SourceLink.");
                using var json = JsonDocument.Parse(Encoding.UTF8.GetString(reader.GetBlobBytes(sourceLink.Value)));
                var documents = json.RootElement.GetProperty("documents").EnumerateObject().ToArray();
                Assert.All(documents, document => Assert.Equal(content, document.Value.GetString()));

                // Every source file is either at a SourceLink address or inside the PDB (the generator's output is).
                var prefixes = documents.Select(document => document.Name.TrimEnd('*')).ToArray();
                var unreachable = reader.Documents.Where(handle =>
                        !reader.GetCustomDebugInformation(handle).Any(information => reader.GetGuid(reader.GetCustomDebugInformation(information).Kind) == EmbeddedSourceKind))
                    .Select(handle => reader.GetString(reader.GetDocument(handle).Name))
                    .Where(name => !prefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
                    .ToArray();
                Assert.True(unreachable.Length == 0, $"{where}'s PDB names sources neither linked nor embedded: {string.Join(", ", unreachable)}");
                output.WriteLine($"{where}: reproducible, {reader.Documents.Count} sources, SourceLink {documents[0].Name} -> {documents[0].Value}");
            }
        }
    }

    [Fact]
    public void APackedLibraryBuildsTrainsAndPlotsInAProjectOutsideTheRepository()
    {
        string project = Path.Combine(feed.Root, "Consumer");
        Directory.CreateDirectory(project);
        using (var archive = ZipFile.OpenRead(feed.PackagePath("AutoencoderDsl")))
        {
            var entries = archive.Entries.Select(entry => entry.FullName).ToArray();
            Assert.Contains("analyzers/dotnet/cs/AutoencoderDsl.Generators.dll", entries);
            Assert.Contains("tasks/netstandard2.0/AutoencoderDsl.Build.dll", entries);
            Assert.Contains("buildTransitive/AutoencoderDsl.targets", entries);
            Assert.DoesNotContain(entries, entry => entry.EndsWith(".cs", StringComparison.Ordinal));
        }

        File.WriteAllText(Path.Combine(project, "nuget.config"), feed.NuGetConfig);
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AutoencoderDsl" Version="{feed.Version}" />
                <PackageReference Include="AutoencoderDsl.Plotting" Version="{feed.Version}" />
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

    private static byte[] ReadBytes(ZipArchive package, string path)
    {
        var entry = package.GetEntry(path);
        Assert.True(entry is not null, $"The package has no {path}; it has {string.Join(", ", package.Entries.Select(e => e.FullName))}.");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string Read(ZipArchive package, string path) => Encoding.UTF8.GetString(ReadBytes(package, path));
}
