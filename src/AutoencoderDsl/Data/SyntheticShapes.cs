using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace AutoencoderDsl.Data;

/// <summary>
/// A labelled image data set generated on the spot: ten classes of simple white-on-black shapes with random
/// position, size, rotation, stroke width and brightness. It needs no download, so examples fall back to it when
/// Fashion-MNIST is not installed, and tests use it.
/// </summary>
/// <remarks>
/// Shapes are rendered from signed distance functions with a one-pixel soft edge. The same arguments give
/// bit-identical tensors on a given platform; elsewhere the sine and cosine of the rotation may round differently.
/// </remarks>
public static class SyntheticShapes
{
    /// <summary>The ten class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["Disc", "Ring", "Square", "Square outline", "Triangle", "Cross", "Horizontal bars", "Vertical bars", "Diagonal line", "Two dots"];

    private enum Shape { Disc, Ring, Square, SquareOutline, Triangle, Cross, HorizontalBars, VerticalBars, DiagonalLine, TwoDots }

    private static readonly float Cos30 = MathF.Sqrt(3) / 2;

    /// <summary>Generates <paramref name="count"/> images, cycling through the classes so that every class gets an equal share (±1).</summary>
    /// <param name="count">The number of images.</param>
    /// <param name="seed">The seed of the random jitter; the same seed gives the same images.</param>
    /// <param name="size">The width and height in pixels.</param>
    /// <returns>Images as <c>float32 [count, 1, size, size]</c> in [0, 1] on a 0 background, labels as <c>int64 [count]</c>.</returns>
    public static LabelledImages Generate(int count, int seed, int size = 28)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 8);
        var random = new Random(seed);
        var labels = new long[count];
        var jitters = new Jitter[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = i % ClassNames.Count;
            jitters[i] = Jitter.Draw(random);
        }

        // The jitter is drawn in sequence above, so rendering in parallel keeps the result independent of scheduling.
        int pixelsPerImage = size * size;
        var pixels = new float[(long)count * pixelsPerImage];
        Parallel.For(0, count, i => Render((Shape)labels[i], jitters[i], size, pixels.AsSpan(i * pixelsPerImage, pixelsPerImage)));
        return new LabelledImages(tensor(pixels, [count, 1, size, size]), tensor(labels), ClassNames);
    }

    private static void Render(Shape shape, Jitter jitter, int size, Span<float> image)
    {
        // Coordinates are scaled so that the image spans [-1, 1] with y pointing up.
        float cos = MathF.Cos(jitter.Angle);
        float sin = MathF.Sin(jitter.Angle);
        float half = size / 2f;
        float pixelsPerUnit = jitter.Scale * half;
        for (int y = 0; y < size; y++)
        {
            float py = 1 - (y + 0.5f) / half - jitter.CentreY;
            for (int x = 0; x < size; x++)
            {
                float px = (x + 0.5f) / half - 1 - jitter.CentreX;
                float localX = (cos * px + sin * py) / jitter.Scale;
                float localY = (cos * py - sin * px) / jitter.Scale;
                float distanceInPixels = SignedDistance(shape, localX, localY, jitter.Stroke) * pixelsPerUnit;
                image[y * size + x] = jitter.Brightness * Math.Clamp(0.5f - distanceInPixels, 0f, 1f);
            }
        }
    }

    /// <summary>The distance from a point to the shape's outline in shape units (radius about 1): negative inside.</summary>
    private static float SignedDistance(Shape shape, float x, float y, float stroke) => shape switch
    {
        Shape.Disc => Length(x, y) - 1,
        Shape.Ring => MathF.Abs(Length(x, y) - 1 + stroke / 2) - stroke / 2,
        Shape.Square => Box(x, y, 0.8f, 0.8f),
        Shape.SquareOutline => MathF.Abs(Box(x, y, 0.8f, 0.8f) + stroke / 2) - stroke / 2,
        Shape.Triangle => MathF.Max(-y, MathF.Max(Cos30 * x + y / 2, -Cos30 * x + y / 2)) - 0.5f,
        Shape.Cross => MathF.Min(Box(x, y, 1, stroke / 2), Box(x, y, stroke / 2, 1)),
        Shape.HorizontalBars => Bars(x, y, stroke),
        Shape.VerticalBars => Bars(y, x, stroke),
        Shape.DiagonalLine => DistanceToDiagonal(x, y) - stroke / 2,
        Shape.TwoDots => MathF.Min(Length(x - 0.55f, y), Length(x + 0.55f, y)) - 0.35f,
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
    };

    private static float Length(float x, float y) => MathF.Sqrt(x * x + y * y);

    /// <summary>Signed distance to an axis-aligned rectangle centred on the origin with the given half-sizes.</summary>
    private static float Box(float x, float y, float halfWidth, float halfHeight)
    {
        float dx = MathF.Abs(x) - halfWidth;
        float dy = MathF.Abs(y) - halfHeight;
        return Length(MathF.Max(dx, 0), MathF.Max(dy, 0)) + MathF.Min(MathF.Max(dx, dy), 0);
    }

    /// <summary>Three parallel bars along the x axis, 0.6 apart.</summary>
    private static float Bars(float along, float across, float stroke) =>
        MathF.Min(Box(along, across, 0.9f, stroke / 2),
            MathF.Min(Box(along, across - 0.6f, 0.9f, stroke / 2), Box(along, across + 0.6f, 0.9f, stroke / 2)));

    /// <summary>Distance to the segment from (-0.8, -0.8) to (0.8, 0.8).</summary>
    private static float DistanceToDiagonal(float x, float y)
    {
        float along = Math.Clamp((x + y) / 2, -0.8f, 0.8f);
        return Length(x - along, y - along);
    }

    /// <summary>How one image departs from the canonical shape; the ranges keep every shape inside the image.</summary>
    private readonly record struct Jitter(float CentreX, float CentreY, float Scale, float Angle, float Stroke, float Brightness)
    {
        public static Jitter Draw(Random random) => new(
            CentreX: Uniform(random, -0.12f, 0.12f),
            CentreY: Uniform(random, -0.12f, 0.12f),
            Scale: Uniform(random, 0.5f, 0.75f),
            Angle: Uniform(random, -0.3f, 0.3f),
            Stroke: Uniform(random, 0.15f, 0.3f),
            Brightness: Uniform(random, 0.6f, 1f));

        private static float Uniform(Random random, float low, float high) => low + (high - low) * random.NextSingle();
    }
}
