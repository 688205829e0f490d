using System;
using System.IO;
using System.Linq;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>
/// A divergence is caught before it reaches the parameters: a non-finite gradient under a finite loss (which used to
/// step the parameters to NaN unseen when it came in an epoch's last batch, so the "rolled back" model and the next
/// checkpoint held NaN), a parameter gone non-finite by the end of an epoch, and a checkpoint written by a diverged run.
/// </summary>
public sealed class DivergenceTests : IDisposable
{
    private readonly Tensor data = TinyData.Create(128, seed: 40);
    private readonly TemporaryFolder folder = new();

    public void Dispose()
    {
        data.Dispose();
        folder.Dispose();
    }

    public static TheoryData<string, bool> Optimizers => new()
    {
        { "adam", false },
        { "adam", true },
        { "sgd", false },
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void A_non_finite_gradient_in_an_epochs_last_batch_is_a_divergence_and_leaves_finite_parameters(string optimizer, bool deferReads)
    {
        using var model = new TinyAutoencoder(seed: 40);
        var initial = TrainingAssert.Snapshot(model);
        // The 4th training batch is the last of epoch 1 (4 batches per epoch).
        using var poison = GradientPoison.OnForward(model, 4);
        var options = TinyData.Options(epochs: 3) with
        {
            Optimizer = optimizer == "sgd" ? new SgdOptimizer { Momentum = 0.9 } : new AdamOptimizer(),
            DeferLossReads = deferReads,
        };

        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(data, options));

        Assert.Equal((1, 4), (error.Epoch, error.Batch));
        Assert.True(error.GradientNotFinite);
        Assert.True(double.IsFinite(error.Loss), $"The loss {error.Loss} was finite; the gradient was not.");
        Assert.Contains("epoch 1, batch 4", error.Message, StringComparison.Ordinal);
        Assert.Contains("its gradient is not finite", error.Message, StringComparison.Ordinal);
        Assert.Contains("an operation whose derivative is infinite", error.Message, StringComparison.Ordinal);
        TrainingAssert.Unchanged(initial, model);
    }

    [Fact]
    public void A_checkpoint_never_holds_an_epoch_whose_last_gradient_was_not_finite()
    {
        var checkpoint = folder.File("poisoned.ckpt");
        var options = TinyData.Options(epochs: 3) with { CheckpointPath = checkpoint };
        using (var model = new TinyAutoencoder(seed: 41))
        using (GradientPoison.OnForward(model, 8))
        {
            var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(data, options));
            Assert.Equal((2, 4), (error.Epoch, error.Batch));
            Assert.All(model.parameters(), parameter => Assert.True(parameter.isfinite().all().item<bool>()));
        }

        // The run resumes from epoch 1's checkpoint and finishes, rather than diverging again at once.
        using var resumed = new TinyAutoencoder(seed: 41);
        var history = resumed.Fit(data, options);

        Assert.Equal(1, history.ResumedEpochs);
        Assert.All(history.Epochs, epoch => Assert.True(double.IsFinite(epoch.Train.Total)));
    }

    [Fact]
    public void A_parameter_that_is_not_finite_at_the_end_of_an_epoch_is_a_divergence_naming_it()
    {
        using var model = new TinyAutoencoder(seed: 42);
        var initial = TrainingAssert.Snapshot(model);
        var (name, parameter) = model.named_parameters().Last();

        // As if the last step had pushed one weight past the float range: set between the epoch's last step and its end.
        var progress = new RecordingProgress(report =>
        {
            if (report is { Kind: TrainingProgressKind.Batch, Epoch: 1, Batch: 4 })
            {
                using var noGrad = no_grad();
                parameter[0].fill_(float.PositiveInfinity);
            }
        });

        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(data, TinyData.Options(epochs: 3), progress: progress));

        Assert.Equal((1, 4), (error.Epoch, error.Batch));
        Assert.False(error.GradientNotFinite);
        Assert.Contains($"'{name}' is not finite", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(progress.Reports, report => report.Kind == TrainingProgressKind.Epoch);
        TrainingAssert.Unchanged(initial, model);
    }

    [Fact]
    public void A_running_statistic_that_is_not_finite_at_the_end_of_an_epoch_is_a_divergence_naming_it()
    {
        using var model = new Interop.VectorLayersAe(seed: 46);
        using var examples = randn(128, 12, generator: new Generator(46));
        var (name, runningVariance) = model.named_buffers().First(buffer => buffer.name.EndsWith("running_var", StringComparison.Ordinal));
        using var initialVariance = runningVariance.clone();
        var progress = new RecordingProgress(report =>
        {
            if (report is { Kind: TrainingProgressKind.Batch, Epoch: 1, Batch: 4 })
            {
                runningVariance[0].fill_(float.PositiveInfinity);
            }
        });

        var error = Assert.Throws<TrainingDivergedException>(() => model.Fit(examples, TinyData.Options(epochs: 2), progress: progress));

        Assert.Equal((1, 4), (error.Epoch, error.Batch));
        Assert.Contains($"'{name}' is not finite", error.Message, StringComparison.Ordinal);
        Assert.True(model.named_buffers().Single(buffer => buffer.name == name).buffer.equal(initialVariance).all().item<bool>(), "The running variance is back at the epoch's start.");
    }

    [Fact]
    public void A_checkpoint_holding_non_finite_parameters_is_refused_and_the_model_left_as_it_was()
    {
        var checkpoint = folder.File("nan.ckpt");
        var options = TinyData.Options(epochs: 2) with { CheckpointPath = checkpoint };
        using (var diverged = new TinyAutoencoder(seed: 43))
        {
            var history = diverged.Fit(data, options with { Epochs = 1 });
            using (no_grad())
            {
                diverged.parameters().First().fill_(float.NaN);
            }

            // What an earlier version wrote when a NaN gradient came in an epoch's last batch.
            using var optimizer = options.Optimizer.Create(diverged.parameters().ToArray(), options.LearningRate);
            Checkpoint.Write(checkpoint, diverged, optimizer, history.Epochs, TrainingSignature.Of(options, new TrainingData(data, null), null, validationIsSplit: false), bestWeights: null);
        }

        using var model = new TinyAutoencoder(seed: 44);
        var before = TrainingAssert.Snapshot(model);

        var error = Assert.Throws<InvalidDataException>(() => model.Fit(data, options));

        Assert.Contains(checkpoint, error.Message, StringComparison.Ordinal);
        Assert.Contains("non-finite", error.Message, StringComparison.Ordinal);
        TrainingAssert.Unchanged(before, model);
    }

    [Fact]
    public void A_model_with_non_finite_parameters_is_refused_before_training()
    {
        using var model = new TinyAutoencoder(seed: 45);
        var (name, parameter) = model.named_parameters().First();
        using (no_grad())
        {
            parameter.fill_(float.NaN);
        }

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options(epochs: 1)));

        Assert.Equal("model", error.ParamName);
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>
/// Makes the gradient of chosen training forward passes NaN while their loss stays finite: on those passes the encoder's
/// first layer adds 0 · √(h − h), whose value is 0 but whose derivative is 0 · ∞.
/// </summary>
internal static class GradientPoison
{
    public static IDisposable OnForward(TinyAutoencoder model, params int[] passes)
    {
        int count = 0;
        var first = (nn.Module<Tensor, Tensor>)model.Encoder.children().First();
        var hook = first.register_forward_hook((module, input, output) =>
            module.training && passes.Contains(++count) ? output + (0 * (output - output.detach()).sqrt()) : output);
        return new Removal(hook.remove);
    }

    private sealed class Removal(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }
}
