using System;
using System.Buffers.Binary;
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
/// restored; a crafted one, its SHA-256 recomputed, is refused by the checks of each section, also before anything is restored. Only the CPU generator is captured: on CUDA, dropout and noise drawn on the device make a resumed run
/// statistically, not bitwise, equal to an uninterrupted one.
/// </summary>
internal static class Checkpoint
{
    public static ReadOnlySpan<byte> Magic => "AEDSLCKP"u8;

    private const int FormatVersion = 4;

    private const int DigestLength = 32;

    // The sections' names, as errors give them.
    private const string HeaderSection = "header";
    private const string RandomSection = "random state";
    private const string ModelSection = "model";
    private const string OptimizerSection = "optimizer state";
    private const string BestWeightsSection = "best weights";

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
    /// completed epochs. Every section is read and checked before anything is changed, so a damaged or crafted file
    /// (its checksum recomputed) changes nothing: <see cref="InvalidDataException"/> naming the file and the section when
    /// it is damaged or not a checkpoint of this model, and <see cref="ArgumentException"/> when it was trained with other
    /// options or data (unless <paramref name="despiteChanges"/>).
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

        var sections = new Sections(path, bytes, Magic.Length, bytes.Length - DigestLength);
        var version = BinaryPrimitives.ReadInt32LittleEndian(sections.Next("format version", sizeof(int)).Span);
        if (version != FormatVersion)
        {
            throw Corrupt(path, string.Create(CultureInfo.InvariantCulture, $"it has format version {version}, but this library reads version {FormatVersion}"));
        }

        var header = sections.ReadHeader();
        var recorded = new TrainingSignature(header.Signature);
        var differences = recorded.Differences(signature).ToList();
        if (differences.Count > 0 && !despiteChanges)
        {
            throw new ArgumentException(
                $"The checkpoint '{path}' was trained with other options or data, and resuming would mix two runs in one history: {string.Join("; ", differences)}. "
                + "Use the options and data it was trained with, another CheckpointPath, or set FitOptions.ResumeDespiteChanges = true to continue anyway.",
                "options");
        }

        var randomState = sections.Next(RandomSection);
        CpuRandomState.Require(randomState.Span, problem => Corrupt(path, $"its {RandomSection} section {problem}"));
        var modelImage = sections.Next(ModelSection);
        var model = Checked(path, ModelSection, () => ModelFile.Check(module, modelImage, path));
        var optimizerState = sections.Next(OptimizerSection);
        var bestWeights = sections.Next(BestWeightsSection);
        if (bestWeights.Length > 0)
        {
            Checked(path, BestWeightsSection, () => ModelFile.Check(module, bestWeights, path));
        }

        sections.RequireEnd();

        // The optimizer's state is only known to fit once loaded; its loading puts the old state back if it fails, and
        // it is the one step before the model changes that can fail.
        if (!differences.Any(difference => difference.StartsWith("Optimizer ", StringComparison.Ordinal)))
        {
            Checked(path, OptimizerSection, () => optimizer.LoadOrKeep(optimizerState));
        }

        ModelFile.Apply(module, model).Dispose();
        using (var state = torch.tensor(randomState.ToArray()))
        {
            torch.random.set_rng_state(state);
        }

