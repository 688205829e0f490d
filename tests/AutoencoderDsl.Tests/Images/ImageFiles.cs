using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SkiaSharp;

namespace AutoencoderDsl.Tests.Images;

/// <summary>
/// Writes test images: PNG, JPEG and WebP through SkiaSharp's encoders; BMP and GIF, which Skia reads but cannot write,
/// by hand in their simplest forms (24-bit uncompressed; 8-bit palette with LZW codes that never grow past 9 bits).
/// </summary>
internal static class ImageFiles
{
    /// <summary>A colour image with unpremultiplied alpha whose pixel (x, y) is <paramref name="colour"/>(x, y).</summary>
    public static SKBitmap Colour(int width, int height, Func<int, int, SKColor> colour)
    {
        var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, colour(x, y));
            }
        }

        return bitmap;
    }

    /// <summary>A single-channel grey image (written as a greyscale PNG or JPEG).</summary>
    public static SKBitmap Grey(int width, int height, Func<int, int, byte> grey)
    {
        var bitmap = new SKBitmap(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        var pixels = bitmap.GetPixelSpan();
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                pixels[(y * bitmap.RowBytes) + x] = grey(x, y);
            }
        }

        return bitmap;
    }

    /// <summary>Writes <paramref name="bitmap"/> to <paramref name="path"/> in the format its extension names, then disposes it.</summary>
    public static void Write(string path, SKBitmap bitmap)
    {
        using (bitmap)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            switch (Path.GetExtension(path).ToLowerInvariant())
            {
                case ".png":
                    Encode(path, bitmap, SKEncodedImageFormat.Png, 100);
                    break;
                case ".jpg" or ".jpeg":
                    Encode(path, bitmap, SKEncodedImageFormat.Jpeg, 95);
                    break;
                case ".webp":
                    using (var pixmap = bitmap.PeekPixels())
                    using (var data = pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100)) ?? throw new InvalidOperationException("SkiaSharp could not encode WebP."))
                    {
                        File.WriteAllBytes(path, data.ToArray());
                    }

                    break;
                case ".bmp":
                    File.WriteAllBytes(path, Bmp(bitmap));
                    break;
                case ".gif":
                    File.WriteAllBytes(path, Gif(bitmap));
                    break;
                default:
                    throw new ArgumentException($"No writer for '{path}'.");
            }
        }
    }

    private static void Encode(string path, SKBitmap bitmap, SKEncodedImageFormat format, int quality)
    {
        using var data = bitmap.Encode(format, quality) ?? throw new InvalidOperationException($"SkiaSharp could not encode {format}.");
        File.WriteAllBytes(path, data.ToArray());
    }

    private static byte[] Bmp(SKBitmap bitmap)
    {
        int stride = ((bitmap.Width * 3) + 3) & ~3;
        var bytes = new byte[54 + (stride * bitmap.Height)];
        var writer = new BinaryWriter(new MemoryStream(bytes));
        writer.Write("BM"u8);
        writer.Write(bytes.Length);
        writer.Write(0);
        writer.Write(54);
        writer.Write(40);
        writer.Write(bitmap.Width);
        writer.Write(bitmap.Height);
        writer.Write((short)1);
        writer.Write((short)24);
        writer.Write(new byte[24]);
        for (int y = bitmap.Height - 1; y >= 0; y--)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                var colour = bitmap.GetPixel(x, y);
                writer.Write([colour.Blue, colour.Green, colour.Red]);
            }

            writer.Write(new byte[stride - (bitmap.Width * 3)]);
        }

        return bytes;
    }

    private static byte[] Gif(SKBitmap bitmap)
    {
        var palette = new List<SKColor>();
        var indices = new List<int>();
        for (int y = 0; y < bitmap.Height; y++)
        {
            for (int x = 0; x < bitmap.Width; x++)
            {
                var colour = bitmap.GetPixel(x, y).WithAlpha(255);
                int index = palette.IndexOf(colour);
                if (index < 0)
                {
                    index = palette.Count;
                    palette.Add(colour);
                }

                indices.Add(index);
            }
        }

        var output = new MemoryStream();
        var writer = new BinaryWriter(output);
        writer.Write("GIF89a"u8);
        writer.Write((short)bitmap.Width);
        writer.Write((short)bitmap.Height);
        writer.Write([0xF7, 0, 0]);
        for (int i = 0; i < 256; i++)
        {
            var colour = i < palette.Count ? palette[i] : SKColors.Black;
            writer.Write([colour.Red, colour.Green, colour.Blue]);
        }

        writer.Write((byte)0x2C);
        writer.Write((short)0);
        writer.Write((short)0);
        writer.Write((short)bitmap.Width);
        writer.Write((short)bitmap.Height);
        writer.Write((byte)0);
        writer.Write((byte)8);

        // 9-bit codes: a clear code before every 254 pixels keeps the decoder's table below 512 entries.
        var codes = new List<int>();
        for (int i = 0; i < indices.Count; i++)
        {
            if (i % 254 == 0)
            {
                codes.Add(256);
            }

            codes.Add(indices[i]);
        }

        codes.Add(257);
        var packed = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (int code in codes)
        {
            buffer |= code << bits;
            for (bits += 9; bits >= 8; bits -= 8, buffer >>= 8)
            {
                packed.Add((byte)buffer);
            }
        }

        if (bits > 0)
        {
            packed.Add((byte)buffer);
        }

        foreach (var block in packed.Chunk(255))
        {
            writer.Write((byte)block.Length);
            writer.Write(block);
        }

        writer.Write([0, 0x3B]);
        return output.ToArray();
    }
}
