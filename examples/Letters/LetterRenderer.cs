using System;
using System.IO;
using SkiaSharp;

namespace LettersExample;

/// <summary>
/// Renders one writer's capitals as 28 × 28 grey images, white ink on black as in MNIST, each with its own random
/// distortion: an affine one (rotation, scale, shear, translation, the width of the pen) and an elastic one (a smoothed
/// random displacement field, after Simard et al., 2003), so that one font gives many different hands.
/// </summary>
internal sealed class LetterRenderer : IDisposable
{
    /// <summary>The letters, in label order.</summary>
    public const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>The width and height of an image in pixels.</summary>
    public const int Size = 28;

    /// <summary>The side of the box the letter's larger dimension is fitted to before it is distorted, as MNIST fits its digits in 20 × 20.</summary>
    private const float Box = 20;

    private const float MaxRotationDegrees = 10;
    private const float MinScale = 0.8f, MaxScale = 1.1f;
    private const float MaxShear = 0.25f;
    private const float MaxShift = 2;
    private const float MaxExtraPen = 1.2f;

    /// <summary>The smoothness (in pixels) and strength of the elastic field; 4 and 24 move a pixel by 1.0 pixel (standard deviation) each way, bending strokes without breaking letters.</summary>
    private const float ElasticSigma = 4, ElasticAlpha = 24;

    private static readonly float[] Kernel = GaussianKernel(ElasticSigma);

    private readonly SKTypeface typeface;
    private readonly SKPath[] outlines;

    private LetterRenderer(SKTypeface typeface, SKPath[] outlines)
    {
        this.typeface = typeface;
        this.outlines = outlines;
    }

    /// <summary>Opens <paramref name="writer"/>'s font file; null, with the reason in <paramref name="problem"/>, when it cannot write every capital.</summary>
    public static LetterRenderer? Open(Writer writer, out string? problem)
    {
        var typeface = SKTypeface.FromFile(writer.Path);
        if (typeface is null)
        {
            problem = $"{writer.Path} is not a font SkiaSharp can read";
            return null;
        }

        using var font = new SKFont(typeface, 100);
        var outlines = new SKPath[Letters.Length];
        for (int letter = 0; letter < Letters.Length; letter++)
        {
            ushort glyph = font.GetGlyph(Letters[letter]);
            var outline = glyph == 0 ? null : font.GetGlyphPath(glyph);
            if (outline is null || outline.TightBounds.IsEmpty)
            {
                outline?.Dispose();
                foreach (var opened in outlines.AsSpan(0, letter))
                {
                    opened.Dispose();
                }

                typeface.Dispose();
                problem = $"{writer.Path} has no glyph for {Letters[letter]}";
                return null;
            }

            outlines[letter] = outline;
        }

        problem = null;
        return new LetterRenderer(typeface, outlines);
    }

