#nullable enable

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Build.Framework;

namespace AutoencoderDsl.Build;

/// <summary>
/// Marks the GLIBCXX_3.4.32 requirement weak in each given libLibTorchSharp.so when the system libstdc++ lacks that
/// version, and logs what it did.
/// </summary>
public sealed class MarkLibTorchSharpGlibcxxNeedWeak : Microsoft.Build.Utilities.Task
{
    const string UnreadableCode = "ADSLBUILD001";
    const string UnsafeCode = "ADSLBUILD002";
    const string Docs = "see docs/native-libstdcxx.md";

    /// <summary>The copies of libLibTorchSharp.so to patch.</summary>
    [Required]
    public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        string? libStdCxx = LibTorchSharpVersionPatch.FindSystemLibStdCxx();
        if (libStdCxx == null)
        {
            Log.LogMessage(MessageImportance.Normal,
                $"AutoencoderDsl: found no system {LibTorchSharpVersionPatch.LibStdCxx}; leaving libLibTorchSharp.so unpatched.");
            return true;
        }
        bool systemHasVersion;
        try
        {
            systemHasVersion = ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(libStdCxx), LibTorchSharpVersionPatch.MissingVersion);
        }
        catch (Exception error) when (IsFileProblem(error))
        {
            Warn(UnreadableCode, $"cannot tell whether {libStdCxx} defines {LibTorchSharpVersionPatch.MissingVersion}: {error.Message}");
            return true;
        }
        if (systemHasVersion)
        {
            Log.LogMessage(MessageImportance.Normal,
                $"AutoencoderDsl: {libStdCxx} defines {LibTorchSharpVersionPatch.MissingVersion}; libLibTorchSharp.so needs no patch.");
            return true;
        }
        foreach (ITaskItem library in Libraries)
            Patch(library.GetMetadata("FullPath"));
        return true;
    }

    void Patch(string path)
    {
        string version = LibTorchSharpVersionPatch.MissingVersion;
        string libStdCxx = LibTorchSharpVersionPatch.LibStdCxx;
        try
        {
            byte[] elf = File.ReadAllBytes(path);
            List<string> unsafeSymbols = ElfVersionNeeds.SymbolsRequiring(elf, libStdCxx, version)
                .Where(symbol => symbol != LibTorchSharpVersionPatch.PinningSymbol)
                .ToList();
            if (unsafeSymbols.Count > 0)
            {
                Warn(UnsafeCode, $"not patching {path}: it needs {version} for {string.Join(", ", unsafeSymbols)}, "
                    + $"which the system libstdc++ lacks, so it cannot load here ({Docs})");
                return;
            }
            switch (ElfVersionNeeds.MarkWeak(elf, libStdCxx, version))
            {
                case PatchOutcome.NotRequired:
                    Log.LogMessage(MessageImportance.Normal, $"AutoencoderDsl: {path} does not require {version}; nothing to patch.");
                    break;
                case PatchOutcome.AlreadyWeak:
                    Log.LogMessage(MessageImportance.Normal, $"AutoencoderDsl: {path} is already patched ({version} is weak).");
                    break;
                case PatchOutcome.MarkedWeak:
                    LibTorchSharpVersionPatch.ReplaceFile(path, elf);
                    Log.LogMessage(MessageImportance.High,
                        $"AutoencoderDsl: marked {version} weak in {path} (system libstdc++ lacks it; {Docs})");
                    break;
            }
        }
        catch (Exception error) when (IsFileProblem(error))
        {
            Warn(UnreadableCode, $"cannot patch {path}: {error.Message}");
        }
    }

    static bool IsFileProblem(Exception error) =>
        error is InvalidDataException || error is IOException || error is UnauthorizedAccessException;

    void Warn(string code, string message) =>
        Log.LogWarning(null, code, null, null, 0, 0, 0, 0, "AutoencoderDsl: " + message);
}
