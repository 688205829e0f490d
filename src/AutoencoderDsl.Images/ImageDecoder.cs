using System;
using System.Buffers.Binary;
using System.Globalization;
using System.IO;
using SkiaSharp;

namespace AutoencoderDsl.Images;

/// <summary>The model's input an image is converted to, and the rules that convert it.</summary>
internal readonly record struct ImageTarget(int Channels, int Height, int Width, ResizeMode Resize, ImageBackground AlphaBackground, ImageBackground Padding, long MaxPixels)
{
    /// <summary>Bytes of one converted image, channel-major: <c>[C, H, W]</c>.</summary>
    public int Size => Channels * Height * Width;
}

/// <summary>Checks image files' headers and decodes and converts them, with SkiaSharp; never lets a native failure through unchecked.</summary>
internal static class ImageDecoder
{
    /// <summary>What the error messages call the formats <see cref="ImageFolder"/> reads.</summary>
    public const string Formats = "PNG, JPEG, BMP, GIF or WebP";

    private static readonly byte[] PngEnd = [0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82];

    /// <summary>How far from its end a JPEG's end-of-image marker may be, past data some cameras append after it.</summary>
    private const int JpegTrailerSearch = 64 * 1024;

    /// <summary>
    /// Reads the header and the end of the file at <paramref name="path"/> (<paramref name="length"/> bytes): null when
    /// it is a supported image of at most <see cref="ImageTarget.MaxPixels"/> pixels that is not visibly truncated,
    /// otherwise why not.
    /// </summary>
    public static string? Check(string path, long length, in ImageTarget target)
    {
        if (length == 0)
        {
            return "the file is empty (0 bytes)";
        }

        using var codec = SKCodec.Create(path, out var result);
        if (codec is null)
        {
            return $"not a {Formats} image, or unreadable (SkiaSharp: {result})";
        }

        return CheckHeader(codec, target) ?? CheckEnd(path, codec.EncodedFormat, length);
    }

    /// <summary>
    /// Decodes the image at <paramref name="path"/> (a GIF's first frame) and converts it into <paramref name="destination"/>
    /// as <c>[C, H, W]</c> bytes.
    /// </summary>
    /// <exception cref="InvalidDataException">The file cannot be opened or decoded; the message names it and says why.</exception>
    public static void Decode(string path, in ImageTarget target, Span<byte> destination)
    {
        if (TryDecode(path, target, destination) is string reason)
        {
            throw new InvalidDataException(
                $"The image '{path}' cannot be decoded: {reason}. Opening the folder reads only each file's header and end "
                + "(ImageFolderOptions.Cache decodes every file then); fix or remove the file and open the folder again.");
        }
    }

    /// <summary>As <see cref="Decode"/>, but returns why the file cannot be decoded instead of throwing; null when it was.</summary>
    public static string? TryDecode(string path, in ImageTarget target, Span<byte> destination)
    {
        using var codec = SKCodec.Create(path, out var result);
        if (codec is null)
        {
            return File.Exists(path) ? $"it is not a {Formats} image, or is unreadable (SkiaSharp: {result})" : "the file no longer exists";
        }

        if (CheckHeader(codec, target) is string problem)
        {
            return problem;
        }

        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var source = new SKBitmap(info);
        if (source.GetPixels() == IntPtr.Zero)
        {
            return $"no memory for its {info.Width}×{info.Height} pixels";
        }

        var decoded = codec.GetPixels(info, source.GetPixels(), new SKCodecOptions(0));
        if (decoded != SKCodecResult.Success)
        {
            return decoded == SKCodecResult.IncompleteInput ? "it is truncated: the image data ends early" : $"its image data is damaged (SkiaSharp: {decoded})";
        }

        source.SetImmutable();
        using var image = SKImage.FromBitmap(source);
        Convert(image, target, destination);
        return null;
    }

