using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace AutoencoderDsl.Training;

/// <summary>
/// Hands memory that libtorch has freed back to the operating system. glibc raises its mmap threshold once a large
/// block has been freed, so later batch-sized blocks (hundreds of kilobytes) come from its heap instead, and the heap
/// keeps their pages after they are freed: resident memory climbs while the live tensors stay flat.
/// <c>malloc_trim(0)</c> releases the free pages of every arena in a few milliseconds; the batches after it fault the
/// pages they reuse back in, which is most of what releasing costs (the benchmarks' <c>memory</c> command measures both).
/// So a training run releases only when the resident set has grown by <see cref="GrowthAllowed"/> since its last release.
/// </summary>
internal sealed class NativeMemory
{
    /// <summary>How often training looks at the resident set: reading it costs microseconds, a release milliseconds and refaults.</summary>
    public const int BatchesBetweenChecks = 64;

    /// <summary>
    /// The growth of the resident set, since the last release, that makes the next check release: the climb a run may
    /// make between releases. Releasing every 64 batches whatever the growth cost an epoch about 3 % (its refaults).
    /// </summary>
    public const long GrowthAllowed = 32L << 20;

    private static bool unavailable;

    private long baseline = Resident();

    /// <summary>Releases freed memory if the resident set has grown by more than <see cref="GrowthAllowed"/> since the last release (or since this run began).</summary>
    public void ReleaseIfGrown()
    {
        long resident = Resident();
        if (resident - baseline > GrowthAllowed)
        {
            ReleaseFreed();
            baseline = Resident();
        }
    }

    /// <summary>Trims glibc's heap on Linux; does nothing elsewhere or where the C library has no <c>malloc_trim</c> (musl).</summary>
    private static void ReleaseFreed()
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

    /// <summary>The resident set in bytes, from <c>/proc/self/statm</c> (its second field, in pages); 0 where there is none.</summary>
    private static long Resident()
    {
        if (unavailable || !OperatingSystem.IsLinux())
        {
            return 0;
        }

        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
