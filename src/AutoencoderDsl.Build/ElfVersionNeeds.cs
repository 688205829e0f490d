// Reading and editing the GNU symbol-versioning sections of ELF files, for the build step that lets TorchSharp's
// libLibTorchSharp.so load where libstdc++ predates GLIBCXX_3.4.32 (see docs/native-libstdcxx.md). netstandard2.0,
// as MSBuild loads tasks built for it, so it uses no newer API.
#nullable enable

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace AutoencoderDsl.Build;

/// <summary>How an ELF file requires one version of one library.</summary>
public enum VersionNeedState
{
    /// <summary>The file does not name that version of that library.</summary>
    Absent,
    /// <summary>The dynamic loader refuses to load the file unless the library defines the version.</summary>
    Strong,
    /// <summary>The loader only notes the version's absence (<c>VER_FLG_WEAK</c>).</summary>
    Weak,
}

/// <summary>What <see cref="ElfVersionNeeds.MarkWeak"/> did.</summary>
public enum PatchOutcome
{
    /// <summary>The file does not require the version; nothing changed.</summary>
    NotRequired,
    /// <summary>Every requirement of the version was already weak; nothing changed.</summary>
    AlreadyWeak,
    /// <summary>The requirement was strong and is now weak.</summary>
    MarkedWeak,
}

/// <summary>
/// Reads and edits the GNU symbol-versioning sections of an ELF64 little-endian x86-64 file held in memory.
/// Every read is bounds-checked: a malformed file raises <see cref="InvalidDataException"/> saying what is wrong.
/// </summary>
public static class ElfVersionNeeds
{
    /// <summary>True when the file's <c>.gnu.version_d</c> defines <paramref name="version"/>.</summary>
    public static bool DefinesVersion(byte[] elf, string version)
    {
        var file = new ElfFile(elf);
        ElfSection? definitions = file.FindSection(ElfFile.SectionTypeVersionDefinitions);
        if (definitions == null)
            return false;
        ElfSection strings = file.LinkedSection(definitions, "version-definition string table");
        long entry = 0;
        for (uint index = 0; index < definitions.Info; index++)
        {
            ushort flags = definitions.ReadU16(entry + 2, "Verdef.vd_flags");
            // The base entry names the file itself (its soname), not a version.
            if ((flags & VersionFlagBase) == 0)
            {
                long firstAux = entry + definitions.ReadU32(entry + 12, "Verdef.vd_aux");
                if (strings.ReadString(definitions.ReadU32(firstAux, "Verdaux.vda_name")) == version)
                    return true;
            }
            uint next = definitions.ReadU32(entry + 16, "Verdef.vd_next");
            if (next == 0)
                break;
            entry += next;
        }
        return false;
    }

    /// <summary>Whether the file requires <paramref name="version"/> of <paramref name="library"/>, and how.</summary>
    public static VersionNeedState GetNeedState(byte[] elf, string library, string version)
    {
        List<VersionNeed> needs = FindNeeds(new ElfFile(elf), library, version);
        if (needs.Count == 0)
            return VersionNeedState.Absent;
        return needs.All(need => need.IsWeak) ? VersionNeedState.Weak : VersionNeedState.Strong;
    }

    /// <summary>
    /// Sets <c>VER_FLG_WEAK</c> in every <c>Vernaux.vna_flags</c> naming <paramref name="version"/> of
    /// <paramref name="library"/>; those two-byte fields are the only bytes of <paramref name="elf"/> it changes.
    /// </summary>
    public static PatchOutcome MarkWeak(byte[] elf, string library, string version)
    {
        List<VersionNeed> needs = FindNeeds(new ElfFile(elf), library, version);
        if (needs.Count == 0)
            return PatchOutcome.NotRequired;
        if (needs.All(need => need.IsWeak))
            return PatchOutcome.AlreadyWeak;
        foreach (VersionNeed need in needs)
        {
            ushort flags = (ushort)(need.Flags | VersionFlagWeak);
            elf[need.FlagsOffset] = (byte)flags;
            elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
        }
        return PatchOutcome.MarkedWeak;
    }

