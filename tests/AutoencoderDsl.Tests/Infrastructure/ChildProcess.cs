using System;
using System.Collections.Generic;
using System.Diagnostics;
using Xunit;

namespace AutoencoderDsl.Tests.Infrastructure;

/// <summary>Runs a program for a test and fails the test, with the program's output, when it fails or overruns.</summary>
internal static class ChildProcess
{
    /// <summary>
    /// Runs <paramref name="program"/> with <paramref name="arguments"/> in <paramref name="folder"/> and returns its
    /// standard output. <paramref name="environment"/> sets variables, or removes those given null.
    /// </summary>
    public static string Run(string program, IEnumerable<string> arguments, string? folder, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (folder is not null)
        {
            start.WorkingDirectory = folder;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        string command = $"{program} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} did not finish within {timeout.TotalSeconds:F0} s.\n{stdout.Result}\n{stderr.Result}");
        }

        Assert.True(process.ExitCode == 0, $"{command}{(folder is null ? "" : $" in {folder}")} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
