using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace AutoencoderDsl.Imaging;

/// <summary>
/// Saves a scatter plot of two-dimensional codes coloured by class as a PNG: the way to look at a 2-D latent space.
/// </summary>
/// <remarks>
/// The plot has a white background, a thin dark frame, light grey lines through the origin when it is in view,
/// and one small filled dot per point in <c>Palette[label % 10]</c>. Both axes share one scale, so a round
/// cloud stays round, and fit the points with a 5 % margin. There is no text: pair the image with
/// <see cref="Palette"/> and the class names to make a legend.
/// </remarks>
public static class LatentScatter
{
    /// <summary>The class colours, indexed by label (modulo 10): ten well-separated hues (Tableau 10).</summary>
    public static IReadOnlyList<(byte R, byte G, byte B)> Palette { get; } =
    [
        (0x1F, 0x77, 0xB4), (0xFF, 0x7F, 0x0E), (0x2C, 0xA0, 0x2C), (0xD6, 0x27, 0x28), (0x94, 0x67, 0xBD),
        (0x8C, 0x56, 0x4B), (0xE3, 0x77, 0xC2), (0x7F, 0x7F, 0x7F), (0xBC, 0xBD, 0x22), (0x17, 0xBE, 0xCF),
    ];

    private static readonly (byte R, byte G, byte B) Background = (255, 255, 255);
    private static readonly (byte R, byte G, byte B) Frame = (64, 64, 64);
    private static readonly (byte R, byte G, byte B) OriginLines = (220, 220, 220);
    private const double DataMargin = 0.05;