    /// <summary>
    /// The dynamic symbols bound to <paramref name="version"/> of <paramref name="library"/>: the ones a weak
    /// requirement would leave unresolved when the library lacks that version.
    /// </summary>
    public static IReadOnlyList<string> SymbolsRequiring(byte[] elf, string library, string version)
    {
        var file = new ElfFile(elf);
        var versionIndexes = new HashSet<ushort>(FindNeeds(file, library, version).Select(need => need.Index));
        var symbols = new List<string>();
        ElfSection? versions = file.FindSection(ElfFile.SectionTypeSymbolVersions);
        if (versionIndexes.Count == 0 || versions == null)
            return symbols;
        ElfSection symbolTable = file.LinkedSection(versions, "dynamic symbol table");
        ElfSection names = file.LinkedSection(symbolTable, "dynamic string table");
        long count = versions.Size / 2;
        for (long symbol = 0; symbol < count; symbol++)
        {
            ushort index = (ushort)(versions.ReadU16(symbol * 2, "versym entry") & ~HiddenVersionBit);
            if (versionIndexes.Contains(index))
                symbols.Add(names.ReadString(symbolTable.ReadU32(symbol * SymbolSize, "Elf64_Sym.st_name")));
        }
        return symbols;
    }

    const ushort VersionFlagBase = 0x1;
    const ushort VersionFlagWeak = 0x2;
    const ushort HiddenVersionBit = 0x8000;
    const long SymbolSize = 24;

    sealed class VersionNeed
    {
        public VersionNeed(long flagsOffset, ushort flags, ushort index)
        {
            FlagsOffset = flagsOffset;
            Flags = flags;
            Index = index;
        }

        /// <summary>Where <c>vna_flags</c> lies in the file.</summary>
        public long FlagsOffset { get; }
        public ushort Flags { get; }
        /// <summary>The <c>vna_other</c> index that <c>.gnu.version</c> entries use for this version.</summary>
        public ushort Index { get; }
        public bool IsWeak => (Flags & VersionFlagWeak) != 0;
    }

    static List<VersionNeed> FindNeeds(ElfFile file, string library, string version)
    {
        var found = new List<VersionNeed>();
        ElfSection? needs = file.FindSection(ElfFile.SectionTypeVersionNeeds);
        if (needs == null)
            return found;
        ElfSection strings = file.LinkedSection(needs, "version-needs string table");
        long entry = 0;
        for (uint index = 0; index < needs.Info; index++)
        {
            ushort auxCount = needs.ReadU16(entry + 2, "Verneed.vn_cnt");
            string dependency = strings.ReadString(needs.ReadU32(entry + 4, "Verneed.vn_file"));
            if (dependency == library)
            {
                long aux = entry + needs.ReadU32(entry + 8, "Verneed.vn_aux");
                for (int auxIndex = 0; auxIndex < auxCount; auxIndex++)
                {
                    if (strings.ReadString(needs.ReadU32(aux + 8, "Vernaux.vna_name")) == version)
                    {
                        ushort flags = needs.ReadU16(aux + 4, "Vernaux.vna_flags");
                        ushort other = needs.ReadU16(aux + 6, "Vernaux.vna_other");
                        found.Add(new VersionNeed(needs.Offset + aux + 4, flags, other));
                    }
                    uint nextAux = needs.ReadU32(aux + 12, "Vernaux.vna_next");
                    if (nextAux == 0)
                        break;
                    aux += nextAux;
                }
            }
            uint next = needs.ReadU32(entry + 12, "Verneed.vn_next");
            if (next == 0)
                break;
            entry += next;
        }
        return found;
    }
}

/// <summary>An ELF64 little-endian x86-64 file's header and section headers, validated on construction.</summary>
sealed class ElfFile
{
    public const uint SectionTypeVersionDefinitions = 0x6ffffffd;
    public const uint SectionTypeVersionNeeds = 0x6ffffffe;
    public const uint SectionTypeSymbolVersions = 0x6fffffff;

    const int HeaderSize = 64;
    const int SectionHeaderSize = 64;
    const ushort MachineX86_64 = 62;
    const uint SectionTypeNoBits = 8;

    readonly byte[] _bytes;
    readonly List<ElfSection> _sections = new List<ElfSection>();

