using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using AutoencoderDsl.Build;
using TorchSharp;

namespace AutoencoderDsl.Tests;

/// <summary>
/// The build step that marks libLibTorchSharp.so's GLIBCXX_3.4.32 requirement weak (docs/native-libstdcxx.md).
/// The ELF code is the build step's own source, compiled into this assembly.
/// </summary>
public sealed class NativeLibraryPatchTests : IDisposable
{
    const string LibStdCxx = LibTorchSharpVersionPatch.LibStdCxx;
    const string Version = LibTorchSharpVersionPatch.MissingVersion;

    readonly string _scratch = Directory.CreateTempSubdirectory("autoencoderdsl-native-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [NuGetLibTorchSharpFact]
    public void PatchTurnsTheStrongNeedWeak()
    {
        byte[] library = File.ReadAllBytes(NuGetLibTorchSharp.Path!);
        Assert.Equal(VersionNeedState.Strong, ElfVersionNeeds.GetNeedState(library, LibStdCxx, Version));

        Assert.Equal(PatchOutcome.MarkedWeak, ElfVersionNeeds.MarkWeak(library, LibStdCxx, Version));

        Assert.Equal(VersionNeedState.Weak, ElfVersionNeeds.GetNeedState(library, LibStdCxx, Version));
    }

    [NuGetLibTorchSharpFact]
    public void SecondPatchIsANoOp()
    {
        byte[] library = File.ReadAllBytes(NuGetLibTorchSharp.Path!);
        ElfVersionNeeds.MarkWeak(library, LibStdCxx, Version);
        byte[] patchedOnce = (byte[])library.Clone();

        Assert.Equal(PatchOutcome.AlreadyWeak, ElfVersionNeeds.MarkWeak(library, LibStdCxx, Version));
        Assert.Equal(patchedOnce, library);
    }

    [NuGetLibTorchSharpFact]
    public void PatchChangesOnlyTheWeakFlagOfTheVersionNeed()
    {
        byte[] original = File.ReadAllBytes(NuGetLibTorchSharp.Path!);
        byte[] patched = (byte[])original.Clone();
        ElfVersionNeeds.MarkWeak(patched, LibStdCxx, Version);

        int[] changed = Enumerable.Range(0, original.Length).Where(index => original[index] != patched[index]).ToArray();

        Assert.NotEmpty(changed);
        foreach (int index in changed)
        {
            // Elf64_Vernaux starts with vna_hash (4 bytes), then vna_flags: the changed byte must be the low byte
            // of the flags of an entry whose hash is that of the version, gaining only VER_FLG_WEAK (0x2).
            Assert.Equal(ElfHash(Version), BitConverter.ToUInt32(original, index - 4));
            Assert.Equal(original[index] | 0x2, patched[index]);
        }
    }

    [NuGetLibTorchSharpFact]
    public void OnlyTheVersionPinningSymbolNeedsTheVersion()
    {
        byte[] library = File.ReadAllBytes(NuGetLibTorchSharp.Path!);

        Assert.Equal([LibTorchSharpVersionPatch.PinningSymbol], ElfVersionNeeds.SymbolsRequiring(library, LibStdCxx, Version));
    }

    [NuGetLibTorchSharpFact]
    public void NuGetCacheOriginalIsNeverModified()
    {
        string original = NuGetLibTorchSharp.Path!;
        byte[] hashBefore = SHA256.HashData(File.ReadAllBytes(original));
        // The build has already patched this test's output copy; the original it was copied from must still be strong.
        Assert.Equal(VersionNeedState.Strong, ElfVersionNeeds.GetNeedState(File.ReadAllBytes(original), LibStdCxx, Version));

        string copy = Path.Combine(_scratch, "libLibTorchSharp.so");
        File.Copy(original, copy);
        byte[] library = File.ReadAllBytes(copy);
        ElfVersionNeeds.MarkWeak(library, LibStdCxx, Version);
        LibTorchSharpVersionPatch.ReplaceFile(copy, library);

        Assert.Equal(hashBefore, SHA256.HashData(File.ReadAllBytes(original)));
        Assert.Equal(VersionNeedState.Weak, ElfVersionNeeds.GetNeedState(File.ReadAllBytes(copy), LibStdCxx, Version));
    }

    [LinuxFact]
    [SupportedOSPlatform("linux")]
    public void ReplacingALinkedReadOnlyCopyLeavesTheLinkTargetAloneAndKeepsItsTimestamp()
    {
        string target = Path.Combine(_scratch, "cache.so");
        File.WriteAllBytes(target, [1, 2, 3]);
        var packageTime = new DateTime(2026, 5, 7, 10, 3, 28, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(target, packageTime);
        // Package caches can be read-only, and so then are the build's copies of their files.
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        string symbolicLink = Path.Combine(_scratch, "symbolic.so");
        File.CreateSymbolicLink(symbolicLink, target);
        string hardLink = Path.Combine(_scratch, "hard.so");
        Run("ln", target, hardLink);

        LibTorchSharpVersionPatch.ReplaceFile(symbolicLink, [4, 5, 6]);
        LibTorchSharpVersionPatch.ReplaceFile(hardLink, [7, 8, 9]);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(target));
        Assert.Null(new FileInfo(symbolicLink).LinkTarget);
        Assert.Equal([4, 5, 6], File.ReadAllBytes(symbolicLink));
        Assert.Equal([7, 8, 9], File.ReadAllBytes(hardLink));
        Assert.Equal(packageTime, File.GetLastWriteTimeUtc(hardLink));
        Assert.Equal(["cache.so", "hard.so", "symbolic.so"],
            Directory.GetFiles(_scratch).Select(Path.GetFileName).OrderBy(name => name, StringComparer.Ordinal));
    }

    [Fact]
    public void DefinesVersionReadsTheVersionDefinitions()
    {
        byte[] withVersion = SyntheticElf.DefiningVersions(LibStdCxx, "GLIBCXX_3.4.31", Version);
        byte[] withoutVersion = SyntheticElf.DefiningVersions(LibStdCxx, "GLIBCXX_3.4.30", "GLIBCXX_3.4.31");

        Assert.True(ElfVersionNeeds.DefinesVersion(withVersion, Version));
        Assert.False(ElfVersionNeeds.DefinesVersion(withoutVersion, Version));
        // The first definition names the library itself (VER_FLG_BASE); it is not a version.
        Assert.False(ElfVersionNeeds.DefinesVersion(withVersion, LibStdCxx));
    }

    [LinuxFact]
    public void SystemLibStdCxxIsFoundAndReadable()
    {
        string? libStdCxx = LibTorchSharpVersionPatch.FindSystemLibStdCxx();

        Assert.NotNull(libStdCxx);
        Assert.True(ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(libStdCxx), "GLIBCXX_3.4"));
    }