    /// <summary>Renders <paramref name="letter"/> (an index into <see cref="Letters"/>) with a distortion drawn from <paramref name="random"/>: <see cref="Size"/>² grey values, row by row.</summary>
    public byte[] Render(int letter, Random random)
    {
        var outline = outlines[letter];
        var bounds = outline.TightBounds;
        float fit = Box / Math.Max(bounds.Width, bounds.Height);
        float scale = Uniform(random, MinScale, MaxScale);
        float aspect = Uniform(random, 0.9f, 1.1f);
        var placement = SKMatrix.CreateTranslation(-bounds.MidX, -bounds.MidY)
            .PostConcat(SKMatrix.CreateScale(fit * scale * aspect, fit * scale / aspect))
            .PostConcat(SKMatrix.CreateSkew(Uniform(random, -MaxShear, MaxShear), 0))
            .PostConcat(SKMatrix.CreateRotationDegrees(Uniform(random, -MaxRotationDegrees, MaxRotationDegrees)))
            .PostConcat(SKMatrix.CreateTranslation((Size / 2f) + Uniform(random, -MaxShift, MaxShift), (Size / 2f) + Uniform(random, -MaxShift, MaxShift)));

        using var bitmap = new SKBitmap(new SKImageInfo(Size, Size, SKColorType.Gray8, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        using (var ink = new SKPaint { Color = SKColors.White, IsAntialias = true, Style = SKPaintStyle.StrokeAndFill })
        {
            canvas.Clear(SKColors.Black);
            canvas.SetMatrix(placement);

            // The stroke is in the outline's units, which the matrix scales by about fit · scale.
            ink.StrokeWidth = Uniform(random, 0, MaxExtraPen) / (fit * scale);
            canvas.DrawPath(outline, ink);
        }

        return Elastic(bitmap.GetPixelSpan().ToArray(), random);
    }

    /// <summary>Writes <paramref name="pixels"/> (as <see cref="Render"/> returns them) to <paramref name="path"/> as a grey PNG.</summary>
    public static void WritePng(byte[] pixels, string path)
    {
        var info = new SKImageInfo(Size, Size, SKColorType.Gray8, SKAlphaType.Opaque);
        using var image = SKImage.FromPixelCopy(info, pixels);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    /// <summary>Releases the font and its outlines.</summary>
    public void Dispose()
    {
        foreach (var outline in outlines)
        {
            outline.Dispose();
        }

        typeface.Dispose();
    }

    /// <summary>Moves every pixel by a random displacement field: uniform noise smoothed by a Gaussian, times the strength; sampled bilinearly.</summary>
    private static byte[] Elastic(byte[] pixels, Random random)
    {
        var dx = DisplacementField(random);
        var dy = DisplacementField(random);
        var moved = new byte[pixels.Length];
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                int at = (y * Size) + x;
                float sourceX = x + dx[at], sourceY = y + dy[at];
                int left = (int)MathF.Floor(sourceX), top = (int)MathF.Floor(sourceY);
                float right = sourceX - left, down = sourceY - top;
                float value = ((1 - right) * (1 - down) * Pixel(pixels, left, top))
                    + (right * (1 - down) * Pixel(pixels, left + 1, top))
                    + ((1 - right) * down * Pixel(pixels, left, top + 1))
                    + (right * down * Pixel(pixels, left + 1, top + 1));
                moved[at] = (byte)Math.Clamp(MathF.Round(value), 0, 255);
            }
        }

        return moved;
    }

    private static float Pixel(byte[] pixels, int x, int y) => x is < 0 or >= Size || y is < 0 or >= Size ? 0 : pixels[(y * Size) + x];

    /// <summary>One component of the field, <see cref="Size"/>²: noise on a margin wide enough that the smoothing needs no padding at the edges.</summary>
    private static float[] DisplacementField(Random random)
    {
        int radius = Kernel.Length / 2, wide = Size + (2 * radius);
        var noise = new float[wide * wide];
        for (int i = 0; i < noise.Length; i++)
        {
            noise[i] = Uniform(random, -1, 1);
        }

        // Separable smoothing: along rows (keeping every row of the margin), then along columns.
        var rows = new float[wide * Size];
        for (int y = 0; y < wide; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                float sum = 0;
                for (int k = 0; k < Kernel.Length; k++)
                {
                    sum += Kernel[k] * noise[(y * wide) + x + k];
                }

                rows[(y * Size) + x] = sum;
            }
        }

        var field = new float[Size * Size];
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                float sum = 0;
                for (int k = 0; k < Kernel.Length; k++)
                {
                    sum += Kernel[k] * rows[((y + k) * Size) + x];
                }

                field[(y * Size) + x] = ElasticAlpha * sum;
            }
        }

        return field;
    }

    /// <summary>A normalised Gaussian, cut at two standard deviations (what lies beyond moves the field by less than a twentieth).</summary>
    private static float[] GaussianKernel(float sigma)
    {
        int radius = (int)MathF.Ceiling(2 * sigma);
        var kernel = new float[(2 * radius) + 1];
        float total = 0;
        for (int i = 0; i < kernel.Length; i++)
        {
            kernel[i] = MathF.Exp(-((i - radius) * (i - radius)) / (2 * sigma * sigma));
            total += kernel[i];
        }

        for (int i = 0; i < kernel.Length; i++)
        {
            kernel[i] /= total;
        }

        return kernel;
    }

    private static float Uniform(Random random, float low, float high) => low + ((high - low) * random.NextSingle());
}
