using System;
using AutoencoderDsl.Training;

namespace AutoencoderDsl.Tests.Training;

public sealed class FitOptionsTests
{
    public static TheoryData<FitOptions, string> OutOfRange => new()
    {
        { new FitOptions { Epochs = 0 }, nameof(FitOptions.Epochs) },
        { new FitOptions { BatchSize = 0 }, nameof(FitOptions.BatchSize) },
        { new FitOptions { LearningRate = 0 }, nameof(FitOptions.LearningRate) },
        { new FitOptions { LearningRate = double.NaN }, nameof(FitOptions.LearningRate) },
        { new FitOptions { MaxGradientNorm = -1 }, nameof(FitOptions.MaxGradientNorm) },
        { new FitOptions { MaxGradientNorm = double.PositiveInfinity }, nameof(FitOptions.MaxGradientNorm) },
        { new FitOptions { CheckpointPath = " " }, nameof(FitOptions.CheckpointPath) },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Fit_rejects_options_out_of_range_naming_the_option(FitOptions options, string option)
    {
        using var data = TinyData.Create(8, seed: 50);
        using var model = new TinyAutoencoder(seed: 50);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(data, options));

        Assert.Equal(option, error.ParamName);
    }

    [Fact]
    public void Defaults_are_documented_values()
    {
        var options = new FitOptions();

        Assert.Equal((10, 128, 1e-3, 0L, true), (options.Epochs, options.BatchSize, options.LearningRate, options.Seed, options.Shuffle));
        Assert.Null(options.Corrupt);
        Assert.Null(options.CheckpointPath);
        Assert.Null(options.MaxGradientNorm);
    }
}
