using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace AutoencoderDsl.Data;

/// <summary>A labelled image data set held in memory, such as one split of Fashion-MNIST.</summary>
/// <param name="Images">The images, <c>float32 [N, C, H, W]</c> with values in [0, 1]; the built-in data sets have <c>C = 1</c>.</param>
/// <param name="Labels">The class of every image, <c>int64 [N]</c>, an index into <paramref name="ClassNames"/>.</param>
/// <param name="ClassNames">The name of every class, indexed by label.</param>
public sealed record LabelledImages(Tensor Images, Tensor Labels, IReadOnlyList<string> ClassNames) : IDisposable
{
    /// <summary>The images, <c>float32 [N, C, H, W]</c> with values in [0, 1].</summary>
    public Tensor Images { get; } = RequireImages(Images);

    /// <summary>The class of every image, <c>int64 [N]</c>.</summary>
    public Tensor Labels { get; } = RequireLabels(Labels, Images);

    /// <summary>The name of every class, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; } = ClassNames ?? throw new ArgumentNullException(nameof(ClassNames));

    /// <summary>The number of images, <c>N</c>.</summary>
    public int Count => (int)Images.shape[0];

    /// <summary>Copies the first <paramref name="count"/> images and labels into a new, independently disposable data set.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or more than <see cref="Count"/>.</exception>
    public LabelledImages Take(int count)
    {
        RequireCount(count);
        return Slice(0, count);
    }

    /// <summary>
    /// Copies the data set into two: the first <paramref name="firstCount"/> images and the rest, for example to hold
    /// out a validation set. This data set stays valid; dispose it separately.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="firstCount"/> is negative or more than <see cref="Count"/>.</exception>
    public (LabelledImages First, LabelledImages Remainder) Split(int firstCount)
    {
        RequireCount(firstCount);
        return (Slice(0, firstCount), Slice(firstCount, Count - firstCount));
    }

    /// <summary>Releases the image and label tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }

    private void RequireCount(int count, [CallerArgumentExpression(nameof(count))] string? parameterName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count, parameterName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count, parameterName);
    }

    private LabelledImages Slice(int start, int length)
    {
        using var scope = NewDisposeScope();
        var images = Images.narrow(0, start, length).clone();
        var labels = Labels.narrow(0, start, length).clone();
        return new LabelledImages(images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), ClassNames);
    }

    private static Tensor RequireImages(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.ndim != 4 || images.dtype != ScalarType.Float32)
        {
            throw new ArgumentException(
                $"Expected images of shape [N, C, H, W] and type Float32 but got {Shapes.Format(images.shape)} of type {images.dtype}.",
                nameof(Images));
        }

        return images;
    }

    private static Tensor RequireLabels(Tensor labels, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.ndim != 1 || labels.dtype != ScalarType.Int64 || labels.shape[0] != images.shape[0])
        {
            throw new ArgumentException(
                $"Expected labels of shape [{images.shape[0]}] and type Int64 to match images {Shapes.Format(images.shape)} but got {Shapes.Format(labels.shape)} of type {labels.dtype}.",
                nameof(Labels));
        }

        return labels;
    }
}
