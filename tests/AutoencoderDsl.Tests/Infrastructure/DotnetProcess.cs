using System;
using System.IO;
using System.Linq;

namespace AutoencoderDsl.Tests.Infrastructure;

/// <summary>Runs <c>dotnet</c> in a child process for the tests that build, pack or run whole programs.</summary>
internal static class DotnetProcess
{
    /// <summary>The folder holding AutoencoderDsl.sln, above the test binaries.</summary>
    public static string Repository { get; } = FindRepository();

    /// <summary>The build configuration the tests were built in: the example programs beside them are built in it too.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="folder"/>; fails the test on a non-zero exit or a timeout, and returns the standard output.</summary>
    public static string Run(string folder, TimeSpan timeout, params string[] arguments) =>
        ChildProcess.Run(
            "dotnet",
            arguments.Concat(arguments[0] is "build" or "pack" ? ["-nodeReuse:false", "--disable-build-servers"] : []),
            folder,
            timeout,
            // The child builds must not inherit the test host's MSBuild or test environment.
            new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "VSTEST_HOST_DEBUG" }.ToDictionary(name => name, _ => (string?)null));

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "AutoencoderDsl.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No AutoencoderDsl.sln above {AppContext.BaseDirectory}.");
    }
}