    [LinuxFact]
    public void BuildPatchedTheOutputCopyExactlyWhenTheSystemLacksTheVersion()
    {
        string outputCopy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        string libStdCxx = LibTorchSharpVersionPatch.FindSystemLibStdCxx()!;
        bool systemLacksVersion = !ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(libStdCxx), Version);

        VersionNeedState state = ElfVersionNeeds.GetNeedState(File.ReadAllBytes(outputCopy), LibStdCxx, Version);

        Assert.Equal(systemLacksVersion ? VersionNeedState.Weak : VersionNeedState.Strong, state);
    }

    [Fact]
    public void TorchSharpLoadsAndComputes()
    {
        using torch.Tensor sum = torch.ones(2, 2).sum();

        Assert.Equal(4f, sum.item<float>());
    }

    public static TheoryData<byte[], string> MalformedFiles() => new()
    {
        { [], "not an ELF file" },
        { Encoding.ASCII.GetBytes("#!/bin/sh\necho not a library\n"), "not an ELF file" },
        { SyntheticElf.DefiningVersions(LibStdCxx)[..40], "truncated ELF header (40 bytes" },
        { SyntheticElf.With(SyntheticElf.DefiningVersions(LibStdCxx), 4, 1), "not a 64-bit ELF file" },
        { SyntheticElf.With(SyntheticElf.DefiningVersions(LibStdCxx), 0x12, 183), "ELF machine is 183, not x86-64" },
        { SyntheticElf.DefiningVersions(LibStdCxx)[..^1], "section headers at offset" },
        { SyntheticElf.DefiningVersions(LibStdCxx, SyntheticElf.CorruptAux, Version), "Verdaux.vda_name at offset" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void MalformedFileGivesAClearError(byte[] file, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.DefinesVersion(file, Version));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [NuGetLibTorchSharpFact]
    public void CorruptVersionNeedsGiveAClearError()
    {
        byte[] library = File.ReadAllBytes(NuGetLibTorchSharp.Path!);
        // Shrink .gnu.version_r to eight bytes: its first entry's vn_next, at offset 12, then lies outside it.
        BitConverter.TryWriteBytes(library.AsSpan(SectionHeader(library, VersionNeedsType) + 32), 8L);

        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.MarkWeak(library, LibStdCxx, Version));

        Assert.Contains("Verneed.vn_next at offset 12", error.Message, StringComparison.Ordinal);
    }

    [NuGetLibTorchSharpFact]
    public void CorruptingAnyByteTheReaderUsesGivesAtWorstAClearError()
    {
        byte[] library = File.ReadAllBytes(NuGetLibTorchSharp.Path!);
        int sectionHeaders = (int)BitConverter.ToInt64(library, 0x28);
        int needsHeader = SectionHeader(library, VersionNeedsType);
        int needs = (int)BitConverter.ToInt64(library, needsHeader + 24);
        IEnumerable<int> positions = Enumerable.Range(0, 64)
            .Concat(Enumerable.Range(sectionHeaders, BitConverter.ToUInt16(library, 0x3c) * 64))
            .Concat(Enumerable.Range(needs, (int)BitConverter.ToInt64(library, needsHeader + 32)));

        foreach (int position in positions)
        {
            byte original = library[position];
            foreach (byte corrupt in new byte[] { 0x00, 0xff })
            {
                library[position] = corrupt;
                Exception? error = Record.Exception(() =>
                {
                    ElfVersionNeeds.DefinesVersion(library, Version);
                    ElfVersionNeeds.GetNeedState(library, LibStdCxx, Version);
                    ElfVersionNeeds.SymbolsRequiring(library, LibStdCxx, Version);
                });
                Assert.True(error is null or InvalidDataException, $"byte {position} = 0x{corrupt:x2}: {error}");
            }
            library[position] = original;
        }
    }

    const uint VersionNeedsType = 0x6ffffffe;

    /// <summary>Where the header of the first section of <paramref name="type"/> starts.</summary>
    static int SectionHeader(byte[] elf, uint type)
    {
        long table = BitConverter.ToInt64(elf, 0x28);
        return Enumerable.Range(0, BitConverter.ToUInt16(elf, 0x3c))
            .Select(index => (int)table + index * 64)
            .First(header => BitConverter.ToUInt32(elf, header + 4) == type);
    }

    /// <summary>The System V ELF hash, which <c>vna_hash</c> holds for the version name.</summary>
    static uint ElfHash(string name)
    {
        uint hash = 0;
        foreach (byte character in Encoding.ASCII.GetBytes(name))
        {
            hash = (hash << 4) + character;
            uint high = hash & 0xf0000000;
            if (high != 0)
                hash ^= high >> 24;
            hash &= ~high;
        }
        return hash;
    }

    static void Run(string program, params string[] arguments)
    {
        using Process process = Process.Start(program, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}

/// <summary>TorchSharp's own linux-x64 libLibTorchSharp.so in the NuGet packages folder.</summary>
static class NuGetLibTorchSharp
{
    public static string ExpectedPath { get; } = System.IO.Path.Combine(
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        "torchsharp", typeof(torch).Assembly.GetName().Version!.ToString(3), "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    public static string? Path => File.Exists(ExpectedPath) ? ExpectedPath : null;
}

/// <summary>A fact that needs Linux and TorchSharp's libLibTorchSharp.so in the NuGet packages folder.</summary>
sealed class NuGetLibTorchSharpFactAttribute : LinuxFactAttribute
{
    public NuGetLibTorchSharpFactAttribute()
    {
        if (Skip == null && NuGetLibTorchSharp.Path == null)
            Skip = $"TorchSharp's libLibTorchSharp.so is not at {NuGetLibTorchSharp.ExpectedPath}";
    }
}

/// <summary>A fact about Linux's dynamic loader and file system.</summary>
class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "needs Linux";
    }
}

/// <summary>Builds minimal ELF64 x86-64 files holding a string table and version definitions.</summary>
static class SyntheticElf
{
    /// <summary>A version name that makes its definition's <c>vd_aux</c> point far outside the section.</summary>
    public const string CorruptAux = "<corrupt vd_aux>";

    /// <summary>
    /// A file whose <c>.gnu.version_d</c> defines <paramref name="names"/>, the first as the base (the soname).
    /// Layout: ELF header, string table, version definitions, then section headers (null, strings, definitions).
    /// </summary>
    public static byte[] DefiningVersions(params string[] names)
    {
        var strings = new MemoryStream();
        strings.WriteByte(0);
        var nameOffsets = new List<uint>();
        foreach (string name in names)
        {
            nameOffsets.Add((uint)strings.Length);
            strings.Write(Encoding.ASCII.GetBytes(name + "\0"));
        }

        const int definitionSize = 20, auxSize = 8;
        var definitions = new MemoryStream();
        var definitionWriter = new BinaryWriter(definitions);
        for (int index = 0; index < names.Length; index++)
        {
            definitionWriter.Write((ushort)1);                             // vd_version
            definitionWriter.Write((ushort)(index == 0 ? 1 : 0));          // vd_flags: VER_FLG_BASE for the first
            definitionWriter.Write((ushort)(index + 1));                   // vd_ndx
            definitionWriter.Write((ushort)1);                             // vd_cnt
            definitionWriter.Write(0u);                                    // vd_hash, unused by the reader
            definitionWriter.Write(names[index] == CorruptAux ? 0x7fff0000u : definitionSize); // vd_aux
            definitionWriter.Write(index == names.Length - 1 ? 0u : definitionSize + auxSize); // vd_next
            definitionWriter.Write(nameOffsets[index]);                    // vda_name
            definitionWriter.Write(0u);                                    // vda_next
        }

        const int headerSize = 64;
        long stringsOffset = headerSize;
        long definitionsOffset = stringsOffset + strings.Length;
        long sectionHeadersOffset = definitionsOffset + definitions.Length;

        var file = new MemoryStream();
        var writer = new BinaryWriter(file);
        writer.Write([0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        writer.Write((ushort)3);                  // e_type: ET_DYN
        writer.Write((ushort)62);                 // e_machine: EM_X86_64
        writer.Write(1u);                         // e_version
        writer.Write(0UL);                        // e_entry
        writer.Write(0UL);                        // e_phoff
        writer.Write((ulong)sectionHeadersOffset); // e_shoff
        writer.Write(0u);                         // e_flags
        writer.Write((ushort)headerSize);         // e_ehsize
        writer.Write((ushort)0);                  // e_phentsize
        writer.Write((ushort)0);                  // e_phnum
        writer.Write((ushort)64);                 // e_shentsize
        writer.Write((ushort)3);                  // e_shnum
        writer.Write((ushort)0);                  // e_shstrndx: no section names
        writer.Write(strings.ToArray());
        writer.Write(definitions.ToArray());
        WriteSectionHeader(writer, type: 0, offset: 0, size: 0, link: 0, info: 0);
        WriteSectionHeader(writer, type: 3, stringsOffset, strings.Length, link: 0, info: 0);
        WriteSectionHeader(writer, type: 0x6ffffffd, definitionsOffset, definitions.Length, link: 1, info: (uint)names.Length);
        return file.ToArray();
    }

    /// <summary>A copy of <paramref name="file"/> with one byte replaced.</summary>
    public static byte[] With(byte[] file, int offset, byte value)
    {
        byte[] copy = (byte[])file.Clone();
        copy[offset] = value;
        return copy;
    }

    static void WriteSectionHeader(BinaryWriter writer, uint type, long offset, long size, uint link, uint info)
    {
        writer.Write(0u);            // sh_name
        writer.Write(type);          // sh_type
        writer.Write(0UL);           // sh_flags
        writer.Write(0UL);           // sh_addr
        writer.Write((ulong)offset); // sh_offset
        writer.Write((ulong)size);   // sh_size
        writer.Write(link);          // sh_link
        writer.Write(info);          // sh_info
        writer.Write(1UL);           // sh_addralign
        writer.Write(0UL);           // sh_entsize
    }
}
