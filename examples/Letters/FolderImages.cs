using System;
using System.IO;
using System.Linq;
using AutoencoderDsl.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace LettersExample;

/// <summary>Reads an image folder with one subfolder per class into tensors, the classes in ordinal order of their names.</summary>
internal static class FolderImages
{
    /// <summary>Every PNG of <paramref name="folder"/>'s subfolders as grey <c>float32 [N, 1, 28, 28]</c> in [0, 1], with its subfolder's index as label.</summary>
    /// <exception cref="InvalidDataException">A file is not a PNG of 28 × 28 pixels.</exception>
    public static LabelledImages Read(string folder)
    {
        var classes = Directory.GetDirectories(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        var files = classes
            .SelectMany((name, label) => Directory.GetFiles(Path.Combine(folder, name!), "*.png").Order(StringComparer.Ordinal).Select(file => (file, label)))
            .ToArray();
        var images = ReadFiles(files.Select(f => f.file).ToArray());
        var labels = tensor(files.Select(f => (long)f.label).ToArray());
        return new LabelledImages(images, labels, classes!);
    }

    /// <summary>The PNGs <paramref name="files"/> as grey <c>float32 [N, 1, 28, 28]</c> in [0, 1].</summary>
    /// <exception cref="InvalidDataException">A file is not a PNG of 28 × 28 pixels.</exception>
    public static Tensor ReadFiles(string[] files)
    {
        int pixels = LetterRenderer.Size * LetterRenderer.Size;
        var values = new float[files.Length * pixels];
        var info = new SKImageInfo(LetterRenderer.Size, LetterRenderer.Size, SKColorType.Gray8, SKAlphaType.Opaque);
        for (int n = 0; n < files.Length; n++)
        {
            using var codec = SKCodec.Create(files[n]);
            if (codec is null || codec.Info.Width != LetterRenderer.Size || codec.Info.Height != LetterRenderer.Size)
            {
                throw new InvalidDataException($"Expected a {LetterRenderer.Size} × {LetterRenderer.Size} PNG but '{files[n]}' is {(codec is null ? "not an image SkiaSharp can read" : $"{codec.Info.Width} × {codec.Info.Height}")}.");
            }

            using var bitmap = SKBitmap.Decode(codec, info);
            var grey = bitmap.GetPixelSpan();
            for (int i = 0; i < pixels; i++)
            {
                values[(n * pixels) + i] = grey[i] / 255f;
            }
        }

        return tensor(values, [files.Length, 1, LetterRenderer.Size, LetterRenderer.Size]);
    }
}
