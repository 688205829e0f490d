using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using AutoencoderDsl.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// Saves and loads a module's parameters and buffers as a safetensors file (the format PyTorch, NumPy and the
/// <c>safetensors</c> package read, and loading runs no code), with the state-dict names as tensor names and a SHA-256
/// checksum of the whole file in its metadata. Saving is atomic; loading checks the checksum, then every name, element
/// type and shape, before it changes anything.
/// </summary>
public static class ModelFile
{
    /// <summary>The metadata value of <c>format</c> in this library's files.</summary>
    public const string Format = "AutoencoderDsl";

    /// <summary>How many mismatches a load error lists before summarising the rest.</summary>
    private const int ListedProblems = 5;

    private static ReadOnlySpan<byte> ZipMagic => "PK\u0003\u0004"u8;

    /// <summary>Writes the state dict of <paramref name="module"/> to <paramref name="path"/>, creating its folder if needed.</summary>
    /// <remarks>A crash or error leaves the previous file, if any, intact.</remarks>
    public static void Save(nn.Module module, string path) => Save(module, path, ModelExtras.None);

    /// <summary>Writes the state dict with what a model carries beside its parameters (a threshold, a sampler, a standardizer).</summary>
    internal static void Save(nn.Module module, string path, ModelExtras extras)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream => Write(module, stream, extras));
    }

    /// <summary>Loads a file written by <see cref="Save(nn.Module, string)"/> (or any safetensors file with the same names) into <paramref name="module"/>.</summary>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is damaged (its checksum does not match), is not a model file (a checkpoint, a PyTorch pickle), or was
    /// saved from a different architecture; the message names the file and what is wrong. The module is left unchanged.
    /// </exception>
    public static void Load(nn.Module module, string path) => LoadWithExtras(module, path).Dispose();

    /// <summary>Loads a model file as <see cref="Load"/> does and returns what it carries beside the parameters, which the caller owns.</summary>
    internal static ModelExtras LoadWithExtras(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = ReadAll(path);
        if (bytes.AsSpan().StartsWith(Checkpoint.Magic))
        {
            throw new InvalidDataException(
                $"The file '{path}' is a training checkpoint, not a model file; pass it as FitOptions.CheckpointPath to resume training, or Save the trained model and load that file.");
        }

        if (bytes.AsSpan().StartsWith(ZipMagic))
        {
            throw new InvalidDataException(
                $"The file '{path}' is a PyTorch file written by torch.save; read it with LoadPyTorch (AutoencoderDsl.PyTorch), which reads tensors only and runs no code from the file.");
        }

        return Read(module, bytes, path);
    }

    /// <summary>The safetensors bytes of <paramref name="module"/>'s state dict, and of any extras under <see cref="ModelExtras.Prefix"/>.</summary>
    internal static void Write(nn.Module module, Stream stream, ModelExtras? extras = null)
    {
        var metadata = new Dictionary<string, string> { ["format"] = Format, ["model"] = module.GetName() };
        var tensors = module.state_dict().AsEnumerable();
        if (extras is not null)
        {
            foreach (var (key, value) in extras.Metadata)
            {
                metadata[ModelExtras.Prefix + key] = value;
            }

            tensors = tensors.Concat(extras.Tensors.Select(entry => KeyValuePair.Create(ModelExtras.Prefix + entry.Key, entry.Value)));
        }

        SafeTensors.Write(stream, tensors, metadata);
    }

    /// <summary>
    /// Checks, then copies, a safetensors image into the module's own tensors, in place (an optimizer holding them stays
    /// connected), and returns the extras it carries, which the caller owns.
    /// </summary>
    internal static ModelExtras Read(nn.Module module, ReadOnlyMemory<byte> bytes, string path) => Apply(module, Check(module, bytes, path));

    /// <summary>Checks a safetensors image's layout, checksum, names, element types and shapes against <paramref name="module"/>, changing nothing.</summary>
    internal static CheckedImage Check(nn.Module module, ReadOnlyMemory<byte> bytes, string path)
    {
        var (entries, metadata, dataStart) = SafeTensors.Read(bytes, path);
        RequireMatch(module, entries.Where(entry => !IsExtra(entry.Name)).Select(entry => (entry.Name, entry.DType, entry.Shape)), path);
        return new CheckedImage(bytes, entries, metadata, dataStart);
    }

    /// <summary>Copies a checked image into the module's own tensors and returns its extras, which the caller owns.</summary>
    internal static ModelExtras Apply(nn.Module module, CheckedImage image)
    {
        // The extras are built first: once the module's tensors change, nothing is left that can fail.
        var extras = new ModelExtras(
            image.Entries.Where(entry => IsExtra(entry.Name))
                .ToDictionary(entry => entry.Name[ModelExtras.Prefix.Length..], entry => SafeTensors.Tensor(image.Bytes.Span, image.DataStart, entry)),
            image.Metadata.Where(entry => IsExtra(entry.Key))
                .ToDictionary(entry => entry.Key[ModelExtras.Prefix.Length..], entry => entry.Value));
        using (no_grad())
        {
            var targets = module.state_dict();
            foreach (var entry in image.Entries.Where(entry => !IsExtra(entry.Name)))
            {
                using var source = SafeTensors.Tensor(image.Bytes.Span, image.DataStart, entry);
                targets[entry.Name].copy_(source);
            }
        }

        return extras;
    }

    private static bool IsExtra(string name) => name.StartsWith(ModelExtras.Prefix, StringComparison.Ordinal);

    /// <summary>
    /// Checks tensors from <paramref name="source"/> against <paramref name="module"/>'s state dict, then copies them
    /// into its own tensors in place; nothing changes unless every name, element type and shape matches.
    /// </summary>
    /// <exception cref="InvalidDataException">Names are missing or unexpected, or an element type or shape differs; the first few are listed.</exception>
    public static void CopyStateDict(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(tensors);
        RequireMatch(module, tensors.Select(entry => (entry.Key, entry.Value.dtype, entry.Value.shape)), source);
        using var noGrad = no_grad();
        var targets = module.state_dict();
        foreach (var (name, tensor) in tensors)
        {
            targets[name].copy_(tensor);
        }
    }

    /// <summary>Every name, element type and shape of <paramref name="entries"/> against the module's state dict.</summary>
    private static void RequireMatch(nn.Module module, IEnumerable<(string Name, ScalarType DType, long[] Shape)> entries, string path)
    {
        var targets = module.state_dict();
        var problems = new List<string>();
        var present = new HashSet<string>();
        foreach (var (name, dtype, shape) in entries)
        {
            present.Add(name);
            if (!targets.TryGetValue(name, out var target))
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
        }

        problems.AddRange(targets.Keys.Where(name => !present.Contains(name)).Select(name => $"missing entry '{name}' {Shapes.Format(targets[name].shape)}"));
        if (problems.Count > 0)
        {
            var listed = string.Join("; ", problems.Take(ListedProblems));
            var more = problems.Count > ListedProblems ? $"; and {problems.Count - ListedProblems} more" : "";
            throw new InvalidDataException($"The file '{path}' does not match this model (saved from a different architecture?): {listed}{more}.");
        }
    }

    /// <summary>Reads a whole file, turning a missing one into a <see cref="FileNotFoundException"/> that names it.</summary>
    internal static byte[] ReadAll(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"The file '{path}' does not exist.", path, exception);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new UnauthorizedAccessException($"The file '{path}' cannot be read: access is denied.", exception);
        }
    }
}

/// <summary>A safetensors image whose layout, checksum and match with a module were checked: see <see cref="ModelFile.Check"/>.</summary>
internal sealed record CheckedImage(ReadOnlyMemory<byte> Bytes, IReadOnlyList<SafeTensorEntry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart);

/// <summary>
/// What a model file carries beside the state dict: tensors and metadata under names starting <see cref="Prefix"/>, so
/// PyTorch's <c>load_state_dict</c> can be given the rest.
/// </summary>
internal sealed record ModelExtras(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) : IDisposable
{
    public const string Prefix = "extras.";

    public static ModelExtras None { get; } = new(new Dictionary<string, Tensor>(), new Dictionary<string, string>());

    /// <summary>The tensors whose names start with <paramref name="group"/> and a dot, with that prefix removed.</summary>
    public IReadOnlyDictionary<string, Tensor> Group(string group) =>
        Tensors.Where(entry => entry.Key.StartsWith(group + ".", StringComparison.Ordinal)).ToDictionary(entry => entry.Key[(group.Length + 1)..], entry => entry.Value);

    public void Dispose()
    {
        foreach (var tensor in Tensors.Values)
        {
            tensor.Dispose();
        }
    }
}