        return new Restored(header.History.Select(record => record.ToSummary()).ToList(), bestWeights.Length == 0 ? null : bestWeights.ToArray());
    }

    private static void WriteSection(BinaryWriter writer, ReadOnlySpan<byte> bytes)
    {
        writer.Write((long)bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>Runs a check of one section, naming the file and the section in what it throws.</summary>
    private static T Checked<T>(string path, string section, Func<T> check)
    {
        try
        {
            return check();
        }
        catch (Exception exception) when (IsDataError(exception))
        {
            throw Corrupt(path, $"its {section} section is unusable: {exception.Message.TrimEnd('.')}", exception);
        }
    }

    private static void Checked(string path, string section, Action check) => Checked(path, section, () =>
    {
        check();
        return true;
    });

    /// <summary>What reading hostile bytes throws in managed code or from libtorch, as opposed to a bug or a lack of memory.</summary>
    private static bool IsDataError(Exception exception) =>
        exception is InvalidDataException or IOException or ArgumentException or FormatException or OverflowException or InvalidOperationException
            or IndexOutOfRangeException or KeyNotFoundException or NotSupportedException or JsonException or System.Runtime.InteropServices.ExternalException;

    private static InvalidDataException Corrupt(string path, string problem, Exception? inner = null) =>
        new($"The checkpoint '{path}' cannot be resumed: {problem}.", inner);

    private sealed record Header(Dictionary<string, string>? Signature, List<EpochRecord>? History);

    /// <summary>The sections of a checkpoint's content in order, each length checked against what is left before it is read.</summary>
    private sealed class Sections(string path, byte[] bytes, int start, int end)
    {
        private int position = start;

        /// <summary>The next <paramref name="length"/> bytes, or, without one, the next section of a recorded length.</summary>
        public ReadOnlyMemory<byte> Next(string section, int? length = null)
        {
            int left = end - position;
            long size;
            if (length is int known)
            {
                size = known;
            }
            else if (left < sizeof(long))
            {
                throw Corrupt(path, $"its {section} section is missing: the file ends {left} bytes after the previous one");
            }
            else
            {
                size = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(position));
                position += sizeof(long);
                left -= sizeof(long);
            }

            if (size < 0 || size > left)
            {
                throw Corrupt(path, string.Create(CultureInfo.InvariantCulture, $"its {section} section claims {size} bytes, but {left} are left in the file"));
            }

            var slice = bytes.AsMemory(position, (int)size);
            position += (int)size;
            return slice;
        }

        /// <summary>The JSON header, a string as <see cref="BinaryWriter"/> writes one, with every field present and the epochs numbered 1, 2, ….</summary>
        public (Dictionary<string, string> Signature, List<EpochRecord> History) ReadHeader()
        {
            var stream = new MemoryStream(bytes, position, end - position, writable: false);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            var header = Checked(path, HeaderSection, () => JsonSerializer.Deserialize<Header>(reader.ReadString()));
            position += (int)stream.Position;
            if (header is not { Signature: { } signature, History: { } history })
            {
                throw Corrupt(path, $"its {HeaderSection} section lacks the signature or the history");
            }

            for (int i = 0; i < history.Count; i++)
            {
                var epoch = history[i];
                if (epoch is null || epoch.Epoch != i + 1 || epoch.Train is null || epoch.LossWeights is null || epoch.DurationTicks < 0 || !double.IsFinite(epoch.LearningRate) || epoch.LearningRate < 0)
                {
                    throw Corrupt(path, string.Create(CultureInfo.InvariantCulture, $"its {HeaderSection} section holds a damaged record for epoch {i + 1}"));
                }
            }

            return (signature, history);
        }

        public void RequireEnd()
        {
            if (position != end)
            {
                throw Corrupt(path, string.Create(CultureInfo.InvariantCulture, $"{end - position} unexpected bytes follow its last section"));
            }
        }
    }

    private sealed record EpochRecord(
        int Epoch,
        long DurationTicks,
        Dictionary<string, double> Train,
        Dictionary<string, double>? Validation,
        Dictionary<string, double> LossWeights,
        double LearningRate,
        CodebookUsage? Codebook = null)
    {
        public static EpochRecord Of(EpochSummary epoch) =>
            new(epoch.Epoch, epoch.Duration.Ticks, epoch.Train.Terms.ToDictionary(), epoch.Validation?.Terms.ToDictionary(), epoch.LossWeights.ToDictionary(), epoch.LearningRate, epoch.Codebook);

        public EpochSummary ToSummary() =>
            new(Epoch, new LossMetrics(Train), Validation is null ? null : new LossMetrics(Validation), TimeSpan.FromTicks(DurationTicks))
            {
                LossWeights = LossWeights,
                LearningRate = LearningRate,
                Codebook = Codebook,
            };
    }
}
