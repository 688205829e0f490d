using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AutoencoderDsl.Data;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>
/// Files crafted to hurt the reader, each with its checksum made to match (or dropped, where a checksum is optional):
/// every one must end in an <see cref="InvalidDataException"/> that names the file and what in it is wrong, with
/// bounded memory, no process abort, and the model's parameters bit for bit as they were.
/// </summary>
public sealed class HostileFileTests(ITestOutputHelper output) : IDisposable
{
    private const int DigestLength = 32;
    private readonly TemporaryFolder folder = new();
    private readonly Tensor data = TinyData.Create(64, seed: 60);

    public void Dispose()
    {
        data.Dispose();
        folder.Dispose();
    }

    public static TheoryData<string, long> SectionLengths => new()
    {
        { "model", 1L << 62 },
        { "model", -1 },
        { "model", (long)int.MaxValue + 1 },
        { "random state", 1L << 62 },
        { "optimizer state", -1 },
        { "best weights", (long)int.MaxValue + 1 },
    };

    [Fact]
    public void A_checkpoint_whose_random_state_is_zeroed_is_refused_naming_the_section_before_anything_changes()
    {
        var path = CheckpointAfterOneEpoch("zeroed.ckpt");
        var image = CheckpointImage.Read(path);
        image.Sections[0] = new byte[image.Sections[0].Length];
        image.Write(path);

        // Before the check, libtorch's set_rng_state threw a C++ exception that aborted this process.
        AssertRefused(path, "random state", "not a Mersenne twister state");
    }

    [Theory]
    [MemberData(nameof(SectionLengths))]
    public void A_checkpoint_section_of_an_impossible_length_is_refused_naming_it(string section, long length)
    {
        var path = CheckpointAfterOneEpoch("length.ckpt");
        var image = CheckpointImage.Read(path);
        image.DeclaredLengths[CheckpointImage.Names.IndexOf(section)] = length;
        image.Write(path);

        AssertRefused(path, section, "claims");
    }

    [Fact]
    public void A_checkpoint_cut_short_inside_a_section_with_its_checksum_recomputed_is_refused_naming_the_section()
    {
        var path = CheckpointAfterOneEpoch("cut.ckpt");
        var image = CheckpointImage.Read(path);
        image.Sections[1] = image.Sections[1][..(image.Sections[1].Length / 2)];
        image.Sections.RemoveRange(2, 2);
        image.DeclaredLengths.RemoveRange(2, 2);
        image.Write(path);

        AssertRefused(path, "model", "claims");
    }

