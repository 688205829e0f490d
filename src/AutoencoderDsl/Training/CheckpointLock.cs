using System;
using System.IO;

namespace AutoencoderDsl.Training;

/// <summary>
/// Holds a checkpoint for one run: an exclusive lock on the file <c>CHECKPOINT.lock</c> beside it, so that a second
/// run (in this process or another) cannot write the same checkpoint. The operating system releases the lock when the
/// run ends or its process dies, however it dies; the empty lock file itself stays, as removing it would let a third
/// run lock a new file while a second still holds the old one.
/// </summary>
internal sealed class CheckpointLock : IDisposable
{
    /// <summary>What a refused lock sets as the exception's HResult: ERROR_SHARING_VIOLATION on Windows, flock's errno EWOULDBLOCK on Unix (11 on Linux, 35 on macOS).</summary>
    private static readonly int[] HeldElsewhere = [unchecked((int)0x80070020), OperatingSystem.IsLinux() ? 11 : 35];

    private readonly FileStream file;

    private CheckpointLock(FileStream file) => this.file = file;

    /// <summary>Locks <paramref name="checkpoint"/>'s lock file for this run.</summary>
    /// <exception cref="IOException">Another run holds it.</exception>
    public static CheckpointLock Take(string checkpoint)
    {
        var path = Path.GetFullPath(checkpoint) + ".lock";
        try
        {
            // FileShare.None takes an advisory exclusive lock (flock on Unix, a share mode on Windows).
            return new CheckpointLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1));
        }
        catch (IOException exception) when (Array.IndexOf(HeldElsewhere, exception.HResult) >= 0)
        {
            throw new IOException(
                $"The checkpoint '{Path.GetFullPath(checkpoint)}' is in use by another training run, which holds its lock file '{path}'. Wait for that run to finish, or give this one another CheckpointPath.",
                exception);
        }
    }

    public void Dispose() => file.Dispose();
}
