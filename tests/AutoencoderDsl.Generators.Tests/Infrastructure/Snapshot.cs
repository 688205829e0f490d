using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace AutoencoderDsl.Generators.Tests.Infrastructure;

/// <summary>
/// Verify's conventions without Verify (its dependency is not served here): the approved text lives beside the
/// test as <c>{Class}.{Method}#{name}.verified.cs</c>; a mismatch writes <c>.received.cs</c> next to it and fails.
/// Approve a change by renaming the received file over the verified one.
/// </summary>
public static class Snapshot
{
    public static void Match(string actual, string testClass, string name, [CallerMemberName] string method = "", [CallerFilePath] string sourceFile = "")
    {
        var folder = Path.GetDirectoryName(sourceFile)!;
        var stem = Path.Combine(folder, $"{testClass}.{method}#{name}");
        var verifiedPath = stem + ".verified.cs";
        var receivedPath = stem + ".received.cs";
        var expected = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (expected == Normalize(actual))
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual);
        throw new Xunit.Sdk.XunitException(expected is null
            ? $"No snapshot yet: review {receivedPath} and rename it to {Path.GetFileName(verifiedPath)}."
            : $"Generated source differs from {verifiedPath}; the new text is in {receivedPath}.");
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}