    [Fact]
    public void A_checkpoint_whose_header_is_not_JSON_is_refused_naming_the_section()
    {
        var path = CheckpointAfterOneEpoch("header.ckpt");
        var image = CheckpointImage.Read(path);
        image.Header = "{ this is not JSON";
        image.Write(path);

        AssertRefused(path, "header", "unusable");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_checkpoint_with_garbage_optimizer_state_is_refused_and_the_model_is_untouched(bool sgd)
    {
        var options = sgd ? TinyData.Options(epochs: 1) with { Optimizer = new SgdOptimizer { Momentum = 0.9 } } : TinyData.Options(epochs: 1);
        var path = CheckpointAfterOneEpoch("optimizer.ckpt", options);
        var image = CheckpointImage.Read(path);

        // The state's own beginning kept, so loading gets part of the way before it meets the garbage.
        var garbage = image.Sections[2][..(image.Sections[2].Length / 2)].Concat(Enumerable.Range(0, 64).Select(i => (byte)(i * 37))).ToArray();
        image.Sections[2] = garbage;
        image.DeclaredLengths[2] = garbage.Length;
        image.Write(path);

        AssertRefused(path, "optimizer state", "unusable", options);
    }

    [Theory]
    [InlineData("steps", "counts -1 steps")]
    [InlineData("moment", "a negative second moment")]
    public void A_checkpoint_whose_Adam_state_holds_values_out_of_range_is_refused(string field, string problem)
    {
        var path = CheckpointAfterOneEpoch("adam.ckpt");
        var image = CheckpointImage.Read(path);
        var state = image.Sections[2];

        // The state starts with its tag, a length-prefixed string, then the step count; it ends with the second moment's last element.
        int stepsAt = 1 + state[0];
        _ = field == "steps" ? BitConverter.TryWriteBytes(state.AsSpan(stepsAt), -1L) : BitConverter.TryWriteBytes(state.AsSpan(state.Length - sizeof(float)), -1f);
        image.Write(path);

        AssertRefused(path, "optimizer state", problem);
    }

    [Fact]
    public void A_model_file_whose_importance_samples_are_out_of_range_is_refused_at_Load()
    {
        var path = folder.File("iwae.safetensors");
        using (var vae = new TinyVae(seed: 61))
        {
            vae.AnomalyThreshold = new AnomalyThreshold(10, new AnomalyScoring { ImportanceSamples = 5 }, "test");
            vae.Save(path);
        }

        SafeTensorsImage.Rewrite(path, header =>
        {
            header["__metadata__"]!["extras.anomaly.importance_samples"] = "2147483647";
            return header.ToJsonString();
        });

        // Before the check, Load succeeded and IsAnomaly never returned: its chunk counter wrapped past int.MaxValue.
        var error = Assert.Throws<InvalidDataException>(() => TinyVae.Load(path));

        Assert.Contains($"'{path}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("extras.anomaly.importance_samples = 2147483647", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_file_with_a_zero_scale_in_its_standardizer_is_refused_at_Load()
    {
        var path = folder.File("scale.safetensors");
        using (var model = new TinyAutoencoder(seed: 62))
        {
            model.Standardizer = Standardizer.Fit(data);
            model.Save(path);
        }

        SafeTensorsImage.Overwrite(path, "extras.standardizer.scale", BitConverter.GetBytes(0f));

        var error = Assert.Throws<InvalidDataException>(() => TinyAutoencoder.Load(path));

        Assert.Contains($"'{path}' holds a damaged standardizer", error.Message, StringComparison.Ordinal);
        Assert.Contains("scales finite and above zero", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_model_file_whose_sampler_has_negative_weights_is_refused_at_Load()
    {
        var path = folder.File("sampler.safetensors");
        using (var vae = new TinyVae(seed: 63))
        {
            vae.FitSampler(data, components: 2);
            vae.Save(path);
        }

        SafeTensorsImage.Overwrite(path, "extras.sampler.Weights", [.. BitConverter.GetBytes(-0.5), .. BitConverter.GetBytes(1.5)]);

        var error = Assert.Throws<InvalidDataException>(() => TinyVae.Load(path));

        Assert.Contains($"'{path}' holds a damaged sampler: its weights are negative", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("extras.wrap", "F32", "[4611686018427387905]", 4)]
    [InlineData("extras.huge", "U8", "[4611686018427387904, 4]", 0)]
    public void A_safetensors_entry_whose_size_wraps_64_bits_is_refused_before_the_module_changes(string name, string dtype, string shape, int dataBytes)
    {
        // Before checked arithmetic, the wrapped size matched the byte range, the module was overwritten, and libtorch
        // then failed to allocate the entry.
        var path = folder.File("wrap.safetensors");
        using var target = new TinyAutoencoder(seed: 65);
        using (var source = new TinyAutoencoder(seed: 64))
        {
            source.Save(path);
        }

        SafeTensorsImage.Rewrite(path, header =>
        {
            long end = header.Where(entry => entry.Key != "__metadata__").Max(entry => (long)entry.Value!["data_offsets"]![1]!);
            header[name] = JsonNode.Parse($$"""{"dtype":"{{dtype}}","shape":{{shape}},"data_offsets":[{{end}},{{end + dataBytes}}]}""");
            return header.ToJsonString();
        }, new byte[dataBytes]);
        var snapshot = TrainingAssert.Snapshot(target);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(target, path));

        Assert.Contains($"'{path}' cannot be read: the tensor '{name}' {shape} does not fit its byte range", error.Message, StringComparison.Ordinal);
        TrainingAssert.Unchanged(snapshot, target);
    }

    [Theory]
    [InlineData("encoder.0.weight", 16 * TinyData.Width * sizeof(float))]
    [InlineData("extras.standardizer.mean", TinyData.Width * sizeof(float))]
    public void A_safetensors_file_naming_a_tensor_twice_is_refused_naming_it(string name, int size)
    {
        var path = folder.File("twice.safetensors");
        using var target = new TinyAutoencoder(seed: 67);
        using (var source = new TinyAutoencoder(seed: 66))
        {
            source.Standardizer = Standardizer.Fit(data);
            source.Save(path);
        }

        // JSON allows a name twice. The second entry has bytes of its own, so the layout alone is sound: before the
        // check, a model entry's second copy silently won and an extras entry's failed with a raw ArgumentException.
        SafeTensorsImage.Rewrite(path, header =>
        {
            long end = header.Where(entry => entry.Key != "__metadata__").Max(entry => (long)entry.Value!["data_offsets"]![1]!);
            var copy = header[name]!.DeepClone();
            copy["data_offsets"] = new JsonArray(end, end + size);
            return header.ToJsonString()[..^1] + $",\"{name}\":" + copy.ToJsonString() + "}";
        }, Enumerable.Repeat((byte)0x3f, size).ToArray());
        var snapshot = TrainingAssert.Snapshot(target);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(target, path));

        Assert.Contains($"'{path}' cannot be read: its header names '{name}' twice", error.Message, StringComparison.Ordinal);
        TrainingAssert.Unchanged(snapshot, target);
    }

    [Theory]
    [InlineData(1, "(1000000, 1000000)", 16, "needs more than the 16 bytes")]
    [InlineData(1, "(99999999999999999999,)", 16, "needs more than the 16 bytes")]
    [InlineData(1, "(4611686018427387905, 4)", 16, "needs more than the 16 bytes")]
    [InlineData(2, "(4,)", 16, "past the end of the file")]
    public void A_npy_file_whose_declared_size_exceeds_the_file_is_refused_naming_it(int version, string shape, int dataBytes, string problem)
    {
        var path = folder.File("hostile.npy");
        var header = Encoding.ASCII.GetBytes($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}\n");
        var file = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0 };
        if (version == 1)
        {
            file.AddRange(BitConverter.GetBytes((ushort)header.Length));
        }
        else
        {
            // A version 2 length near 2³¹, whose sum with the preamble wrapped a 32-bit offset.
            file.AddRange(BitConverter.GetBytes(int.MaxValue - 4));
        }

        file.AddRange(header);
        file.AddRange(new byte[dataBytes]);
        File.WriteAllBytes(path, [.. file]);

        var error = Assert.Throws<InvalidDataException>(() => NpyFile.Read(path));

        Assert.Contains($"'{path}' is not a readable .npy file", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_next_write_removes_temporaries_whose_writer_is_gone_and_keeps_those_of_a_running_writer()
    {
        var path = folder.File("model.bin");
        int gone = ExitedProcessId();
        int running = Environment.ProcessId;
        var longAgo = DateTime.UtcNow.AddHours(-2);
        var minutesAgo = DateTime.UtcNow.AddMinutes(-5);
        var removed = new[]
        {
            Temporary($"model.bin.tmp-{gone}-{Guid.NewGuid():N}", minutesAgo),
            Temporary($"model.bin.tmp-{Guid.NewGuid():N}", longAgo),
            Temporary($"model.bin.tmp-{running}-{Guid.NewGuid():N}", longAgo),
        };
        var kept = new[]
        {
            Temporary($"model.bin.tmp-{running}-{Guid.NewGuid():N}", minutesAgo),
            Temporary($"model.bin.tmp-{gone}-{Guid.NewGuid():N}", DateTime.UtcNow),
            Temporary($"other.bin.tmp-{gone}-{Guid.NewGuid():N}", longAgo),
            Temporary("model.bin.tmp-notours", longAgo),
        };
        using var model = new TinyAutoencoder(seed: 68);

        model.Save(path);

        Assert.All(removed, file => Assert.False(File.Exists(file), file));
        Assert.All(kept, file => Assert.True(File.Exists(file), file));
        Assert.True(File.Exists(path));
    }

    private string Temporary(string name, DateTime lastWrite)
    {
        var file = folder.File(name);
        File.WriteAllBytes(file, new byte[1024]);
        File.SetLastWriteTimeUtc(file, lastWrite);
        return file;
    }

    /// <summary>The id of a process that has run and exited, so no process of this machine holds it for now.</summary>
    private static int ExitedProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    private string CheckpointAfterOneEpoch(string name, FitOptions? options = null)
    {
        var path = folder.File(name);
        using var model = new TinyAutoencoder(seed: 69);
        model.Fit(data, (options ?? TinyData.Options(epochs: 1)) with { CheckpointPath = path, ValidationSplit = 0.25, EarlyStopping = new EarlyStopping() });
        return path;
    }

    /// <summary>Resuming from <paramref name="path"/> is refused naming the file and the section, and changes no parameter.</summary>
    private void AssertRefused(string path, string section, string problem, FitOptions? options = null)
    {
        using var model = new TinyAutoencoder(seed: 70);
        var snapshot = TrainingAssert.Snapshot(model);
        var resume = (options ?? TinyData.Options(epochs: 1)) with { Epochs = 2, CheckpointPath = path, ValidationSplit = 0.25, EarlyStopping = new EarlyStopping() };

        var error = Assert.Throws<InvalidDataException>(() => model.Fit(data, resume));
        output.WriteLine(error.Message);

        Assert.True(error.Message.StartsWith($"The checkpoint '{path}' cannot be resumed: its {section} section", StringComparison.Ordinal), error.Message);
        Assert.True(error.Message.Contains(problem, StringComparison.Ordinal), error.Message);
        TrainingAssert.Unchanged(snapshot, model);
    }

    /// <summary>
    /// A checkpoint taken apart as it is laid out: magic and version, a length-prefixed JSON header, four sections each
    /// after its 64-bit length (random state, model, optimizer state, best weights), and a SHA-256 of all of it.
    /// </summary>
    private sealed class CheckpointImage
    {
        public static readonly List<string> Names = ["random state", "model", "optimizer state", "best weights"];

        private byte[] preamble = [];

        public string Header { get; set; } = "";

        public List<byte[]> Sections { get; } = [];

        public List<long> DeclaredLengths { get; } = [];

        public static CheckpointImage Read(string path)
        {
            var bytes = File.ReadAllBytes(path);
            using var reader = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - DigestLength));
            var image = new CheckpointImage { preamble = reader.ReadBytes(12) };
            image.Header = reader.ReadString();
            while (reader.BaseStream.Position < reader.BaseStream.Length)
            {
                long length = reader.ReadInt64();
                image.DeclaredLengths.Add(length);
                image.Sections.Add(reader.ReadBytes((int)length));
            }

            Assert.Equal(Names.Count, image.Sections.Count);
            return image;
        }

        /// <summary>Writes the sections with their declared lengths, and a checksum that matches.</summary>
        public void Write(string path)
        {
            var content = new MemoryStream();
            using (var writer = new BinaryWriter(content, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(preamble);
                writer.Write(Header);
                foreach (var (length, bytes) in DeclaredLengths.Zip(Sections))
                {
                    writer.Write(length);
                    writer.Write(bytes);
                }
            }

            File.WriteAllBytes(path, [.. content.ToArray(), .. SHA256.HashData(content.ToArray())]);
        }
    }

    /// <summary>Edits a safetensors file's header or data, dropping its (optional) checksum so that the edit is what the reader meets.</summary>
    private static class SafeTensorsImage
    {
        public static void Rewrite(string path, Func<JsonObject, string> edit, byte[]? appended = null)
        {
            var (header, data) = Split(File.ReadAllBytes(path));
            ((JsonObject)header["__metadata__"]!).Remove("sha256");
            Join(path, edit(header), [.. data, .. appended ?? []]);
        }

        /// <summary>Overwrites the start of the entry <paramref name="name"/>'s data with <paramref name="bytes"/>.</summary>
        public static void Overwrite(string path, string name, byte[] bytes)
        {
            var (header, data) = Split(File.ReadAllBytes(path));
            ((JsonObject)header["__metadata__"]!).Remove("sha256");
            bytes.CopyTo(data, (long)header[name]!["data_offsets"]![0]!);
            Join(path, header.ToJsonString(), data);
        }

        private static (JsonObject Header, byte[] Data) Split(byte[] file)
        {
            int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
            return ((JsonObject)JsonNode.Parse(file.AsSpan(8, length))!, file[(8 + length)..]);
        }

        private static void Join(string path, string header, byte[] data)
        {
            var text = Encoding.UTF8.GetBytes(header);
            var padded = text.Concat(Enumerable.Repeat((byte)' ', (8 - (text.Length % 8)) % 8)).ToArray();
            File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)padded.Length), .. padded, .. data]);
        }
    }
}
