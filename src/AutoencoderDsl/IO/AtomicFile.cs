using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace AutoencoderDsl.IO;

/// <summary>
/// Writes a file so that readers see the old content or the new, never a mix: a crash leaves at most a stray temporary,
/// which the next write to the same path removes.
/// </summary>
internal static class AtomicFile
{
    /// <summary>What follows the target's name in a temporary's: <c>model.bin.tmp-&lt;process id&gt;-&lt;GUID&gt;</c>.</summary>
    private const string TemporaryMark = ".tmp-";

    /// <summary>How long a temporary of a writer that no longer runs must have been left alone before it is removed.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMinutes(1);

    /// <summary>How long a temporary must have been left alone to be removed whoever wrote it.</summary>
    private static readonly TimeSpan Abandoned = TimeSpan.FromHours(1);

    /// <summary>Writes through <paramref name="write"/> into a temporary next to <paramref name="path"/>, flushes it to disk, then renames it over the target.</summary>
    /// <exception cref="UnauthorizedAccessException">The folder or the file cannot be written; the message names <paramref name="path"/>.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;

        // Same folder, so the final rename never crosses file systems and stays atomic. The process id in the name
        // tells a later write whether the writer of a temporary left behind still runs.
        var temporary = string.Create(CultureInfo.InvariantCulture, $"{fullPath}{TemporaryMark}{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            RemoveStaleTemporaries(fullPath);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (UnauthorizedAccessException exception)
        {
            DeleteQuietly(temporary);
            throw new UnauthorizedAccessException($"Cannot write '{fullPath}': the folder '{folder}' or the file is not writable.", exception);
        }
        catch
        {
            DeleteQuietly(temporary);
            throw;
        }
    }

    /// <summary>Throws, before any work that would need it, unless a file can be written at <paramref name="path"/>.</summary>
    public static void RequireWritable(string path, string what)
    {
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new ArgumentException($"The {what} '{fullPath}' is a folder; give the path of a file in it, such as '{Path.Combine(fullPath, "model.ckpt")}'.");
        }

        var folder = Path.GetDirectoryName(fullPath)!;
        try
        {
            Directory.CreateDirectory(folder);
            using var probe = new FileStream(Path.Combine(folder, ".write-test-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new UnauthorizedAccessException($"The {what} '{fullPath}' cannot be written: the folder '{folder}' is not writable.", exception);
        }
    }

    /// <summary>
    /// Removes the temporaries a killed writer left beside <paramref name="fullPath"/>: those of this class's naming
    /// whose writing process no longer runs on this machine, or which nobody wrote to for <see cref="Abandoned"/>
    /// (a writer on another machine sharing the folder, or a name without a process id). A temporary written to within
    /// <see cref="Quiet"/> is always kept, so a writer elsewhere whose process id happens to be free here keeps its own.
    /// </summary>
    private static void RemoveStaleTemporaries(string fullPath)
    {
        var prefix = Path.GetFileName(fullPath) + TemporaryMark;
        var now = DateTime.UtcNow;
        foreach (var candidate in Directory.EnumerateFiles(Path.GetDirectoryName(fullPath)!, "*" + TemporaryMark + "*"))
        {
            var name = Path.GetFileName(candidate);
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || !TryParseOwner(name[prefix.Length..], out int? owner))
            {
                continue;
            }

            var idle = now - File.GetLastWriteTimeUtc(candidate);
            if (idle > Abandoned || (idle > Quiet && owner is int id && !IsRunning(id)))
            {
                DeleteQuietly(candidate);
            }
        }
    }

    /// <summary>Whether <paramref name="suffix"/> is what <see cref="Write"/> names a temporary after the mark: a process id and a GUID, or (older files) a GUID alone.</summary>
    private static bool TryParseOwner(string suffix, out int? owner)
    {
        owner = null;
        int dash = suffix.IndexOf('-', StringComparison.Ordinal);
        var guid = dash < 0 ? suffix : suffix[(dash + 1)..];
        if (guid.Length != 32 || !Guid.TryParseExact(guid, "N", out _))
        {
            return false;
        }

        if (dash < 0)
        {
            return true;
        }

        if (!int.TryParse(suffix.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            return false;
        }

        owner = id;
        return true;
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The write's own exception is the one worth reporting; a leftover temporary is harmless.
        }
    }
}
