using System;
using System.Runtime.InteropServices;

namespace AutoencoderDsl.Training;

/// <summary>
/// Hands memory that libtorch has freed back to the operating system. glibc keeps freed blocks in its per-thread arenas
/// and raises its mmap threshold as large blocks come and go, so a training loop's resident memory grows epoch after
/// epoch although its live tensors do not (measured: 715 MiB after epoch 1, 1,107 MiB after epoch 10, for a 784-400-20
/// VAE on 20,000 images). <c>malloc_trim(0)</c> releases the free pages of every arena.
/// </summary>
internal static class NativeMemory
{
    private static bool unavailable;

    /// <summary>Trims glibc's heap on Linux; does nothing elsewhere or where the C library has no <c>malloc_trim</c> (musl).</summary>
    public static void ReleaseFreed()
    {
        if (unavailable || !OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            unavailable = true;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
