using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.IO;
using SkiaSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Plotting;

/// <summary>A batch of images tiled in a grid, as one PNG drawn with SkiaSharp: inputs, reconstructions and samples side by side.</summary>
public static class ImageGrid
{
    /// <summary>The grey of the padding and of empty cells, so black images stay distinguishable from it.</summary>
    public static readonly SKColor Padding = new(128, 128, 128);

    /// <summary>Tiles <paramref name="images"/> row by row and writes them as a PNG, atomically.</summary>
    /// <param name="images">
    /// A floating-point batch <c>[N, 1, H, W]</c> (greyscale), <c>[N, 3, H, W]</c> (RGB) or <c>[N, H, W]</c> with values in
    /// [0, 1]; values outside are clamped. It may live on any device and is left untouched.
    /// </param>
    /// <param name="path">The PNG file to create or replace.</param>
    /// <param name="columns">Images per row; by default <c>ceil(√N)</c>, a near-square grid.</param>
    /// <param name="padding">The width in pixels of the grey border around every image.</param>
    /// <param name="scale">How many output pixels wide and high each image pixel becomes (nearest neighbour), so small images stay visible.</param>
    /// <param name="rowLabels">A caption to the left of each row (e.g. <c>noisy 9.3 dB</c>); none when null.</param>
    /// <param name="title">A line of text above the grid; none when null.</param>
    /// <exception cref="ArgumentException">The batch is not an image batch, or there are more row labels than rows.</exception>
    public static void Save(Tensor images, string path, int? columns = null, int padding = 2, int scale = 1, IReadOnlyList<string>? rowLabels = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        var (pixels, count, channels, height, width) = Pixels(images);
        int columnCount = columns ?? (int)Math.Ceiling(Math.Sqrt(count));
        ArgumentOutOfRangeException.ThrowIfLessThan(columnCount, 1, nameof(columns));
        int rowCount = (count + columnCount - 1) / columnCount;
        if (rowLabels is not null && rowLabels.Count > rowCount)
        {
            throw new ArgumentException($"{rowLabels.Count} row labels were given for {rowCount} rows.", nameof(rowLabels));
        }

        using var font = new SKFont(SKTypeface.Default, 14);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        int labelWidth = rowLabels is null ? 0 : (int)Math.Ceiling(rowLabels.Max(label => font.MeasureText(label)) + 12);
        int titleHeight = title is null ? 0 : 24;
        int cellWidth = width * scale, cellHeight = height * scale;
        int gridWidth = labelWidth + (columnCount * (cellWidth + padding)) + padding;
        int gridHeight = titleHeight + (rowCount * (cellHeight + padding)) + padding;

        using var surface = SKSurface.Create(new SKImageInfo(gridWidth, gridHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using (var fill = new SKPaint { Color = Padding })
        {
            canvas.DrawRect(labelWidth, titleHeight, gridWidth - labelWidth, gridHeight - titleHeight, fill);
        }

        if (title is not null)
        {
            canvas.DrawText(title, 6, 17, SKTextAlign.Left, font, ink);
        }

        using var sampling = new SKPaint { IsAntialias = false };
        for (int n = 0; n < count; n++)
        {
            using var tile = Tile(pixels, n, channels, height, width);
            float left = labelWidth + padding + ((n % columnCount) * (cellWidth + padding));
            float top = titleHeight + padding + ((n / columnCount) * (cellHeight + padding));
            canvas.DrawImage(tile, SKRect.Create(left, top, cellWidth, cellHeight), new SKSamplingOptions(SKFilterMode.Nearest), sampling);
        }

        for (int row = 0; row < (rowLabels?.Count ?? 0); row++)
        {
            float middle = titleHeight + padding + (row * (cellHeight + padding)) + (cellHeight / 2f) + 5;
            canvas.DrawText(rowLabels![row], 6, middle, SKTextAlign.Left, font, ink);
        }

        Png.Write(surface, path);
    }

    /// <summary>The images as bytes in [0, 255], channel-planar, with their layout; checks the batch.</summary>
    internal static (byte[] Pixels, int Count, int Channels, int Height, int Width) Pixels(Tensor images)
    {
        long[] shape = images.shape;
        bool isImageBatch = (shape.Length == 3 || (shape.Length == 4 && shape[1] is 1 or 3)) && shape[0] > 0 && shape[^2] > 0 && shape[^1] > 0;
        if (!isImageBatch || !images.is_floating_point())
        {
            throw new ArgumentException(
                $"Expected a floating-point image batch [N, 1, H, W], [N, 3, H, W] or [N, H, W] with N ≥ 1 but got {Shapes.Format(shape)} of type {images.dtype}.",
                nameof(images));
        }

        using var scope = NewDisposeScope();
        var bytes = (images.detach().cpu().to(ScalarType.Float32).nan_to_num(0).clamp(0, 1) * 255).round().to(ScalarType.Byte).contiguous();
        return (bytes.data<byte>().ToArray(), (int)shape[0], shape.Length == 4 ? (int)shape[1] : 1, (int)shape[^2], (int)shape[^1]);
    }

    /// <summary>Image <paramref name="index"/> of what <see cref="Pixels"/> gave, as an opaque RGBA image.</summary>
    internal static SKImage Tile(byte[] pixels, int index, int channels, int height, int width)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var rgba = new byte[width * height * 4];
        int plane = height * width;
        int start = index * channels * plane;
        for (int pixel = 0; pixel < plane; pixel++)
        {
            for (int c = 0; c < 3; c++)
            {
                rgba[(pixel * 4) + c] = pixels[start + ((channels == 1 ? 0 : c) * plane) + pixel];
            }

            rgba[(pixel * 4) + 3] = 255;
        }

        return SKImage.FromPixelCopy(info, rgba);
    }
}

/// <summary>Encodes what SkiaSharp drew as a PNG file, written atomically.</summary>
internal static class Png
{
    public static void Write(SKSurface surface, string path)
    {
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => data.SaveTo(stream));
    }
}
