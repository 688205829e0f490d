using System;
using System.Runtime.InteropServices;

namespace AutoencoderDsl.Training;

/// <summary>
/// Hands memory that libtorch has freed back to the operating system. glibc raises its mmap threshold once a large
/// block has been freed, so later batch-sized blocks (hundreds of kilobytes) come from its heap instead, and the heap
/// keeps their pages after they are freed: resident memory climbs while the live tensors stay flat.
/// <c>malloc_trim(0)</c> releases the free pages of every arena in a few milliseconds; the batches after it fault the
/// pages they reuse back in, which is most of what releasing costs (the benchmarks' <c>memory</c> command measures both).
/// </summary>
internal static class NativeMemory
{
    /// <summary>
    /// How often training releases freed memory. Every 256 batches cost no less within the noise (an epoch 3–5 %
    /// slower either way, the difference under the machine's drift), so this keeps the climb short.
    /// </summary>
    public const int BatchesBetweenReleases = 64;

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
