using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AutoencoderDsl.Data;
using AutoencoderDsl.Images;
using SkiaSharp;

/// <summary>
/// Images per second read from an <see cref="ImageFolder"/> by decoding each time against reading its cache: 28×28 grey
/// PNGs and 64×64 colour JPEGs written into a temporary folder, read one thread and all cores, best of the rounds.
/// </summary>
internal static class ImageFolderBenchmark
{
    public static void Run(int count, int rounds)
    {
        string root = Path.Combine(Path.GetTempPath(), "autoencoderdsl-image-benchmark-" + Guid.NewGuid().ToString("N"));
        try
        {
            Console.WriteLine($"{count:N0} images per set, best of {rounds} rounds, {Environment.ProcessorCount} cores");
            Console.WriteLine("| set | write | Open (headers) | Open with Cache (decode + write) | decode, 1 thread | decode, all cores | cached, 1 thread | cached, all cores | cache file |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var (name, shape, extension) in new[] { ("28×28 grey PNG", new long[] { 1, 28, 28 }, "png"), ("64×64 colour JPEG", new long[] { 3, 64, 64 }, "jpg") })
            {
                string folder = Path.Combine(root, extension);
                double write = Seconds(() => Write(folder, count, (int)shape[0], (int)shape[1], extension));
                double open = Enumerable.Range(0, rounds).Min(_ => Seconds(() => ImageFolder.Open(folder, shape).Dispose()));
                var cacheOptions = new ImageFolderOptions { Cache = true, CacheFolder = Path.Combine(root, "cache") };
                double build = Seconds(() => ImageFolder.Open(folder, shape, cacheOptions).Dispose());
                using var decoded = ImageFolder.Open(folder, shape);
                using var cached = ImageFolder.Open(folder, shape, cacheOptions);
                Console.WriteLine(
                    $"| {name} | {write:F1} s | {open:F2} s ({count / open:N0}/s) | {build:F2} s ({count / build:N0}/s) "
                    + $"| {Rate(decoded, rounds, parallel: false):N0}/s | {Rate(decoded, rounds, parallel: true):N0}/s "
                    + $"| {Rate(cached, rounds, parallel: false):N0}/s | {Rate(cached, rounds, parallel: true):N0}/s | {new FileInfo(cached.CachePath!).Length / 1e6:F1} MB |");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Examples per second through <see cref="ImageFolder.GetTensor"/>, the tensors disposed as a trainer would.</summary>
    private static double Rate(ImageFolder images, int rounds, bool parallel)
    {
        void Read(long i)
        {
            foreach (var tensor in images.GetTensor(i).Values)
            {
                tensor.Dispose();
            }
        }

        double best = Enumerable.Range(0, rounds).Min(_ => Seconds(() =>
        {
            if (parallel)
            {
                Parallel.For(0L, images.Count, Read);
            }
            else
            {
                for (long i = 0; i < images.Count; i++)
                {
                    Read(i);
                }
            }
        }));
        return images.Count / best;
    }

    private static void Write(string folder, int count, int channels, int size, string extension)
    {
        Parallel.For(0, count, i =>
        {
            var random = new Random(i);
            string path = Path.Combine(folder, $"class{i % 10}", $"{i:D5}.{extension}");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var bitmap = channels == 1
                ? new SKBitmap(size, size, SKColorType.Gray8, SKAlphaType.Opaque)
                : new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque);
            using (var canvas = new SKCanvas(bitmap))
            using (var paint = new SKPaint { IsAntialias = true })
            {
                // A few random shapes, so the files compress as pictures do rather than as noise or flat colour.
                canvas.Clear(SKColors.Black);
                for (int shape = 0; shape < 4; shape++)
                {
                    paint.Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
                    canvas.DrawCircle(random.Next(size), random.Next(size), random.Next(2, size / 2), paint);
                }
            }

            using var data = bitmap.Encode(extension == "png" ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(path, data.ToArray());
        });
    }

    private static double Seconds(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