    /// <summary>
    /// Converts <paramref name="image"/> to <paramref name="target"/>: drawn over <see cref="ImageTarget.AlphaBackground"/>
    /// into the region <see cref="Regions"/> gives, the rest <see cref="ImageTarget.Padding"/>; then grey by ITU-R BT.601
    /// luma rounded to a byte, or red, green and blue planes.
    /// </summary>
    public static void Convert(SKImage image, in ImageTarget target, Span<byte> destination)
    {
        var (from, to) = Regions(image.Width, image.Height, target);
        using var canvasBitmap = new SKBitmap(new SKImageInfo(target.Width, target.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(canvasBitmap))
        {
            canvas.Clear(Colour(target.Padding));
            using var background = new SKPaint { Color = Colour(target.AlphaBackground) };
            canvas.DrawRect(to, background);
            canvas.DrawImage(image, from, to, Sampling(from, to), null);
        }

        ReadOnlySpan<byte> pixels = canvasBitmap.GetPixelSpan();
        int rowBytes = canvasBitmap.RowBytes;
        int plane = target.Height * target.Width;
        for (int y = 0; y < target.Height; y++)
        {
            for (int x = 0; x < target.Width; x++)
            {
                // Everything drawn is opaque, so premultiplied values are the colour itself.
                int offset = (y * rowBytes) + (4 * x);
                int r = pixels[offset], g = pixels[offset + 1], b = pixels[offset + 2];
                int at = (y * target.Width) + x;
                if (target.Channels == 1)
                {
                    destination[at] = (byte)(((299 * r) + (587 * g) + (114 * b) + 500) / 1000);
                }
                else
                {
                    destination[at] = (byte)r;
                    destination[plane + at] = (byte)g;
                    destination[(2 * plane) + at] = (byte)b;
                }
            }
        }
    }

    /// <summary>
    /// The source rectangle read and the target rectangle drawn, in whole pixels: the whole image onto the whole target
    /// (stretch); the centred largest region of the target's aspect ratio onto the whole target (crop; an odd leftover
    /// pixel is cut on the right or bottom); the whole image onto the centred largest region of its own aspect ratio (pad).
    /// </summary>
    public static (SKRect From, SKRect To) Regions(int width, int height, in ImageTarget target)
    {
        var whole = SKRect.Create(width, height);
        var wholeTarget = SKRect.Create(target.Width, target.Height);
        switch (target.Resize)
        {
            case ResizeMode.CropToFit:
            {
                double scale = Math.Max(target.Width / (double)width, target.Height / (double)height);
                int cropWidth = Whole(target.Width / scale, width), cropHeight = Whole(target.Height / scale, height);
                return (SKRect.Create((width - cropWidth) / 2, (height - cropHeight) / 2, cropWidth, cropHeight), wholeTarget);
            }

            case ResizeMode.PadToFit:
            {
                double scale = Math.Min(target.Width / (double)width, target.Height / (double)height);
                int drawnWidth = Whole(width * scale, target.Width), drawnHeight = Whole(height * scale, target.Height);
                return (whole, SKRect.Create((target.Width - drawnWidth) / 2, (target.Height - drawnHeight) / 2, drawnWidth, drawnHeight));
            }

            default:
                return (whole, wholeTarget);
        }
    }

    /// <summary>
    /// A copy when the sizes match; bilinear between linearly blended mipmap levels when shrinking in either direction,
    /// so every source pixel counts; Mitchell–Netravali cubic (B = C = 1/3) when enlarging.
    /// </summary>
    public static SKSamplingOptions Sampling(SKRect from, SKRect to) =>
        from.Width == to.Width && from.Height == to.Height ? new SKSamplingOptions(SKFilterMode.Nearest)
        : to.Width < from.Width || to.Height < from.Height ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
        : new SKSamplingOptions(SKCubicResampler.Mitchell);

    private static int Whole(double size, int most) => Math.Clamp((int)Math.Round(size, MidpointRounding.AwayFromZero), 1, most);

    private static SKColor Colour(ImageBackground background) => background == ImageBackground.White ? SKColors.White : SKColors.Black;

    private static string? CheckHeader(SKCodec codec, in ImageTarget target)
    {
        var format = codec.EncodedFormat;
        if (format is not (SKEncodedImageFormat.Png or SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Bmp or SKEncodedImageFormat.Gif or SKEncodedImageFormat.Webp))
        {
            return $"it holds a {format} image; only {Formats} images are read";
        }

        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0)
        {
            return $"its header gives no size ({width}×{height})";
        }

        long pixels = (long)width * height;
        return pixels > target.MaxPixels
            ? string.Create(CultureInfo.InvariantCulture, $"it is {width}×{height} = {pixels:N0} pixels, more than ImageFolderOptions.MaxPixels ({target.MaxPixels:N0}); raise it to read this image")
            : null;
    }

    /// <summary>Whether the file ends as its format says a complete file ends; a truncated copy or download fails here, before training.</summary>
    private static string? CheckEnd(string path, SKEncodedImageFormat format, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        switch (format)
        {
            case SKEncodedImageFormat.Png:
                return length >= PngEnd.Length && Tail(stream, PngEnd.Length).AsSpan().SequenceEqual(PngEnd)
                    ? null : "it is truncated: a PNG ends with its IEND chunk, this file does not";
            case SKEncodedImageFormat.Gif:
                return Tail(stream, 1)[0] == 0x3B ? null : "it is truncated: a GIF ends with the trailer byte 3B, this file does not";
            case SKEncodedImageFormat.Jpeg:
            {
                var end = Tail(stream, (int)Math.Min(length, JpegTrailerSearch));
                return end.AsSpan().LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0
                    ? null : $"it is truncated: no JPEG end-of-image marker (FF D9) in its last {JpegTrailerSearch / 1024} KiB";
            }

            case SKEncodedImageFormat.Webp:
            {
                // RIFF: "RIFF", the size of what follows, then "WEBP"; SkiaSharp read the header, so the 12 bytes are there.
                var head = new byte[8];
                stream.ReadExactly(head);
                long declared = 8L + BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4));
                return length >= declared ? null : $"it is truncated: its RIFF header declares {declared:N0} bytes, the file has {length:N0}";
            }

            case SKEncodedImageFormat.Bmp:
            {
                var head = new byte[14];
                stream.ReadExactly(head);
                long declared = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(2));
                long pixelsAt = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(10));
                // Some writers leave the size 0; the pixel data's offset is always set.
                return pixelsAt >= length || (declared > 0 && declared > length)
                    ? $"it is truncated: its header declares {Math.Max(declared, pixelsAt + 1):N0} bytes or more, the file has {length:N0}" : null;
            }

            default:
                return null;
        }
    }

    private static byte[] Tail(FileStream stream, int count)
    {
        var bytes = new byte[count];
        stream.Seek(-count, SeekOrigin.End);
        stream.ReadExactly(bytes);
        return bytes;
    }
}
