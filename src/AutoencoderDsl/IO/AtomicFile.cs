using System;
using System.IO;

namespace AutoencoderDsl.IO;

/// <summary>Writes a file so that readers see the old content or the new, never a mix: a crash leaves at most a stray temporary.</summary>
internal static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> into a temporary next to <paramref name="path"/>, flushes it to disk, then renames it over the target.</summary>
    /// <exception cref="UnauthorizedAccessException">The folder or the file cannot be written; the message names <paramref name="path"/>.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;

        // Same folder, so the final rename never crosses file systems and stays atomic.
        var temporary = fullPath + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            Directory.CreateDirectory(folder);
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
