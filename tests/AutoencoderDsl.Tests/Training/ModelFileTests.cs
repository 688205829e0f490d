using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

public sealed class ModelFileTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Save_then_Load_restores_every_parameter_into_a_fresh_model()
    {
        var path = folder.File("nested/folder/model.bin");
        using var saved = new TinyAutoencoder(seed: 30);
        using var loaded = new TinyAutoencoder(seed: 31);
        using var input = TinyData.Create(4, seed: 30);

        saved.Save(path);
        ModelFile.Load(loaded, path);

        TrainingAssert.SameParameters(saved, loaded);
        using var expected = saved.Reconstruct(input);
        using var actual = loaded.Reconstruct(input);
        Assert.True(expected.equal(actual).all().item<bool>());
        Assert.Equal(["model.bin"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    /// <summary>The files are plain safetensors: TorchSharp.PyBridge reads what Save writes, and Load reads what PyBridge writes.</summary>
    [Fact]
    public void Files_are_safetensors_that_PyBridge_reads_and_writes()
    {
        var ours = folder.File("ours.safetensors");
        var theirs = folder.File("theirs.safetensors");
        using var source = new TinyAutoencoder(seed: 32);
        using var viaModelFile = new TinyAutoencoder(seed: 34);

        ModelFile.Save(source, ours);
        var read = TorchSharp.PyBridge.Safetensors.LoadStateDict(ours);
        TorchSharp.PyBridge.Safetensors.SaveStateDict(theirs, source.state_dict());
        ModelFile.Load(viaModelFile, theirs);

        Assert.Equal(source.state_dict().Keys.Order(StringComparer.Ordinal), read.Keys.Order(StringComparer.Ordinal));
        Assert.All(source.state_dict(), entry => Assert.True(entry.Value.equal(read[entry.Key]).all().item<bool>(), entry.Key));
        TrainingAssert.SameParameters(source, viaModelFile);
    }

    [Fact]
    public void One_flipped_byte_anywhere_is_detected_by_the_checksum_and_names_the_file()
    {
        var path = folder.File("model.safetensors");
        using var source = new TinyAutoencoder(seed: 43);
        using var target = new TinyAutoencoder(seed: 44);
        source.Save(path);
        var original = File.ReadAllBytes(path);
        var snapshot = TrainingAssert.Snapshot(target);

        // A byte in the header's tensor table, in the data, and the last byte of the file.
        foreach (int position in new[] { 40, original.Length / 2, original.Length - 1 })
        {
            var damaged = (byte[])original.Clone();
            damaged[position] ^= 0x10;
            File.WriteAllBytes(path, damaged);

            var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(target, path));

            Assert.Contains($"'{path}' cannot be read", error.Message, StringComparison.Ordinal);
            TrainingAssert.Unchanged(snapshot, target);
        }
    }

    [Fact]
    public void A_checkpoint_or_a_PyTorch_pickle_passed_to_Load_says_what_it_is_and_what_to_call()
    {
        var checkpoint = folder.File("run.ckpt");
        var pickle = folder.File("model.pt");
        using var model = new TinyAutoencoder(seed: 45);
        using var data = TinyData.Create(64, seed: 45);
        model.Fit(data, TinyData.Options(epochs: 1) with { CheckpointPath = checkpoint });
        File.WriteAllBytes(pickle, [0x50, 0x4B, 0x03, 0x04, .. new byte[64]]);

        var asCheckpoint = Assert.Throws<InvalidDataException>(() => ModelFile.Load(model, checkpoint));
        var asPickle = Assert.Throws<InvalidDataException>(() => ModelFile.Load(model, pickle));

        Assert.Contains($"'{checkpoint}' is a training checkpoint, not a model file; pass it as FitOptions.CheckpointPath", asCheckpoint.Message, StringComparison.Ordinal);
        Assert.Contains($"'{pickle}' is a PyTorch file written by torch.save", asPickle.Message, StringComparison.Ordinal);
        Assert.Contains("LoadPyTorch", asPickle.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\0", asCheckpoint.Message + asPickle.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_throws_FileNotFoundException_naming_it()
    {
        var path = folder.File("absent/model.bin");
        using var model = new TinyAutoencoder(seed: 35);

        var error = Assert.Throws<FileNotFoundException>(() => ModelFile.Load(model, path));

        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0.3)]
    [InlineData(0.999)]
    public void A_truncated_file_is_rejected_naming_it_and_leaves_the_model_unchanged(double keptFraction)
    {
        var path = folder.File("truncated.bin");
        using var source = new TinyAutoencoder(seed: 36);
        using var target = new TinyAutoencoder(seed: 37);
        source.Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keptFraction)]);
        var snapshot = TrainingAssert.Snapshot(target);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(target, path));

        Assert.Contains($"'{path}' cannot be read", error.Message, StringComparison.Ordinal);
        TrainingAssert.Unchanged(snapshot, target);
    }

    [Fact]
    public void Random_bytes_are_rejected_naming_the_file()
    {
        var path = folder.File("noise.bin");
        File.WriteAllBytes(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        using var model = new TinyAutoencoder(seed: 38);

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(model, path));

        Assert.Contains($"'{path}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_are_rejected_naming_the_file()
    {
        var path = folder.File("padded.bin");
        using var model = new TinyAutoencoder(seed: 39);
        model.Save(path);
        using (var stream = File.Open(path, FileMode.Append))
        {
            stream.Write([1, 2, 3]);
        }

        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(model, path));

        Assert.Contains($"'{path}' cannot be read: 3 unexpected bytes follow its last tensor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_another_architecture_is_rejected_naming_each_mismatch()
    {
        var path = folder.File("wide.bin");
        using var wide = new TinyWideAutoencoder(seed: 40);
        using var narrow = new TinyAutoencoder(seed: 41);
        using var vae = new TinyVae(seed: 42);
        wide.Save(path);
        var snapshot = TrainingAssert.Snapshot(narrow);

        var shapeError = Assert.Throws<InvalidDataException>(() => ModelFile.Load(narrow, path));
        var nameError = Assert.Throws<InvalidDataException>(() => ModelFile.Load(vae, path));

        Assert.Contains($"'{path}' does not match this model", shapeError.Message, StringComparison.Ordinal);
        Assert.Contains("'code.weight' has shape [3, 16] in the file but [2, 16] in the model", shapeError.Message, StringComparison.Ordinal);
        Assert.Contains("'decoder.0.weight' has shape [16, 3] in the file but [16, 2] in the model", shapeError.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected entry 'code.weight' [3, 16]", nameError.Message, StringComparison.Ordinal);
        Assert.Contains("missing entry 'mean.weight' [2, 16]", nameError.Message, StringComparison.Ordinal);
        TrainingAssert.Unchanged(snapshot, narrow);
    }

    [Fact]
    public void A_failed_save_leaves_the_previous_file_intact_and_no_temporary_behind()
    {
        var path = folder.File("model.bin");
        using var good = new FailingToSave(fail: false);
        ModelFile.Save(good, path);
        var before = File.ReadAllBytes(path);
        using var failing = new FailingToSave(fail: true);

        Assert.ThrowsAny<Exception>(() => ModelFile.Save(failing, path));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.bin"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    /// <summary>Optionally ends its state dict with a released tensor, so saving fails after the first entries are written.</summary>
    private sealed class FailingToSave : nn.Module
    {
        private readonly bool fail;

        public FailingToSave(bool fail)
            : base(nameof(FailingToSave))
        {
            this.fail = fail;
            register_module("layer", nn.Linear(4, 4));
        }

        public override Dictionary<string, Tensor> state_dict(Dictionary<string, Tensor>? destination = null, string? prefix = null)
        {
            var entries = base.state_dict(destination, prefix);
            if (fail)
            {
                var released = zeros(4);
                released.Dispose();
                entries.Add("released", released);
            }

            return entries;
        }
    }
}
