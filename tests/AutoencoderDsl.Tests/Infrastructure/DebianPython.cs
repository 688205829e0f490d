using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace AutoencoderDsl.Tests.Infrastructure;

/// <summary>
/// Debian's python3 with its scientific packages (python3-sklearn, and the SciPy it brings), the references some
/// measures are held to. Where a module is missing the test says it skipped; with AUTOENCODERDSL_REQUIRE_PYTORCH=1,
/// which CI sets once it has installed the Python packages, it fails instead.
/// </summary>
internal static class DebianPython
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly ConcurrentDictionary<string, bool> Importable = new();

    /// <summary>Whether <see cref="Interpreter"/> imports <paramref name="module"/>; otherwise the test reports a skip, or fails under CI.</summary>
    public static bool Available(ITestOutputHelper output, string module)
    {
        if (Importable.GetOrAdd(module, Imports))
        {
            return true;
        }

        string message = $"{Interpreter} cannot import {module} (apt-get install python3-sklearn)";
        if (Environment.GetEnvironmentVariable("AUTOENCODERDSL_REQUIRE_PYTORCH") == "1")
        {
            Assert.Fail($"AUTOENCODERDSL_REQUIRE_PYTORCH=1 but {message}.");
        }

        output.WriteLine($"Skipped: {message}.");
        return false;
    }

    private static bool Imports(string module)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(Interpreter, ["-c", "import " + module]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false });
            return process is not null && process.WaitForExit(TimeSpan.FromSeconds(60)) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
