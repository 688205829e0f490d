#nullable enable

using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace AutoencoderDsl.Build;

/// <summary>What the build step patches, and how it finds the libstdc++ the dynamic loader would use.</summary>
public static class LibTorchSharpVersionPatch
{
    public const string LibStdCxx = "libstdc++.so.6";
    public const string MissingVersion = "GLIBCXX_3.4.32";
    /// <summary>
    /// <c>std::ios_base_library_init()</c>: GCC 13's &lt;iostream&gt; references it only to pin the libstdc++
    /// version, with no relocation, so leaving it unresolved is harmless.
    /// </summary>
    public const string PinningSymbol = "_ZSt21ios_base_library_initv";

    static readonly string[] s_standardLocations =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib64/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    };

    /// <summary>The system's 64-bit libstdc++.so.6, or null when there is none.</summary>
    public static string? FindSystemLibStdCxx() =>
        s_standardLocations.FirstOrDefault(File.Exists) ?? FindInLoaderCache();

    /// <summary>Asks <c>ldconfig -p</c>, for distributions that keep libstdc++ elsewhere.</summary>
    static string? FindInLoaderCache()
    {
        string? ldconfig = new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig" }.FirstOrDefault(File.Exists);
        if (ldconfig == null)
            return null;
        var start = new ProcessStartInfo(ldconfig, "-p") { RedirectStandardOutput = true, UseShellExecute = false };
        string listing;
        try
        {
            using (Process process = Process.Start(start)!)
            {
                listing = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        // Lines look like "\tlibstdc++.so.6 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libstdc++.so.6".
        return listing.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.StartsWith(LibStdCxx + " ", StringComparison.Ordinal) && line.Contains("x86-64"))
            .Select(line => line.Substring(line.IndexOf("=> ", StringComparison.Ordinal) + 3))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// Writes <paramref name="contents"/> to a copy beside <paramref name="path"/> (File.Copy keeps the permissions)
    /// and renames it over <paramref name="path"/>: the rename replaces a hard link or symlink rather than writing
    /// through it into the NuGet cache. The copy keeps the original's timestamp so that MSBuild's unchanged-file
    /// check (size and time) treats it as up to date instead of copying the unpatched original over it every build.
    /// </summary>
    public static void ReplaceFile(string path, byte[] contents)
    {
        string temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            DateTime lastWrite = File.GetLastWriteTimeUtc(path);
            File.Copy(path, temporary);
            // A read-only package cache yields read-only copies; the new file must be writable to be filled.
            new FileInfo(temporary).IsReadOnly = false;
            using (var stream = new FileStream(temporary, FileMode.Truncate, FileAccess.Write))
                stream.Write(contents, 0, contents.Length);
            File.SetLastWriteTimeUtc(temporary, lastWrite);
            File.Replace(temporary, path, null);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }
}
