using System;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace AutoencoderDsl.Imaging;

/// <summary>Saves a batch of images as one PNG, tiled in a grid: the usual way to look at inputs, reconstructions and samples.</summary>
public static class ImageGrid
{
    /// <summary>The grey that fills the padding and any empty cells, so black images stay distinguishable.</summary>
    public const byte PaddingGray = 128;

    /// <summary>Tiles <paramref name="images"/> row by row into a grid and writes it as a PNG.</summary>
    /// <param name="images">
    /// A floating-point batch <c>[N, 1, H, W]</c> (greyscale), <c>[N, 3, H, W]</c> (RGB) or <c>[N, H, W]</c> (greyscale)
    /// with values in [0, 1]; values outside are clamped. It may live on any device and is left untouched.
    /// </param>
    /// <param name="path">The PNG file to create or replace.</param>
    /// <param name="columns">The number of images per row; by default <c>ceil(sqrt(N))</c>, which gives a near-square grid.</param>
    /// <param name="padding">The width in pixels of the <see cref="PaddingGray"/> border around every image.</param>
    /// <param name="scale">How many output pixels wide and high each image pixel becomes, so small images stay visible.</param>
    /// <remarks>
    /// The PNG is <c>columns·(scale·W + padding) + padding</c> pixels wide and <c>rows·(scale·H + padding) + padding</c> high.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="images"/> is not a non-empty floating-point image batch.</exception>
    public static void Save(Tensor images, string path, int? columns = null, int padding = 2, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        long[] shape = images.shape;
        bool isImageBatch = (shape.Length == 3 || (shape.Length == 4 && shape[1] is 1 or 3))
            && shape[0] > 0 && shape[^2] > 0 && shape[^1] > 0;
        if (!isImageBatch || !images.is_floating_point())
        {
            throw new ArgumentException(
                $"Expected a floating-point image batch [N, 1, H, W], [N, 3, H, W] or [N, H, W] with N ≥ 1 but got {Shapes.Format(shape)} of type {images.dtype}.",
                nameof(images));
        }

        int count = (int)shape[0];
        int channels = shape.Length == 4 ? (int)shape[1] : 1;
        int height = (int)shape[^2] * scale;
        int width = (int)shape[^1] * scale;
        int columnCount = columns ?? (int)Math.Ceiling(Math.Sqrt(count));
        ArgumentOutOfRangeException.ThrowIfLessThan(columnCount, 1, nameof(columns));
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        int rowCount = (count + columnCount - 1) / columnCount;
        int gridWidth = columnCount * (width + padding) + padding;
        int gridHeight = rowCount * (height + padding) + padding;

        float[] values;
        using (NewDisposeScope())
        {
            // Nearest-neighbour enlargement: every pixel becomes a scale × scale block.
            var enlarged = scale == 1 ? images : images.repeat_interleave(scale, dim: -2).repeat_interleave(scale, dim: -1);
            values = CopyToHost<float>(enlarged, ScalarType.Float32);
        }
        var pixels = new byte[(long)gridWidth * gridHeight * channels];
        Array.Fill(pixels, PaddingGray);
        for (int n = 0; n < count; n++)
        {
            int left = padding + (n % columnCount) * (width + padding);
            int top = padding + (n / columnCount) * (height + padding);
            for (int c = 0; c < channels; c++)
            {
                for (int y = 0; y < height; y++)
                {
                    int source = ((n * channels + c) * height + y) * width;
                    int target = ((top + y) * gridWidth + left) * channels + c;
                    for (int x = 0; x < width; x++)
                    {
                        pixels[target + x * channels] = ToByte(values[source + x]);
                    }
                }
            }
        }

        Png.Write(path, pixels, gridWidth, gridHeight, channels == 1 ? PngColor.Gray : PngColor.Rgb);
    }

    /// <summary>Copies a tensor's elements, converted to <paramref name="type"/>, into a new array in row-major order.</summary>
    internal static T[] CopyToHost<T>(Tensor tensor, ScalarType type) where T : unmanaged
    {
        using var scope = NewDisposeScope();
        var host = tensor.detach().cpu().to(type).contiguous();
        using TensorAccessor<T> accessor = host.data<T>();
        return accessor.ToArray();
    }

    /// <summary>Maps [0, 1] to [0, 255], rounding; NaN becomes 0 because both comparisons fail.</summary>
    private static byte ToByte(float value) => value > 0 ? value < 1 ? (byte)(value * 255 + 0.5f) : byte.MaxValue : (byte)0;
}
