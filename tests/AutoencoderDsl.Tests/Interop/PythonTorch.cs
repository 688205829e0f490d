using System;
using System.Diagnostics;
using System.IO;
using AutoencoderDsl.Tests.Infrastructure;
using Xunit.Abstractions;

namespace AutoencoderDsl.Tests.Interop;

/// <summary>
/// A Python interpreter that can import torch (Debian's python3-torch): the peer the interop tests compare with. Where
/// there is none, the tests say they skipped; with AUTOENCODERDSL_REQUIRE_PYTORCH=1 (as CI sets it) they fail instead.
/// </summary>
internal static class PythonTorch
{
    private static readonly Lazy<string?> Interpreter = new(Find);

    /// <summary>The interpreter's path, or null.</summary>
    public static string? Path => Interpreter.Value;

    /// <summary>True when the test may run; otherwise writes why it skipped, or fails when CI requires PyTorch.</summary>
    public static bool Available(ITestOutputHelper output)
    {
        if (Path is not null)
        {
            return true;
        }

        const string Message = "no python3 that can import torch was found (apt-get install python3-torch)";
        if (Environment.GetEnvironmentVariable("AUTOENCODERDSL_REQUIRE_PYTORCH") == "1")
        {
            Assert.Fail($"AUTOENCODERDSL_REQUIRE_PYTORCH=1 but {Message}.");
        }

        output.WriteLine($"Skipped: {Message}.");
        return false;
    }

    /// <summary>Runs a script with arguments, failing the test with its output when it fails or takes longer than <paramref name="timeout"/>.</summary>
    public static string Run(string script, TimeSpan timeout, params string[] arguments) =>
        ChildProcess.Run(Path!, [script, .. arguments], folder: null, timeout);

    /// <summary>A script copied beside the tests.</summary>
    public static string Script(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Interop", name);

    private static string? Find()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var start = new ProcessStartInfo(candidate, ["-c", "import torch, numpy"]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
                using var process = Process.Start(start);
                if (process is not null && process.WaitForExit(TimeSpan.FromSeconds(60)) && process.ExitCode == 0)
                {
                    return candidate;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name; try the next.
            }
        }

        return null;
    }
}
