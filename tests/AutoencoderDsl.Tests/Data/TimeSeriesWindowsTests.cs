using System;
using System.Linq;
using AutoencoderDsl.Data;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Data;

public sealed class TimeSeriesWindowsTests
{
    [Fact]
    public void WindowsOverlapByTheStrideAndKeepTheChannels()
    {
        using var scope = NewDisposeScope();
        var series = stack([arange(10, dtype: ScalarType.Float32), -arange(10, dtype: ScalarType.Float32)], 1);

        var windows = TimeSeriesWindows.Cut(series, length: 4, stride: 3);

        Assert.Equal([3L, 2, 4], windows.shape);
        Assert.Equal([3f, 4, 5, 6], windows[1, 0].data<float>().ToArray());
        Assert.Equal([-6f, -7, -8, -9], windows[2, 1].data<float>().ToArray());
        Assert.Equal([1L, 1, 10], TimeSeriesWindows.Cut(arange(10, dtype: ScalarType.Float32), length: 10).shape);
    }

    [Fact]
    public void EachStepGetsTheMeanScoreOfTheWindowsCoveringIt()
    {
        using var scope = NewDisposeScope();
        // Steps 0..5 cut into windows of 3 every 2 steps: windows cover 0-2 and 2-4; step 5 is covered by none.
        var scores = tensor(new double[] { 1, 3 });

        var steps = TimeSeriesWindows.ToTimeSteps(scores, steps: 6, length: 3, stride: 2).data<double>().ToArray();

        Assert.Equal([1, 1, 2, 3, 3], steps[..5]);
        Assert.True(double.IsNaN(steps[5]));
    }

    [Fact]
    public void TooShortASeriesOrTheWrongNumberOfScoresIsRefused()
    {
        using var scope = NewDisposeScope();

        Assert.Contains("at least 8 steps", Assert.Throws<ArgumentException>(() => TimeSeriesWindows.Cut(zeros(5), length: 8)).Message);
        Assert.Contains("give 2 windows", Assert.Throws<ArgumentException>(() => TimeSeriesWindows.ToTimeSteps(zeros(4), steps: 6, length: 3, stride: 2)).Message);
    }
}
