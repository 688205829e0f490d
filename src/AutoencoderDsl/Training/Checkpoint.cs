using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using AutoencoderDsl.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// A resumable training state in one atomically written file: a header (magic, format version, completed epochs),
/// the history, libtorch's global random state, the model's state dict and the optimizer's state, the last two in
/// TorchSharp's own formats. The model comes before the optimizer so that a checkpoint of another architecture is
/// rejected with named entries before anything is restored. Only the CPU generator is captured: on CUDA, dropout and
/// noise drawn on the device make a resumed run statistically, not bitwise, equal to an uninterrupted one.
/// </summary>
internal static class Checkpoint
{
    private static ReadOnlySpan<byte> Magic => "AEDSLCKP"u8;

    private const int FormatVersion = 2;

    /// <summary>Replaces <paramref name="path"/> with the state after the last epoch of <paramref name="history"/>.</summary>
    public static void Write(string path, nn.Module module, OptimizerHelper optimizer, IReadOnlyList<EpochSummary> history)
    {
        using var randomState = torch.random.get_rng_state();
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(history.Count);
            foreach (var epoch in history)
            {
                WriteEpoch(writer, epoch);
            }

            var randomBytes = randomState.bytes;
            writer.Write(randomBytes.Length);
            writer.Write(randomBytes);
            module.save(writer);
            optimizer.save_state_dict(writer);
        });
    }

    /// <summary>
    /// Restores the model, the optimizer and libtorch's global random state from <paramref name="path"/> and returns
    /// the completed epochs. Throws <see cref="InvalidDataException"/> naming the file when it is not a checkpoint of
    /// this model, before the model is changed.
    /// </summary>
    public static IReadOnlyList<EpochSummary> Restore(string path, nn.Module module, OptimizerHelper optimizer)
    {
        using var reader = ModelFile.OpenForReading(path);
        var history = new List<EpochSummary>();
        byte[] randomBytes;
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw Corrupt(path, "it is not an AutoencoderDsl checkpoint (wrong magic bytes)");
            }

            var version = reader.ReadInt32();
            if (version != FormatVersion)
            {
                throw Corrupt(path, string.Create(CultureInfo.InvariantCulture, $"it has format version {version}, but this library reads version {FormatVersion}"));
            }

            var completed = reader.ReadInt32();
            if (completed < 1)
            {
                throw Corrupt(path, string.Create(CultureInfo.InvariantCulture, $"it claims {completed} completed epochs"));
            }

            for (int i = 0; i < completed; i++)
            {
                history.Add(ReadEpoch(reader));
            }

            using var currentRandomState = torch.random.get_rng_state();
            if (reader.ReadInt32() != currentRandomState.NumberOfElements)
            {
                throw Corrupt(path, "its random state has the wrong size");
            }

            randomBytes = reader.ReadBytes((int)currentRandomState.NumberOfElements);
            if (randomBytes.Length != currentRandomState.NumberOfElements)
            {
                throw Corrupt(path, "it is truncated");
            }
        }
        catch (Exception exception) when (exception is EndOfStreamException or FormatException)
        {
            throw Corrupt(path, "it is truncated or corrupt", exception);
        }

        var modelStart = reader.BaseStream.Position;
        ModelFile.SkipCheckedStateDict(reader, module, path);
        try
        {
            optimizer.load_state_dict(reader);
        }
        catch (Exception exception) when (exception is ArgumentException or IOException or InvalidDataException)
        {
            throw Corrupt(path, "its optimizer state cannot be read: " + exception.Message, exception);
        }

        ModelFile.RequireEnd(reader, path);
        reader.BaseStream.Position = modelStart;
        ModelFile.CopyCheckedStateDict(reader, module);

        using var randomState = torch.tensor(randomBytes);
        torch.random.set_rng_state(randomState);
        return history;
    }

    private static void WriteEpoch(BinaryWriter writer, EpochSummary epoch)
    {
        writer.Write(epoch.Epoch);
        writer.Write(epoch.Duration.Ticks);
        WriteMetrics(writer, epoch.Train);
        writer.Write(epoch.Validation is not null);
        if (epoch.Validation is not null)
        {
            WriteMetrics(writer, epoch.Validation);
        }

        WriteTerms(writer, epoch.LossWeights);
    }

    private static EpochSummary ReadEpoch(BinaryReader reader)
    {
        var epoch = reader.ReadInt32();
        var duration = TimeSpan.FromTicks(reader.ReadInt64());
        var train = ReadMetrics(reader);
        var validation = reader.ReadBoolean() ? ReadMetrics(reader) : null;
        return new EpochSummary(epoch, train, validation, duration) { LossWeights = ReadTerms(reader) };
    }

    private static void WriteMetrics(BinaryWriter writer, LossMetrics metrics) => WriteTerms(writer, metrics.Terms);

    private static LossMetrics ReadMetrics(BinaryReader reader) => new(ReadTerms(reader));

    private static void WriteTerms(BinaryWriter writer, IReadOnlyDictionary<string, double> terms)
    {
        writer.Write(terms.Count);
        foreach (var (name, value) in terms)
        {
            writer.Write(name);
            writer.Write(value);
        }
    }

    private static Dictionary<string, double> ReadTerms(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        var terms = new Dictionary<string, double>();
        for (int i = 0; i < count; i++)
        {
            terms[reader.ReadString()] = reader.ReadDouble();
        }

        return terms;
    }

    private static InvalidDataException Corrupt(string path, string problem, Exception? inner = null) =>
        new($"The checkpoint '{path}' cannot be resumed: {problem}.", inner);
}