    /// <summary>Plots <paramref name="points"/> coloured by <paramref name="labels"/> and writes the plot as a square PNG.</summary>
    /// <param name="points">The codes, a floating-point <c>[N, 2]</c> tensor with N ≥ 1 and finite values, on any device.</param>
    /// <param name="labels">The class of every point, an integer <c>[N]</c> tensor with values ≥ 0.</param>
    /// <param name="path">The PNG file to create or replace.</param>
    /// <param name="size">The width and height in pixels, at least 64.</param>
    /// <exception cref="ArgumentException">The shapes do not match, a label is negative, or a coordinate is NaN or infinite.</exception>
    public static void Save(Tensor points, Tensor labels, string path, int size = 800)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 64);
        if (points.ndim != 2 || points.shape[1] != 2 || points.shape[0] == 0 || !points.is_floating_point())
        {
            throw new ArgumentException(
                $"Expected floating-point points of shape [N, 2] with N ≥ 1 but got {Shapes.Format(points.shape)} of type {points.dtype}.",
                nameof(points));
        }

        if (labels.ndim != 1 || labels.shape[0] != points.shape[0] || !is_integral(labels))
        {
            throw new ArgumentException(
                $"Expected integer labels of shape [{points.shape[0]}] to match points {Shapes.Format(points.shape)} but got {Shapes.Format(labels.shape)} of type {labels.dtype}.",
                nameof(labels));
        }

        double[] xy = ImageGrid.CopyToHost<double>(points, ScalarType.Float64);
        long[] classes = ImageGrid.CopyToHost<long>(labels, ScalarType.Int64);
        int nonFinite = xy.Count(v => !double.IsFinite(v));
        if (nonFinite > 0)
        {
            throw new ArgumentException($"{nonFinite} of the {xy.Length} coordinates are NaN or infinite.", nameof(points));
        }

        int negative = Array.FindIndex(classes, label => label < 0);
        if (negative >= 0)
        {
            throw new ArgumentException($"Label {classes[negative]} at index {negative} is negative.", nameof(labels));
        }

        var canvas = new Canvas(size);
        int inset = Math.Max(4, size / 50);
        var project = FitToFrame(xy, size, inset);
        var (originX, originY) = project(0, 0);
        if (originX > inset && originX < size - 1 - inset)
        {
            canvas.FillRectangle((int)Math.Floor(originX), inset, 1, size - 2 * inset, OriginLines);
        }

        if (originY > inset && originY < size - 1 - inset)
        {
            canvas.FillRectangle(inset, (int)Math.Floor(originY), size - 2 * inset, 1, OriginLines);
        }

        canvas.DrawFrame(inset, Frame);
        double dotRadius = Math.Max(1.5, size / 400.0);
        for (int i = 0; i < classes.Length; i++)
        {
            var (x, y) = project(xy[2 * i], xy[2 * i + 1]);
            canvas.FillDisc(x, y, dotRadius, Palette[(int)(classes[i] % Palette.Count)]);
        }

        Png.Write(path, canvas.Pixels, size, size, PngColor.Rgb);
    }

    /// <summary>Maps data coordinates to pixels: one scale for both axes, centred, y up, the points filling the frame less the margin.</summary>
    private static Func<double, double, (double X, double Y)> FitToFrame(double[] xy, int size, int inset)
    {
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        for (int i = 0; i < xy.Length; i += 2)
        {
            minX = Math.Min(minX, xy[i]);
            maxX = Math.Max(maxX, xy[i]);
            minY = Math.Min(minY, xy[i + 1]);
            maxY = Math.Max(maxY, xy[i + 1]);
        }

        // A single distinct point still needs a nonzero span to divide by.
        double span = Math.Max(Math.Max(maxX - minX, maxY - minY), 1e-12);
        double pixelsPerUnit = (size - 2 * inset) * (1 - 2 * DataMargin) / span;
        double centreX = (minX + maxX) / 2;
        double centreY = (minY + maxY) / 2;
        double middle = size / 2.0;
        return (x, y) => (middle + (x - centreX) * pixelsPerUnit, middle - (y - centreY) * pixelsPerUnit);
    }

    /// <summary>An RGB pixel buffer with the few drawing operations a scatter plot needs, clipped to the image.</summary>
    private sealed class Canvas
    {
        private readonly int size;

        public Canvas(int size)
        {
            this.size = size;
            Pixels = new byte[size * size * 3];
            FillRectangle(0, 0, size, size, Background);
        }

        public byte[] Pixels { get; }

        public void FillRectangle(int left, int top, int width, int height, (byte R, byte G, byte B) colour)
        {
            for (int y = Math.Max(top, 0); y < Math.Min(top + height, size); y++)
            {
                for (int x = Math.Max(left, 0); x < Math.Min(left + width, size); x++)
                {
                    Set(x, y, colour);
                }
            }
        }

        public void DrawFrame(int inset, (byte R, byte G, byte B) colour)
        {
            int length = size - 2 * inset;
            FillRectangle(inset, inset, length, 1, colour);
            FillRectangle(inset, size - 1 - inset, length, 1, colour);
            FillRectangle(inset, inset, 1, length, colour);
            FillRectangle(size - 1 - inset, inset, 1, length, colour);
        }

        /// <summary>Sets every pixel whose centre lies within <paramref name="radius"/> of (<paramref name="centreX"/>, <paramref name="centreY"/>).</summary>
        public void FillDisc(double centreX, double centreY, double radius, (byte R, byte G, byte B) colour)
        {
            int top = (int)Math.Floor(centreY - radius);
            int left = (int)Math.Floor(centreX - radius);
            int extent = (int)Math.Ceiling(2 * radius) + 1;
            for (int y = Math.Max(top, 0); y < Math.Min(top + extent, size); y++)
            {
                for (int x = Math.Max(left, 0); x < Math.Min(left + extent, size); x++)
                {
                    double dx = x + 0.5 - centreX;
                    double dy = y + 0.5 - centreY;
                    if (dx * dx + dy * dy <= radius * radius)
                    {
                        Set(x, y, colour);
                    }
                }
            }
        }

        private void Set(int x, int y, (byte R, byte G, byte B) colour)
        {
            int offset = (y * size + x) * 3;
            Pixels[offset] = colour.R;
            Pixels[offset + 1] = colour.G;
            Pixels[offset + 2] = colour.B;
        }
    }
}
