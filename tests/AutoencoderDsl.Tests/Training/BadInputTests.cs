using System;
using System.IO;
using System.Linq;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Tests.Models;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>
/// The mistakes a new user makes, each caught with a clear error before it costs an epoch, and with nothing lost:
/// no parameter changes, no file is half written, no message carries C++ frames.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Raw_pixels_on_a_Bernoulli_model_are_refused_with_how_to_scale_them()
    {
        using var vae = new SmallVae(seed: 1);
        using var pixels = randint(0, 256, [64, 1, 28, 28]).to(ScalarType.Float32);
        var progress = new RecordingProgress();
        var before = TrainingAssert.Snapshot(vae);

        var error = Assert.Throws<ArgumentException>(() => vae.Fit(pixels, new FitOptions { Epochs = 1 }, progress: progress));

        Assert.Contains("the data must lie in [0, 1], but train ranges from 0 to 255", error.Message, StringComparison.Ordinal);
        Assert.Contains("train / 255", error.Message, StringComparison.Ordinal);
        Assert.Empty(progress.Reports);
        TrainingAssert.Unchanged(before, vae);
        Assert.Throws<ArgumentException>(() => vae.Evaluate(pixels));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void A_non_finite_value_is_named_by_data_set_and_first_example(float bad)
    {
        using var model = new TinyAutoencoder(seed: 2);
        using var train = TinyData.Create(64, seed: 2);
        using var validation = TinyData.Create(32, seed: 3);
        train[5, 3] = tensor(bad);
        train[9, 0] = tensor(bad);
        validation[3, 1] = tensor(bad);

        var inTraining = Assert.Throws<ArgumentException>(() => model.Fit(train, TinyData.Options()));
        train[5, 3] = tensor(0f);
        train[9, 0] = tensor(0f);
        var inValidation = Assert.Throws<ArgumentException>(() => model.Fit(train, TinyData.Options(), validation: validation));

        Assert.StartsWith("train[5] holds NaN or infinite values (2 of the 64 examples do)", inTraining.Message, StringComparison.Ordinal);
        Assert.StartsWith("validation[3] holds NaN or infinite values", inValidation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Divergence_leaves_the_last_good_parameters_and_advice_that_works()
    {
        using var model = new TinyAutoencoder(seed: 4);
        using var data = TinyData.Create(128, seed: 4);
        var initial = TrainingAssert.Snapshot(model);

        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(data, TinyData.Options(epochs: 3) with { LearningRate = 1e6 }));

        Assert.Equal(1, error.Epoch);
        TrainingAssert.Unchanged(initial, model);
        Assert.True(double.IsFinite(model.Evaluate(data).Total));
        Assert.Contains("Lower the learning rate, now 1E+06, to 0.001 or less (0.001 is this optimizer's usual rate)", error.Message, StringComparison.Ordinal);
        Assert.Contains("with this optimizer clipping the gradient does not bound the step", error.Message, StringComparison.Ordinal);

        // The advice works: a rate far lower trains from the state the model was left in.
        var history = model.Fit(data, TinyData.Options(epochs: 3) with { LearningRate = 1e-3 });
        Assert.True(double.IsFinite(history.Last.Train.Total));
    }

    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float16)]
    public void Data_of_another_precision_is_refused_up_front_with_the_conversion(ScalarType type)
    {
        using var model = new TinyAutoencoder(seed: 5);
        using var good = TinyData.Create(32, seed: 5);
        using var other = good.to(type);
        var progress = new RecordingProgress();

        var inTraining = Assert.Throws<ArgumentException>(() => model.Fit(other, TinyData.Options()));
        var inValidation = Assert.Throws<ArgumentException>(() => model.Fit(good, TinyData.Options(), validation: other, progress: progress));

        Assert.Equal($"train holds {type} values but the model's parameters are Float32; convert the data with train.to(torch.float32). (Parameter 'train')", inTraining.Message);
        Assert.Contains($"validation holds {type} values", inValidation.Message, StringComparison.Ordinal);
        Assert.Contains("validation.to(torch.float32)", inValidation.Message, StringComparison.Ordinal);
        Assert.Empty(progress.Reports);
    }

    [Fact]
    public void Integer_examples_a_misshapen_corruption_and_an_absurd_sample_count_are_argument_errors()
    {
        using var vae = new SmallVae(seed: 6);
        using var model = new TinyAutoencoder(seed: 6);
        using var data = TinyData.Create(64, seed: 6);
        using var integers = zeros([1, 28, 28], dtype: ScalarType.Int64);

        var interpolate = Assert.Throws<ArgumentException>(() => vae.Interpolate(integers, integers, 3));
        var shape = Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options() with { Corrupt = x => x.narrow(1, 0, 4) }));
        var type = Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options() with { Corrupt = x => x.to(ScalarType.Float64) }));
        var count = Assert.Throws<ArgumentOutOfRangeException>(() => vae.Sample(int.MaxValue));

        Assert.Contains("floating-point tensor but got Int64", interpolate.Message, StringComparison.Ordinal);
        Assert.Contains("FitOptions.Corrupt must return a batch like its input, Float32 [32, 8], but returned Float32 [32, 4]", shape.Message, StringComparison.Ordinal);
        Assert.Contains("but returned Float64 [32, 8]", type.Message, StringComparison.Ordinal);
        Assert.Contains("One call decodes from 1 to 1048576 samples", count.Message, StringComparison.Ordinal);
    }

    /// <summary>A libtorch error inside training reaches the caller as one line; the frames stay in the inner exception.</summary>
    [Fact]
    public void No_exception_leaving_the_API_carries_a_CXX_backtrace()
    {
        using var model = new TinyAutoencoder(seed: 7);
        using var data = TinyData.Create(64, seed: 7);

        var error = Assert.Throws<InvalidOperationException>(() => model.Fit(data, TinyData.Options() with { Corrupt = x => x.reshape(7, 5) }));

        Assert.StartsWith("libtorch refused an operation: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.IsAssignableFrom<System.Runtime.InteropServices.ExternalException>(error.InnerException);
    }

    [Fact]
    public void An_unusable_checkpoint_path_is_refused_before_training()
    {
        using var model = new TinyAutoencoder(seed: 8);
        using var data = TinyData.Create(64, seed: 8);
        using var readOnly = new ReadOnlyFolder();
        var progress = new RecordingProgress();

        var folderPath = Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options() with { CheckpointPath = folder.Path }, progress: progress));
        var unwritable = Path.Combine(readOnly.Path, "run.ckpt");
        var denied = Assert.Throws<UnauthorizedAccessException>(() => model.Fit(data, TinyData.Options() with { CheckpointPath = unwritable }, progress: progress));

        Assert.Contains($"The checkpoint '{folder.Path}' is a folder", folderPath.Message, StringComparison.Ordinal);
        Assert.Contains($"The checkpoint '{unwritable}' cannot be written", denied.Message, StringComparison.Ordinal);
        Assert.Empty(progress.Reports);
    }

    [Fact]
    public void Saving_into_an_unwritable_folder_names_the_file_asked_for()
    {
        using var model = new TinyAutoencoder(seed: 9);
        using var readOnly = new ReadOnlyFolder();
        var path = Path.Combine(readOnly.Path, "model.safetensors");

        var error = Assert.Throws<UnauthorizedAccessException>(() => model.Save(path));

        Assert.StartsWith($"Cannot write '{path}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".tmp-", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BatchSize")]
    [InlineData("Seed")]
    [InlineData("Schedule")]
    [InlineData("training data")]
    public void Resuming_with_other_options_or_data_is_refused_unless_asked(string change)
    {
        var checkpoint = folder.File($"{change}.ckpt");
        using var data = TinyData.Create(128, seed: 10);

        // The same examples in another order: their sums would agree, their fingerprint does not.
        using var otherData = data.flip(0);
        var options = TinyData.Options(epochs: 2) with { CheckpointPath = checkpoint };
        using (var first = new TinyAutoencoder(seed: 10))
        {
            first.Fit(data, options);
        }

        var (changed, resumeData) = change switch
        {
            "BatchSize" => (options with { BatchSize = 16 }, data),
            "Seed" => (options with { Seed = 99 }, data),
            "Schedule" => (options with { Schedule = new StepSchedule(1) }, data),
            _ => (options, otherData),
        };
        using var model = new TinyAutoencoder(seed: 12);
        var before = TrainingAssert.Snapshot(model);

        var error = Assert.Throws<ArgumentException>(() => model.Fit(resumeData, changed with { Epochs = 3 }));
        TrainingAssert.Unchanged(before, model);
        var resumed = model.Fit(resumeData, changed with { Epochs = 3, ResumeDespiteChanges = true });

        Assert.Contains($"The checkpoint '{checkpoint}' was trained with other options or data", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{change} ", error.Message, StringComparison.Ordinal);
        Assert.Contains("ResumeDespiteChanges = true", error.Message, StringComparison.Ordinal);
        Assert.Equal((2, 1), (resumed.ResumedEpochs, resumed.TrainedEpochs));
    }

    [Fact]
    public void A_checkpoint_with_more_epochs_than_asked_is_refused_and_one_with_as_many_says_it_trained_none()
    {
        var checkpoint = folder.File("three.ckpt");
        using var data = TinyData.Create(64, seed: 13);
        using var model = new TinyAutoencoder(seed: 13);
        model.Fit(data, TinyData.Options(epochs: 3) with { CheckpointPath = checkpoint });

        // Another model, so that the checkpoint's parameters would show if the refusal came after they were loaded.
        using var other = new TinyAutoencoder(seed: 14);
        var before = TrainingAssert.Snapshot(other);
        var fewer = Assert.Throws<ArgumentException>(() => other.Fit(data, TinyData.Options(epochs: 1) with { CheckpointPath = checkpoint }));
        TrainingAssert.Unchanged(before, other);
        var same = model.Fit(data, TinyData.Options(epochs: 3) with { CheckpointPath = checkpoint });

        Assert.Contains("already holds 3 epochs, more than Epochs = 1", fewer.Message, StringComparison.Ordinal);
        Assert.Equal((3, 3, 0), (same.Epochs.Count, same.ResumedEpochs, same.TrainedEpochs));
    }

    [Fact]
    public void One_flipped_byte_in_a_checkpoint_is_detected_and_names_the_file()
    {
        var checkpoint = folder.File("damaged.ckpt");
        using var data = TinyData.Create(64, seed: 14);
        using (var first = new TinyAutoencoder(seed: 14))
        {
            first.Fit(data, TinyData.Options(epochs: 1) with { CheckpointPath = checkpoint });
        }

        var bytes = File.ReadAllBytes(checkpoint);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(checkpoint, bytes);
        using var model = new TinyAutoencoder(seed: 15);
        var before = TrainingAssert.Snapshot(model);

        var error = Assert.Throws<InvalidDataException>(() => model.Fit(data, TinyData.Options(epochs: 2) with { CheckpointPath = checkpoint }));

        Assert.Contains($"The checkpoint '{checkpoint}' cannot be resumed: its checksum does not match", error.Message, StringComparison.Ordinal);
        TrainingAssert.Unchanged(before, model);
    }

    [Fact]
    public void A_disposed_model_says_so()
    {
        var model = new TinyAutoencoder(seed: 16);
        using var data = TinyData.Create(32, seed: 16);
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Fit(data));
        Assert.Throws<ObjectDisposedException>(() => model.Evaluate(data));
        Assert.Throws<ObjectDisposedException>(() => model.Reconstruct(data));
        Assert.Throws<ObjectDisposedException>(() => model.Save(folder.File("disposed.safetensors")));
    }
}
