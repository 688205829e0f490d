using System;
using System.IO;
using System.Linq;
using AutoencoderDsl.Tests.Infrastructure;

namespace AutoencoderDsl.Tests.Package;

/// <summary>
/// Every package packed once, by the one command docs/getting-started.md gives, into a feed of its own under a version
/// no earlier run used; the tests that install packages share it. Disposing takes the version back out of the package
/// cache so runs do not accumulate there.
/// </summary>
public sealed class LocalFeed : IDisposable
{
    /// <summary>The command, after <c>dotnet</c>, that packs every package; getting-started.md gives it with <c>-o artifacts/feed</c>.</summary>
    public static readonly string[] PackCommand = ["pack", "src/AutoencoderDsl.Packages.slnf"];

    public LocalFeed()
    {
        Version = $"0.1.0-feedtest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        Root = Path.Combine(Path.GetTempPath(), "autoencoderdsl-feed-" + Guid.NewGuid().ToString("N"));
        Folder = Path.Combine(Root, "feed");
        Directory.CreateDirectory(Folder);
        Log = DotnetProcess.Run(DotnetProcess.Repository, TimeSpan.FromMinutes(8), [.. PackCommand, "-o", Folder, $"-p:Version={Version}"]);
        Packages = Directory.GetFiles(Folder, "*.nupkg").Select(path => Path.GetFileNameWithoutExtension(path)[..^(Version.Length + 1)]).Order().ToArray();
    }

    /// <summary>The folder the packages are in.</summary>
    public string Folder { get; }

    /// <summary>The version every package was packed with.</summary>
    public string Version { get; }

    /// <summary>The ids of the packages in the feed.</summary>
    public string[] Packages { get; }

    /// <summary>What <c>dotnet pack</c> printed.</summary>
    public string Log { get; }

    /// <summary>A temporary folder the feed's users may work in; deleted with the feed.</summary>
    public string Root { get; }

    /// <summary>The nuget.config a project outside the repository uses: this feed, then nuget.org for everything else.</summary>
    public string NuGetConfig => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="autoencoderdsl-local" value="{Folder}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
          </packageSources>
        </configuration>
        """;

    /// <summary>The path of <paramref name="id"/>'s package file.</summary>
    public string PackagePath(string id) => Path.Combine(Folder, $"{id}.{Version}.nupkg");

    public void Dispose()
    {
        Directory.Delete(Root, recursive: true);
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in Packages)
        {
            var folder = Path.Combine(cache, id.ToLowerInvariant(), Version);
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}

/// <summary>The tests that install packages from <see cref="LocalFeed"/>; they run one after another, sharing it.</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<LocalFeed>
{
    public const string Name = "Packages";
}
