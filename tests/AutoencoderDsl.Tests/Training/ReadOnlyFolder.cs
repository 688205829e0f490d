using System;
using System.IO;

namespace AutoencoderDsl.Tests.Training;

/// <summary>A folder no file can be written in: a mode-0555 folder for a normal user, or sysfs for root, whom modes do not stop.</summary>
internal sealed class ReadOnlyFolder : IDisposable
{
    private readonly string? created;

    public ReadOnlyFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The tests run on Linux, where TorchSharp-cpu's natives are.");
        }

        if (Environment.IsPrivilegedProcess)
        {
            Path = "/sys";
            return;
        }

        created = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "autoencoderdsl-readonly-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(created);
        File.SetUnixFileMode(created, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        Path = created;
    }

    public string Path { get; }

    public void Dispose()
    {
        if (created is not null && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(created, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(created, recursive: true);
        }
    }
}
