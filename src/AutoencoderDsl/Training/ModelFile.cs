using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using AutoencoderDsl.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// Saves and loads a module's parameters and buffers in TorchSharp's own state-dict format, so the files also open
/// with <c>Module.load</c> and vice versa. Saving is atomic; loading checks names, element types and shapes before changing anything.
/// </summary>
public static class ModelFile
{
    /// <summary>How many mismatches a load error lists before summarising the rest.</summary>
    private const int ListedProblems = 5;

    /// <summary>libtorch's limit on tensor dimensions; a larger count means the bytes are not a state dict.</summary>
    private const long MaxRank = 64;

    /// <summary>Writes the state dict of <paramref name="module"/> to <paramref name="path"/>, creating its folder if needed.</summary>
    /// <remarks>A crash or error leaves the previous file, if any, intact.</remarks>
    public static void Save(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            module.save(writer);
        });
    }

    /// <summary>Loads a state dict saved from a module of the same architecture into <paramref name="module"/>.</summary>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is truncated or corrupt, or was saved from a different architecture; the message names the file and
    /// the mismatching entries. The module is left unchanged.
    /// </exception>
    public static void Load(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var reader = OpenForReading(path);
        LoadStateDict(reader, module, path);
        RequireEnd(reader, path);
    }

    /// <summary>Opens <paramref name="path"/>, turning a missing file into a <see cref="FileNotFoundException"/> that names it.</summary>
    internal static BinaryReader OpenForReading(string path)
    {
        try
        {
            return new BinaryReader(File.OpenRead(path));
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"The model file '{path}' does not exist.", path, exception);
        }
    }

    /// <summary>Checks, then loads, the state dict that starts at the reader's position; leaves the reader after it.</summary>
    internal static void LoadStateDict(BinaryReader reader, nn.Module module, string path)
    {
        var start = reader.BaseStream.Position;
        SkipCheckedStateDict(reader, module, path);
        reader.BaseStream.Position = start;
        CopyCheckedStateDict(reader, module);
    }

    /// <summary>
    /// Reads a state dict that <see cref="SkipCheckedStateDict"/> accepted into the module's own tensors, in place.
    /// <c>Module.load</c> reads the same format but first moves a non-CPU module to the CPU and back, which replaces
    /// its <c>Parameter</c> objects and would cut them off from an optimizer that already holds them.
    /// </summary>
    internal static void CopyCheckedStateDict(BinaryReader reader, nn.Module module)
    {
        var targets = module.state_dict();
        var count = ReadLeb128(reader);
        for (long i = 0; i < count; i++)
        {
            targets[reader.ReadString()].Load(reader);
        }
    }

    /// <summary>
    /// Walks the state dict at the reader's position without copying tensor data, and throws
    /// <see cref="InvalidDataException"/> unless every entry of <paramref name="module"/> is present with its element
    /// type and shape, and nothing else is. TorchSharp's own checks neither name the entry nor keep the module intact.
    /// </summary>
    internal static void SkipCheckedStateDict(BinaryReader reader, nn.Module module, string path)
    {
        var expected = module.state_dict();
        var problems = new List<string>();
        var seen = new HashSet<string>();
        string entry = "the entry count";
        try
        {
            var count = ReadLeb128(reader);
            for (long i = 0; i < count; i++)
            {
                entry = $"entry {i.ToString(CultureInfo.InvariantCulture)}";
                var name = reader.ReadString();
                entry = $"'{name}'";
                var dtype = (ScalarType)ReadLeb128(reader);
                var rank = ReadLeb128(reader);
                if (rank > MaxRank)
                {
                    throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"a tensor claims {rank} dimensions"));
                }

                var shape = new long[rank];
                for (int d = 0; d < shape.Length; d++)
                {
                    shape[d] = ReadLeb128(reader);
                }

                if (!seen.Add(name))
                {
                    problems.Add($"'{name}' appears twice");
                }
                else if (!expected.TryGetValue(name, out var target))
                {
                    problems.Add($"unexpected entry '{name}' {Shapes.Format(shape)}");
                }
                else if (dtype != target.dtype)
                {
                    problems.Add($"'{name}' holds {dtype} in the file but the model expects {target.dtype}");
                }
                else if (!shape.SequenceEqual(target.shape))
                {
                    problems.Add($"'{name}' has shape {Shapes.Format(shape)} in the file but {Shapes.Format(target.shape)} in the model");
                }

                Skip(reader, checked(shape.Aggregate(1L, (product, dim) => checked(product * dim)) * ElementSize(dtype)));
            }
        }
        catch (EndOfStreamException exception)
        {
            throw new InvalidDataException($"The file '{path}' is truncated: it ends inside {entry}.", exception);
        }
        catch (Exception exception) when (exception is FormatException or OverflowException or IOException)
        {
            throw new InvalidDataException($"The file '{path}' is corrupt: {entry} cannot be read ({exception.Message}).", exception);
        }

        problems.AddRange(expected.Keys.Where(name => !seen.Contains(name)).Select(name => $"missing entry '{name}' {Shapes.Format(expected[name].shape)}"));
        if (problems.Count > 0)
        {
            var listed = string.Join("; ", problems.Take(ListedProblems));
            var more = problems.Count > ListedProblems ? $"; and {problems.Count - ListedProblems} more" : "";
            throw new InvalidDataException($"The file '{path}' does not match this model (saved from a different architecture?): {listed}{more}.");
        }
    }

    /// <summary>Throws unless the reader has consumed the whole file: trailing bytes mean a different or damaged format.</summary>
    internal static void RequireEnd(BinaryReader reader, string path)
    {
        var remaining = reader.BaseStream.Length - reader.BaseStream.Position;
        if (remaining != 0)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"The file '{path}' is corrupt: {remaining} unexpected bytes follow its last entry."));
        }
    }

    /// <summary>Reads the unsigned LEB128 integers TorchSharp writes for counts, element types and dimensions.</summary>
    private static long ReadLeb128(BinaryReader reader)
    {
        long value = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (shift > 63)
            {
                throw new FormatException("an integer is longer than 64 bits");
            }

            byte next = reader.ReadByte();
            value |= (long)(next & 0x7f) << shift;
            if ((next & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static long ElementSize(ScalarType dtype)
    {
        try
        {
            return dtype.ElementSize();
        }
        catch (NotImplementedException)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"unknown element type code {(int)dtype}"));
        }
    }

    /// <summary>Moves past <paramref name="count"/> bytes, which must all be present.</summary>
    private static void Skip(BinaryReader reader, long count)
    {
        var stream = reader.BaseStream;
        if (count < 0)
        {
            throw new FormatException("a tensor has a negative size");
        }

        if (count > stream.Length - stream.Position)
        {
            throw new EndOfStreamException();
        }

        stream.Position += count;
    }
}
