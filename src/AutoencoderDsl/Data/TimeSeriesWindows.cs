using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Data;

/// <summary>
/// Cuts a series into overlapping windows for a model of sequences <c>[C, L]</c>, and maps the windows' scores back to
/// time steps, so an anomaly in a series is found where it happened.
/// </summary>
public static class TimeSeriesWindows
{
    /// <summary>
    /// The windows of <paramref name="series"/>, <c>[T]</c> or <c>[T, C]</c> (time first), each <paramref name="length"/>
    /// steps long and <paramref name="stride"/> steps after the last: <c>[N, C, length]</c>, N = ⌊(T − length) / stride⌋ + 1.
    /// </summary>
    public static Tensor Cut(Tensor series, int length, int stride = 1)
    {
        var channels = RequireSeries(series, length, stride);
        using var scope = NewDisposeScope();
        return channels.unfold(1, length, stride).permute(1, 0, 2).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The score of each of <paramref name="steps"/> time steps: the mean of the scores <c>[N]</c> of the windows that
    /// cover it (cut with the same length and stride); a step no window covers (at the end, when the stride skips it) gets NaN.
    /// </summary>
    public static Tensor ToTimeSteps(Tensor windowScores, long steps, int length, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(windowScores);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        long windows = ((steps - length) / stride) + 1;
        if (windowScores.ndim != 1 || windowScores.shape[0] != windows)
        {
            throw new ArgumentException($"{steps} steps cut into windows of {length} every {stride} steps give {windows} windows, but got scores {Shapes.Format(windowScores.shape)}.", nameof(windowScores));
        }

        using var scope = NewDisposeScope();
        var scores = windowScores.detach().to(ScalarType.Float64);
        var starts = arange(windows, device: scores.device) * stride;
        var covered = (starts.unsqueeze(1) + arange(length, device: scores.device)).flatten();
        var sums = zeros(steps, dtype: ScalarType.Float64, device: scores.device).index_add(0, covered, scores.repeat_interleave(length), 1);
        var counts = zeros(steps, dtype: ScalarType.Float64, device: scores.device).index_add(0, covered, ones(covered.shape[0], dtype: ScalarType.Float64, device: scores.device), 1);
        return (sums / counts).MoveToOuterDisposeScope();
    }

    private static Tensor RequireSeries(Tensor series, int length, int stride)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        if (series.ndim is not (1 or 2) || series.shape[0] < length)
        {
            throw new ArgumentException($"Expected a series [T] or [T, C] with at least {length} steps, but got {Shapes.Format(series.shape)}.", nameof(series));
        }

        return series.ndim == 1 ? series.unsqueeze(0) : series.T;
    }
}