    public ElfFile(byte[] bytes)
    {
        _bytes = bytes;
        if (bytes.Length < 4 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file (the first four bytes are not 0x7F 'E' 'L' 'F')");
        if (bytes.Length < HeaderSize)
            throw new InvalidDataException(Invariant($"truncated ELF header ({bytes.Length} bytes, need {HeaderSize})"));
        if (bytes[4] != 2)
            throw new InvalidDataException("not a 64-bit ELF file (EI_CLASS is not ELFCLASS64); only ELF64 x86-64 is supported");
        if (bytes[5] != 1)
            throw new InvalidDataException("not a little-endian ELF file (EI_DATA is not ELFDATA2LSB); only ELF64 x86-64 is supported");
        ushort machine = ReadU16(0x12);
        if (machine != MachineX86_64)
            throw new InvalidDataException(Invariant($"ELF machine is {machine}, not x86-64 ({MachineX86_64}); only ELF64 x86-64 is supported"));

        ulong tableOffset = ReadU64(0x28);
        ushort entrySize = ReadU16(0x3a);
        ushort count = ReadU16(0x3c);
        if (tableOffset == 0 || count == 0)
            throw new InvalidDataException("the ELF file has no section headers");
        if (entrySize != SectionHeaderSize)
            throw new InvalidDataException(Invariant($"ELF section headers are {entrySize} bytes, not {SectionHeaderSize}"));
        if (tableOffset > (ulong)bytes.Length || (ulong)count * SectionHeaderSize > (ulong)bytes.Length - tableOffset)
            throw new InvalidDataException(Invariant(
                $"truncated ELF file: {count} section headers at offset {tableOffset} run past its end ({bytes.Length} bytes)"));

        for (int index = 0; index < count; index++)
        {
            long header = (long)tableOffset + index * SectionHeaderSize;
            uint type = ReadU32(header + 4);
            // SHT_NOBITS sections (.bss) have no bytes in the file, so none of theirs may be read.
            bool inFile = type != SectionTypeNoBits;
            ulong offset = inFile ? ReadU64(header + 24) : 0;
            ulong size = inFile ? ReadU64(header + 32) : 0;
            if (offset > (ulong)bytes.Length || size > (ulong)bytes.Length - offset)
                throw new InvalidDataException(Invariant(
                    $"truncated ELF file: section {index} (offset {offset}, {size} bytes) runs past its end ({bytes.Length} bytes)"));
            _sections.Add(new ElfSection(bytes, index, type, (long)offset, (long)size, ReadU32(header + 40), ReadU32(header + 44)));
        }
    }

    public ElfSection? FindSection(uint type) => _sections.FirstOrDefault(section => section.Type == type);

    /// <summary>The section that <paramref name="section"/>'s <c>sh_link</c> names.</summary>
    public ElfSection LinkedSection(ElfSection section, string what)
    {
        if (section.Link == 0 || section.Link >= _sections.Count)
            throw new InvalidDataException(Invariant($"section {section.Index} links to section {section.Link} as its {what}, which does not exist"));
        return _sections[(int)section.Link];
    }

    ushort ReadU16(long offset) => (ushort)(_bytes[offset] | _bytes[offset + 1] << 8);

    uint ReadU32(long offset) => ReadU16(offset) | (uint)ReadU16(offset + 2) << 16;

    ulong ReadU64(long offset) => ReadU32(offset) | (ulong)ReadU32(offset + 4) << 32;

    internal static string Invariant(FormattableString message) => message.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One section's bytes; reads outside them raise <see cref="InvalidDataException"/>.</summary>
sealed class ElfSection
{
    readonly byte[] _bytes;

    public ElfSection(byte[] bytes, int index, uint type, long offset, long size, uint link, uint info)
    {
        _bytes = bytes;
        Index = index;
        Type = type;
        Offset = offset;
        Size = size;
        Link = link;
        Info = info;
    }

    public int Index { get; }
    public uint Type { get; }
    public long Offset { get; }
    public long Size { get; }
    public uint Link { get; }
    public uint Info { get; }

    public ushort ReadU16(long position, string field)
    {
        long at = Locate(position, 2, field);
        return (ushort)(_bytes[at] | _bytes[at + 1] << 8);
    }

    public uint ReadU32(long position, string field)
    {
        long at = Locate(position, 4, field);
        return _bytes[at] | (uint)_bytes[at + 1] << 8 | (uint)_bytes[at + 2] << 16 | (uint)_bytes[at + 3] << 24;
    }

    /// <summary>The NUL-terminated string at <paramref name="position"/>, for a string-table section.</summary>
    public string ReadString(uint position)
    {
        long start = Locate(position, 1, "string");
        int end = Array.IndexOf(_bytes, (byte)0, (int)start, (int)(Offset + Size - start));
        if (end < 0)
            throw new InvalidDataException(ElfFile.Invariant($"string at offset {position} of section {Index} is not NUL-terminated"));
        return Encoding.UTF8.GetString(_bytes, (int)start, end - (int)start);
    }

    long Locate(long position, int length, string field)
    {
        if (position < 0 || position + length > Size)
            throw new InvalidDataException(ElfFile.Invariant(
                $"{field} at offset {position} of section {Index} lies outside the section ({Size} bytes)"));
        return Offset + position;
    }
}
