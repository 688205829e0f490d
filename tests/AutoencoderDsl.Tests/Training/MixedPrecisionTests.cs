using System;
using System.Linq;
using AutoencoderDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary><see cref="TrainingPrecision.BFloat16"/>: bfloat16 passes against float32 master weights, and the combinations it refuses.</summary>
public sealed class MixedPrecisionTests
{
    [Fact]
    public void BFloat16_fit_trains_about_as_well_as_float32_and_leaves_the_float32_masters()
    {
        using var data = TinyData.Create(256, seed: 1);
        using var single = new TinyVae(seed: 1);
        using var mixed = new TinyVae(seed: 1);
        var untrained = mixed.Evaluate(data);

        single.Fit(data, TinyData.Options(epochs: 12));
        var history = mixed.Fit(data, TinyData.Options(epochs: 12) with { Precision = TrainingPrecision.BFloat16 });

        Assert.True(history.Last.Train.Total < history.Epochs[0].Train.Total, history.ToString());
        var parameters = mixed.parameters().ToArray();
        Assert.All(parameters, parameter => Assert.Equal(ScalarType.Float32, parameter.dtype));
        // The masters keep what bfloat16's 8-bit mantissa rounds away: the model does not hold the working copy's values.
        double belowBFloat16 = parameters.Max(parameter => (parameter - parameter.to(ScalarType.BFloat16).to(ScalarType.Float32)).abs().max().item<float>());
        Assert.True(belowBFloat16 > 0, "Every parameter is a bfloat16 value: the model holds the working copy, not the float32 masters.");

        double gained = untrained.Total - single.Evaluate(data).Total;
        double mixedLoss = mixed.Evaluate(data).Total;
        double singleLoss = single.Evaluate(data).Total;
        Assert.True(gained > 0, $"float32 training did not lower the loss from {untrained.Total}.");
        Assert.True(Math.Abs(mixedLoss - singleLoss) < 0.25 * gained, $"bfloat16 {mixedLoss}, float32 {singleLoss}, untrained {untrained.Total}.");
    }

    [Fact]
    public void A_second_fit_continues_in_bfloat16_and_the_model_is_usable_after()
    {
        using var data = TinyData.Create(128, seed: 2);
        using var model = new TinyVae(seed: 2);
        var options = TinyData.Options(epochs: 2) with { Precision = TrainingPrecision.BFloat16 };
        model.Fit(data, options);
        var second = model.Fit(data, options, validation: data);

        Assert.Equal(4, second.Last.Epoch);
        Assert.True(double.IsFinite(second.Last.Validation!.Total));
        using var code = model.Encode(data);
        Assert.Equal(ScalarType.Float32, code.Mean.dtype);
    }

    [Fact]
    public void BFloat16_refuses_an_optimizer_other_than_Adam_naming_the_fix()
    {
        using var data = TinyData.Create(32, seed: 3);
        using var model = new TinyVae(seed: 3);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options() with { Precision = TrainingPrecision.BFloat16, Optimizer = new SgdOptimizer() }));
        Assert.Contains("AdamOptimizer or AdamWOptimizer", error.Message, StringComparison.Ordinal);
        Assert.Contains("SgdOptimizer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BFloat16_refuses_a_device_other_than_the_CPU()
    {
        using var data = TinyData.Create(32, seed: 3);
        using var model = new TinyVae(seed: 3);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options() with { Precision = TrainingPrecision.BFloat16, Device = META }));
        Assert.Contains("train on the CPU", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BFloat16_refuses_a_model_with_frozen_parameters_and_leaves_it_unchanged()
    {
        using var data = TinyData.Create(32, seed: 3);
        using var model = new TinyVae(seed: 3);
        var first = model.parameters().First();
        first.requires_grad = false;
        var before = first.detach().clone();

        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options() with { Precision = TrainingPrecision.BFloat16 }));

        Assert.Contains("frozen", error.Message, StringComparison.Ordinal);
        Assert.Equal(0f, (before - first).abs().max().item<float>());
        Assert.All(model.parameters(), parameter => Assert.Equal(ScalarType.Float32, parameter.dtype));
    }

    [Fact]
    public void BFloat16_refuses_a_convolutional_model_naming_the_layer()
    {
        using var model = new AutoencoderDsl.Tests.Determinism.ThreadedConvVae(seed: 1);
        using var data = rand(8, 1, 12, 12);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options() with { Precision = TrainingPrecision.BFloat16 }));
        Assert.Contains("Conv2d", error.Message, StringComparison.Ordinal);
        Assert.Contains("Leave Precision at Float32", error.Message, StringComparison.Ordinal);
        Assert.All(model.parameters(), parameter => Assert.Equal(ScalarType.Float32, parameter.dtype));
    }

    [Fact]
    public void BFloat16_refuses_a_model_with_running_statistics()
    {
        using var model = new NormalisedVae(seed: 1);
        using var data = TinyData.Create(32, seed: 3);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(data, TinyData.Options() with { Precision = TrainingPrecision.BFloat16 }));
        Assert.Contains("running statistics", error.Message, StringComparison.Ordinal);
        Assert.Contains("running_mean", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BFloat16_refuses_a_float64_model()
    {
        using var data = TinyData.Create(32, seed: 3);
        using var model = new TinyVae(seed: 3);
        model.to(ScalarType.Float64);
        using var doubles = data.to(ScalarType.Float64);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(doubles, TinyData.Options() with { Precision = TrainingPrecision.BFloat16 }));
        Assert.Contains("Float64", error.Message, StringComparison.Ordinal);
    }
}

/// <summary><see cref="TinyVae"/> with a batch normalisation, whose running statistics are buffers.</summary>
[Variational(LatentDim = 2, Likelihood = Likelihood.Gaussian)]
[Input(TinyData.Width)]
internal sealed partial class NormalisedVae
{
    [Dense(16), BatchNorm1d, ReLU]
    public partial TorchSharp.Modules.Sequential Encoder { get; }

    [Dense(TinyData.Width)]
    public partial TorchSharp.Modules.Sequential Decoder { get; }
}
