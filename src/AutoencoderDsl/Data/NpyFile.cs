using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using AutoencoderDsl.IO;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Data;

/// <summary>
/// Tensors as NumPy <c>.npy</c> files, which <c>numpy.load(path, allow_pickle=False)</c> and so PyTorch read without
/// unpickling anything: how data travels to the PyTorch twin's <c>train.py</c>. Written by hand because no maintained
/// .NET library for the format is served, and the format is a short text header before the raw C-order elements.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private static readonly Dictionary<ScalarType, string> Descriptions = new()
    {
        [ScalarType.Float32] = "<f4",
        [ScalarType.Float64] = "<f8",
        [ScalarType.Float16] = "<f2",
        [ScalarType.Int64] = "<i8",
        [ScalarType.Int32] = "<i4",
        [ScalarType.Int16] = "<i2",
        [ScalarType.Int8] = "|i1",
        [ScalarType.Byte] = "|u1",
        [ScalarType.Bool] = "|b1",
    };

    /// <summary>Writes <paramref name="tensor"/> to <paramref name="path"/> atomically, as a version 1.0 <c>.npy</c> file.</summary>
    public static void Write(Tensor tensor, string path)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!Descriptions.TryGetValue(tensor.dtype, out var description))
        {
            throw new ArgumentException($"A .npy file cannot hold {tensor.dtype} elements here; convert the tensor to Float32, Float64 or an integer type first.", nameof(tensor));
        }

        using var data = tensor.detach().cpu().contiguous();
        var shape = data.shape.Length == 1 ? $"({data.shape[0]},)" : "(" + string.Join(", ", data.shape) + ")";
        var header = $"{{'descr': '{description}', 'fortran_order': False, 'shape': {shape}, }}";

        // The header with its newline ends on a 64-byte boundary, as NumPy writes it.
        int unpadded = Magic.Length + 2 + 2 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (unpadded % 64)) % 64)) + "\n";
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.WriteByte(1);
            stream.WriteByte(0);
            stream.WriteByte((byte)(header.Length & 0xFF));
            stream.WriteByte((byte)(header.Length >> 8));
            stream.Write(Encoding.ASCII.GetBytes(header));
            stream.Write(data.bytes);
        });
    }

    /// <summary>Reads a <c>.npy</c> file of little-endian numbers in C order, as NumPy writes them by default.</summary>
    /// <exception cref="InvalidDataException">
    /// The file is not a <c>.npy</c> file, holds objects or Fortran order, or its data does not fill the shape its header
    /// declares exactly; the message names the file. The declared size is checked against the file before anything is allocated.
    /// </exception>
    public static Tensor Read(string path)
    {
        var bytes = ModelFile.ReadAll(path);
        var (dtype, shape, dataStart) = ReadHeader(bytes, bytes.Length, path);
        var result = empty(shape, dtype);
        bytes.AsSpan((int)dataStart).CopyTo(result.bytes);
        return result;
    }

    /// <summary>
    /// Opens a <c>.npy</c> file of examples <c>[N, ...]</c> memory-mapped, as a data set that reads each example from the
    /// file when it is asked for, so a file larger than memory trains: only the pages being read are brought in, and
    /// the kernel may drop them again. With <paramref name="labelsPath"/>, a <c>.npy</c> of <c>N</c> integer labels (read
    /// into memory) gives each example's class.
    /// </summary>
    /// <param name="path">The examples; little-endian numbers in C order, as NumPy writes them.</param>
    /// <param name="labelsPath">The labels, or null for unlabelled examples.</param>
    /// <param name="scale">Multiplies every value as it is read, such as 1/255 for bytes of pixels; examples come out as float32.</param>
    /// <exception cref="InvalidDataException">Either file is not a readable <c>.npy</c> file, or the labels do not fit the examples.</exception>
    public static NpyDataset Open(string path, string? labelsPath = null, double scale = 1) => new(path, labelsPath, scale);

    /// <summary>
    /// The element type, shape and data offset of the <c>.npy</c> file whose first bytes are <paramref name="bytes"/> and
    /// whose length is <paramref name="fileLength"/>; the declared size must fill the file exactly.
    /// </summary>
    internal static (ScalarType Type, long[] Shape, long DataStart) ReadHeader(ReadOnlySpan<byte> bytes, long fileLength, string path)
    {
        if (bytes.Length < 10 || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw Invalid(path, "it does not start with NumPy's magic string");
        }

        int major = bytes[6];
        int lengthBytes = major == 1 ? 2 : 4;
        if (major is < 1 or > 3 || bytes.Length < 8 + lengthBytes)
        {
            throw Invalid(path, string.Create(CultureInfo.InvariantCulture, $"its header has the unknown format version {major}"));
        }

        // Version 2 and 3 lengths are unsigned 32-bit: read them as such, and add them up in 64 bits.
        long headerLength = lengthBytes == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        long dataStart = 8 + lengthBytes + headerLength;
        if (dataStart > bytes.Length)
        {
            throw Invalid(path, string.Create(CultureInfo.InvariantCulture, $"its header claims {headerLength} bytes, past the end of the file or of the {MaxHeaderBytes} bytes a header may take"));
        }

        var header = Encoding.ASCII.GetString(bytes.Slice(8 + lengthBytes, (int)headerLength));
        var match = HeaderPattern().Match(header);
        var dtype = Descriptions.FirstOrDefault(entry => entry.Value == match.Groups["descr"].Value).Key;
        if (!match.Success || match.Groups["fortran"].Value != "False" || !Descriptions.ContainsValue(match.Groups["descr"].Value))
        {
            throw Invalid(path, $"it holds '{FileText.Printable(header.Trim(), 200)}'; this reader takes little-endian numbers or booleans in C order");
        }

        var dims = match.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new long[dims.Length];
        long size = dtype.ElementSize();
        long available = fileLength - dataStart;
        for (int i = 0; i < dims.Length; i++)
        {
            // Every dimension fits 64 bits and the product stays within the file, so a claimed 10¹² elements are refused here, not allocated.
            if (!long.TryParse(dims[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || (shape[i] != 0 && size > available / shape[i]))
            {
                throw Invalid(path, $"its shape ({string.Join(", ", dims)}) needs more than the {available} bytes of data it holds");
            }

            size *= shape[i];
        }

        if (available != size)
        {
            throw Invalid(path, string.Create(CultureInfo.InvariantCulture, $"it should hold {size} bytes of data for shape ({string.Join(", ", shape)}) but holds {available}"));
        }

        return (dtype, shape, dataStart);
    }

    /// <summary>The most bytes a header is read from when a file is opened memory-mapped: NumPy's headers are a line of text.</summary>
    internal const int MaxHeaderBytes = 1 << 16;

    internal static InvalidDataException Invalid(string path, string problem) => new($"The file '{path}' is not a readable .npy file: {problem}.");

    [GeneratedRegex(@"'descr':\s*'(?<descr>[^']+)',\s*'fortran_order':\s*(?<fortran>True|False),\s*'shape':\s*\((?<shape>[0-9,\s]*)\)")]
    private static partial Regex HeaderPattern();
}
