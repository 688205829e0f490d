using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.IO;
using AutoencoderDsl.Training;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace AutoencoderDsl.PyTorch;

/// <summary>What <see cref="PyTorchInterop.ExportPyTorch"/> wrote.</summary>
/// <param name="Module">The twin, <c>&lt;Model&gt;.py</c>.</param>
/// <param name="Weights">The weights in torch.save's format, <c>&lt;Model&gt;.pt</c>.</param>
/// <param name="TrainScript">The DistributedDataParallel trainer, <c>train.py</c>.</param>
public sealed record PyTorchExport(string Module, string Weights, string TrainScript);

/// <summary>
/// Moves a model to PyTorch and back: its weights in the format <c>torch.save</c> writes and <c>torch.load(path,
/// weights_only=True)</c> reads, under the same state-dict names as <c>Save</c>; and its PyTorch twin, with a
/// <c>train.py</c> that trains it on several processes, GPUs or machines. Reading runs no code from the file: the
/// unpickler builds tensors and nothing else.
/// </summary>
public static class PyTorchInterop
{
    private static ReadOnlySpan<byte> ZipMagic => "PK\u0003\u0004"u8;

    /// <summary>Writes the parameters and buffers as <c>torch.save(model.state_dict(), path)</c> would, atomically.</summary>
    /// <remarks>Only the state dict: a calibrated threshold, a sampler or a standardizer stay in the file <c>Save</c> writes.</remarks>
    public static void SavePyTorch(this AutoencoderModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var state = new Hashtable();
        foreach (var (name, tensor) in model.state_dict())
        {
            state[name] = tensor.detach().cpu();
        }

        AtomicFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, state, leaveOpen: true));
    }

    /// <summary>
    /// Loads weights written by <c>torch.save(state_dict, path)</c> (from the twin or its <c>train.py</c>), after checking
    /// every name, element type and shape against the model; the model is unchanged when anything differs.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not torch.save's zip format, or does not match the model.</exception>
    public static void LoadPyTorch(this AutoencoderModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var bytes = ModelFile.ReadAll(path);
        if (!bytes.AsSpan().StartsWith(ZipMagic))
        {
            throw new InvalidDataException(
                $"The file '{path}' is not in torch.save's zip format{(bytes.AsSpan().StartsWith(Checkpoint.Magic) ? " but a training checkpoint" : string.Empty)}; "
                + "write it with torch.save(model.state_dict(), path), or read a file written by Save with Load.");
        }

        var tensors = new Dictionary<string, Tensor>();
        try
        {
            Hashtable state;
            try
            {
                state = PyTorchUnpickler.UnpickleStateDict(new MemoryStream(bytes, writable: false));
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                throw new InvalidDataException($"The file '{path}' is a zip file but not a state dict torch.save wrote: {exception.Message.Split('\n')[0]}", exception);
            }

            foreach (DictionaryEntry entry in state)
            {
                if (entry.Key is not string name || entry.Value is not Tensor tensor)
                {
                    throw new InvalidDataException($"The file '{path}' holds '{entry.Key}' of type {entry.Value?.GetType().Name ?? "null"}; a state dict maps names to tensors.");
                }

                tensors[name] = tensor;
            }

            ModelFile.CopyStateDict(model, tensors, path);
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="folder"/>/<c>&lt;Model&gt;.py</c> (the twin), <c>&lt;Model&gt;.pt</c> (its weights, from
    /// this model) and <c>train.py</c>, creating the folder. Train with <c>python3 train.py --model &lt;Model&gt;
    /// --weights &lt;Model&gt;.pt --data train.npy --out trained.pt --processes 2</c>, after
    /// <see cref="NpyFile.Write"/> has written the data, and read the result back with <see cref="LoadPyTorch"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">A loss term has no PyTorch form (the neighbourhood term); nothing is written. <see cref="SavePyTorch"/> still writes the weights.</exception>
    public static PyTorchExport ExportPyTorch(this AutoencoderModel model, string folder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);

        // Written out before anything touches the disk: a model with a term the twin cannot train is refused here.
        var source = TwinSource(model);
        Directory.CreateDirectory(folder);
        var name = model.GetName();
        var export = new PyTorchExport(Path.Combine(folder, name + ".py"), Path.Combine(folder, name + ".pt"), Path.Combine(folder, "train.py"));
        AtomicFile.Write(export.Module, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(source)));
        model.SavePyTorch(export.Weights);
        using (var script = typeof(PyTorchInterop).Assembly.GetManifestResourceStream("AutoencoderDsl.PyTorch.train.py")!)
        {
            AtomicFile.Write(export.TrainScript, script.CopyTo);
        }

        return export;
    }

    /// <summary>The Python source of the model's twin.</summary>
    public static string TwinSource(this AutoencoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var spec = model.Spec;
        var head = model.state_dict()[spec.Latent.StateDictNames[0] + ".weight"];
        return PyTorchTwin.Source(model.GetName(), spec, head.shape[1] - (spec.Condition?.Classes ?? 0));
    }
}
