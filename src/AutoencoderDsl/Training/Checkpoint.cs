using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AutoencoderDsl.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// A resumable training state in one atomically written file: the magic <c>AEDSLCKP</c>, a format version, a JSON
/// header (the history and the <see cref="TrainingSignature"/> the run was trained with), libtorch's global random
/// state, the model as a safetensors image, the optimizer's state, optionally the best epoch's
/// weights for early stopping, and a SHA-256 of all of it at the end, so a damaged file is refused before anything is
/// restored. Only the CPU generator is captured: on CUDA, dropout and noise drawn on the device make a resumed run
/// statistically, not bitwise, equal to an uninterrupted one.
/// </summary>
internal static class Checkpoint
{
    public static ReadOnlySpan<byte> Magic => "AEDSLCKP"u8;

    private const int FormatVersion = 4;

    private const int DigestLength = 32;

    /// <summary>What a checkpoint gives back: the completed epochs and, when early stopping kept them, the best weights.</summary>
    public sealed record Restored(List<EpochSummary> History, byte[]? BestWeights);

    /// <summary>Replaces <paramref name="path"/> with the state after the last epoch of <paramref name="history"/>.</summary>
    public static void Write(string path, nn.Module module, TrainingOptimizer optimizer, IReadOnlyList<EpochSummary> history, TrainingSignature signature, byte[]? bestWeights)
    {
        var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(JsonSerializer.Serialize(new Header(signature.Fields.ToDictionary(), history.Select(EpochRecord.Of).ToList())));
            using (var randomState = torch.random.get_rng_state())
            {
                WriteSection(writer, randomState.bytes);
            }

            var model = new MemoryStream();
            ModelFile.Write(module, model);
            WriteSection(writer, model.GetBuffer().AsSpan(0, (int)model.Length));
            var optimizerState = new MemoryStream();
            using (var optimizerWriter = new BinaryWriter(optimizerState, Encoding.UTF8, leaveOpen: true))
            {
                optimizer.Save(optimizerWriter);
            }

            WriteSection(writer, optimizerState.GetBuffer().AsSpan(0, (int)optimizerState.Length));
            WriteSection(writer, bestWeights ?? []);
        }

        var content = payload.GetBuffer();
        int length = (int)payload.Length;
        var digest = SHA256.HashData(content.AsSpan(0, length));
        AtomicFile.Write(path, stream =>
        {
            stream.Write(content, 0, length);
            stream.Write(digest);
        });
    }

    /// <summary>
    /// Restores the model, the optimizer and libtorch's global random state from <paramref name="path"/> and returns the
    /// completed epochs. Throws <see cref="InvalidDataException"/> naming the file when it is damaged or not a checkpoint
    /// of this model, and <see cref="ArgumentException"/> when it was trained with other options or data (unless
    /// <paramref name="despiteChanges"/>), in both cases before the model is changed.
    /// </summary>
    public static Restored Restore(string path, nn.Module module, TrainingOptimizer optimizer, TrainingSignature signature, bool despiteChanges)
    {
        var bytes = ModelFile.ReadAll(path);
        if (!bytes.AsSpan().StartsWith(Magic))
        {
            throw Corrupt(path, "it is not an AutoencoderDsl checkpoint (a model file written by Save is loaded with Load, not resumed)");
        }

        if (bytes.Length < Magic.Length + DigestLength || !SHA256.HashData(bytes.AsSpan(0, bytes.Length - DigestLength)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - DigestLength)))
        {
            throw Corrupt(path, "its checksum does not match its contents, so it was damaged after it was written (or cut short); delete it to start afresh");
        }

        using var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - DigestLength));
        reader.ReadBytes(Magic.Length);
        var version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw Corrupt(path, string.Create(CultureInfo.InvariantCulture, $"it has format version {version}, but this library reads version {FormatVersion}"));
        }

        var header = JsonSerializer.Deserialize<Header>(reader.ReadString()) ?? throw Corrupt(path, "its header is empty");
        var recorded = new TrainingSignature(header.Signature);
        var differences = recorded.Differences(signature).ToList();
        if (differences.Count > 0 && !despiteChanges)
        {
            throw new ArgumentException(
                $"The checkpoint '{path}' was trained with other options or data, and resuming would mix two runs in one history: {string.Join("; ", differences)}. "
                + "Use the options and data it was trained with, another CheckpointPath, or set FitOptions.ResumeDespiteChanges = true to continue anyway.",
                "options");
        }

        var randomBytes = ReadSection(reader);
        using (var currentRandomState = torch.random.get_rng_state())
        {
            if (randomBytes.Length != currentRandomState.NumberOfElements)
            {
                throw Corrupt(path, "its random state has the wrong size");
            }
        }

        var modelBytes = ReadSection(reader);
        var optimizerBytes = ReadSection(reader);
        var bestWeights = ReadSection(reader);

        // The model is checked whole before it is changed; the optimizer's state fits a model that passed the check.
        ModelFile.Read(module, modelBytes, path);
        if (!differences.Any(difference => difference.StartsWith("Optimizer ", StringComparison.Ordinal)))
        {
            using var optimizerReader = new BinaryReader(new MemoryStream(optimizerBytes));
            optimizer.Load(optimizerReader);
        }

        using var randomState = torch.tensor(randomBytes);
        torch.random.set_rng_state(randomState);
        return new Restored(header.History.Select(record => record.ToSummary()).ToList(), bestWeights.Length == 0 ? null : bestWeights);
    }

    private static void WriteSection(BinaryWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write((long)bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadSection(BinaryReader reader) => reader.ReadBytes(checked((int)reader.ReadInt64()));

    private static InvalidDataException Corrupt(string path, string problem, Exception? inner = null) =>
        new($"The checkpoint '{path}' cannot be resumed: {problem}.", inner);

    private sealed record Header(Dictionary<string, string> Signature, List<EpochRecord> History);

    private sealed record EpochRecord(
        int Epoch,
        long DurationTicks,
        Dictionary<string, double> Train,
        Dictionary<string, double>? Validation,
        Dictionary<string, double> LossWeights,
        double LearningRate)
    {
        public static EpochRecord Of(EpochSummary epoch) =>
            new(epoch.Epoch, epoch.Duration.Ticks, epoch.Train.Terms.ToDictionary(), epoch.Validation?.Terms.ToDictionary(), epoch.LossWeights.ToDictionary(), epoch.LearningRate);

        public EpochSummary ToSummary() =>
            new(Epoch, new LossMetrics(Train), Validation is null ? null : new LossMetrics(Validation), TimeSpan.FromTicks(DurationTicks))
            {
                LossWeights = LossWeights,
                LearningRate = LearningRate,
            };
    }
}
