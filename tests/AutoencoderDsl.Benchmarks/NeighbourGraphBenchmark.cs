using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using AutoencoderDsl;
using AutoencoderDsl.Data;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Parts;
using static TorchSharp.torch;

/// <summary>
/// What the exact neighbour measures cost on Fashion-MNIST: the k = 15 graph of the 60,000 training images (784
/// values each), and the trustworthiness at k = 5 and 10 of the 10,000 test images' 2-D PCA coordinates (PCA fitted on
/// the training images). For each, the wall time and the peak resident memory above what the process held before it.
/// </summary>
internal static class NeighbourGraphBenchmark
{
    public static int Run()
    {
        if (!FashionMnist.IsAvailable())
        {
            Console.Error.WriteLine("knn-graph measures Fashion-MNIST's 60,000 × 784 training images, which are not installed; apt-get install dataset-fashion-mnist.");
            return 2;
        }

        using var scope = NewDisposeScope();
        var (train, test) = FashionMnist.Load();
        using (train)
        using (test)
        {
            Console.WriteLine($"threads: {get_num_threads()}; default block budget {NeighbourGraph.DefaultChunkBytes >> 20} MiB");
            Console.WriteLine("| work | data | time | peak memory above the start |");
            Console.WriteLine("|---|---|---|---|");

            var (graph, graphSeconds, graphPeak) = Measure(() => NeighbourGraph.Build(train.Images, neighbours: 15));
            using (graph)
            {
                Console.WriteLine($"| exact k = 15 graph | {Shapes.Format(train.Images.flatten(1).shape)} float32 | {graphSeconds:F1} s | {graphPeak:F0} MiB |");
                Console.WriteLine($"  mean distance to the 1st and 15th neighbour: {graph.Distances.select(1, 0).mean().item<float>():F3}, {graph.Distances.select(1, 14).mean().item<float>():F3}");
            }

            // What the neighbourhood part builds at the start of Fit: the same exact graph, then UMAP's weights, symmetrised.
            var (fuzzy, fuzzySeconds, fuzzyPeak) = Measure(() => NeighbourhoodGraph.Build(train.Images, neighbours: 15));
            using (fuzzy)
            {
                Console.WriteLine($"| the neighbourhood part's fuzzy graph, k = 15 | {Shapes.Format(train.Images.flatten(1).shape)} float32 | {fuzzySeconds:F1} s | {fuzzyPeak:F0} MiB |");
                using var degrees = fuzzy.RowStarts[1..] - fuzzy.RowStarts[..^1];
                Console.WriteLine($"  edges after symmetrising: {fuzzy.Columns.shape[0]:N0}, {degrees.to(ScalarType.Float64).mean().item<double>():F1} per example on average and {degrees.max().item<long>()} at most");
            }

            using var pca = Pca.Fit(train.Images, 2);
            using var coordinates = pca.Project(test.Images);
            var (trust, trustSeconds, trustPeak) = Measure(() => NearestNeighbours.Trustworthiness(test.Images, [coordinates], [5, 10], NeighbourGraph.DefaultChunkBytes)[0]);
            Console.WriteLine($"| trustworthiness k = 5 and 10 of 2-D PCA | {Shapes.Format(test.Images.flatten(1).shape)} float32, ranked in float64 | {trustSeconds:F1} s | {trustPeak:F0} MiB |");
            Console.WriteLine($"  T(5) = {trust[0]:F4}, T(10) = {trust[1]:F4}");
        }

        return 0;
    }

    /// <summary>Runs <paramref name="work"/> once: its result, seconds, and the peak resident MiB above the resident set before it.</summary>
    private static (T Result, double Seconds, double PeakMiB) Measure<T>(Func<T> work)
    {
        GC.Collect();
        // Writing 5 to clear_refs resets the kernel's high-water mark of the resident set (VmHWM) to the current one.
        File.WriteAllText("/proc/self/clear_refs", "5");
        double before = Status("VmRSS");
        var clock = Stopwatch.StartNew();
        var result = work();
        double seconds = clock.Elapsed.TotalSeconds;
        return (result, seconds, Status("VmHWM") - before);
    }

    /// <summary>A memory figure of /proc/self/status, in MiB.</summary>
    private static double Status(string key) =>
        File.ReadLines("/proc/self/status").Where(line => line.StartsWith(key + ":", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024).First();
}
