using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// The resident memory over one epoch of a data set far larger than what <c>Fit</c> holds: a million generated examples
/// of 784 values (3.1 GB as one float32 tensor), each made when it is asked for, trained by the 784-400-20 VAE. The
/// memory is read from <c>/proc/self/status</c> every 10,000 examples.
/// </summary>
internal static class StreamingBenchmark
{
    /// <param name="count">How many examples.</param>
    /// <param name="npyPath">
    /// Null to make each example as it is asked for; otherwise a <c>.npy</c> file of the same examples, written first
    /// (a chunk at a time) unless it exists, then trained from memory-mapped through <see cref="NpyFile.Open"/>.
    /// </param>
    public static int Run(long count, string? npyPath)
    {
        using var generated = new GeneratedImages(count);
        if (npyPath is not null && !File.Exists(npyPath))
        {
            var writing = Stopwatch.StartNew();
            WriteNpy(generated, npyPath);
            Console.WriteLine($"Wrote {npyPath} ({new FileInfo(npyPath).Length / 1e9:F2} GB) in {writing.Elapsed.TotalSeconds:F0} s.");
        }

        using var data = npyPath is null ? (torch.utils.data.Dataset)generated : NpyFile.Open(npyPath);
        using var vae = new MlpVae(seed: 1);
        var samples = new List<(long Seen, double Resident, double Anonymous)>();
        long nextSample = 0;
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"{count:N0} {(npyPath is null ? "generated examples" : "examples memory-mapped from " + npyPath)} of 784 values ({count * 784 * 4 / 1e9:F1} GB as one float32 tensor); one epoch{(npyPath is null ? "" : " in the file's order")}, batch 128, {FitOptions.DefaultDataWorkers} data workers; memory limit {Limit()}.");
        var (before, beforeAnonymous) = Memory();
        // A file larger than the memory allowed is read in its own order: a shuffled epoch would read the disk at random (a few
        // hundred pages a second on the test machine's virtual disk), which the page cache cannot help once the file outgrows it.
        vae.Fit(data, new FitOptions { Epochs = 1, Seed = 1, Shuffle = npyPath is null }, progress: new SynchronousProgress<TrainingProgress>(report =>
        {
            long seen = Math.Min(count, (long)report.Batch * 128);
            if (report.Kind == TrainingProgressKind.Batch && seen >= nextSample)
            {
                var (resident, anonymous) = Memory();
                samples.Add((seen, resident, anonymous));
                nextSample += 10_000;
                if (samples.Count % 10 == 1)
                {
                    Console.WriteLine($"  after {seen,9:N0} examples: resident {resident,6:F0} MiB, anonymous {anonymous,6:F0} MiB ({clock.Elapsed.TotalSeconds:F0} s)");
                }
            }
        }));
        var after = samples.Where(sample => sample.Seen >= 10_000).ToList();
        Console.WriteLine($"Before Fit: resident {before:F0} MiB (anonymous {beforeAnonymous:F0} MiB); at the end: resident {samples[^1].Resident:F0} MiB, anonymous {samples[^1].Anonymous:F0} MiB.");

        double first = after[0].Resident, highest = after.Max(sample => sample.Resident), lowest = after.Min(sample => sample.Resident);
        Console.WriteLine($"After the first 10,000 examples: resident from {lowest:F0} to {highest:F0} MiB, the highest {100 * (highest / first - 1):F1} % above the value at 10,000 ({first:F0} MiB); one epoch in {clock.Elapsed.TotalSeconds:F0} s.");
        return 0;
    }

    /// <summary>The memory limit of the process's control group (cgroup v1 or v2), or "none".</summary>
    private static string Limit()
    {
        foreach (var line in File.ReadLines("/proc/self/cgroup"))
        {
            var parts = line.Split(':', 3);
            var file = parts[1] == "memory" ? $"/sys/fs/cgroup/memory{parts[2]}/memory.limit_in_bytes" : parts[1] == "" ? $"/sys/fs/cgroup{parts[2]}/memory.max" : null;
            if (file is not null && File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), out long bytes) && bytes < (1L << 50))
            {
                return $"{bytes / 1048576.0:F0} MiB";
            }
        }

        return "none";
    }

    /// <summary>The examples as one float32 .npy file, written ten thousand at a time.</summary>
    private static void WriteNpy(GeneratedImages data, string path)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({data.Count}, 1, 28, 28), }}";
        header = header.PadRight(header.Length + ((64 - ((10 + header.Length + 1) % 64)) % 64)) + "\n";
        using var file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xFF), (byte)(header.Length >> 8)]);
        file.Write(System.Text.Encoding.ASCII.GetBytes(header));
        for (long start = 0; start < data.Count; start += 10_000)
        {
            using var scope = NewDisposeScope();
            var chunk = stack(Enumerable.Range(0, (int)Math.Min(10_000, data.Count - start)).Select(i => data.GetTensor(start + i)[DataKeys.Data]).ToArray());
            file.Write(chunk.bytes);
        }
    }

    /// <summary>The resident set and its anonymous part (the heap, not mapped files), in MiB.</summary>
    private static (double Resident, double Anonymous) Memory()
    {
        double Read(string key) =>
            File.ReadLines("/proc/self/status").Where(line => line.StartsWith(key + ":", StringComparison.Ordinal))
                .Select(line => double.Parse(line[(key.Length + 1)..].Trim().Split(' ')[0]) / 1024).FirstOrDefault();
        return (Read("VmRSS"), Read("RssAnon"));
    }

    /// <summary>Blurred noise images made from their index, so any example can be made on any thread at any time.</summary>
    private sealed class GeneratedImages(long count) : torch.utils.data.Dataset
    {
        public override long Count => count;

        public override Dictionary<string, Tensor> GetTensor(long index)
        {
            using var generator = new Generator(unchecked((ulong)index + 1), CPU);
            using var scope = NewDisposeScope();
            var image = rand([1, 28, 28], generator: generator).pow(3);
            return new() { [DataKeys.Data] = image.MoveToOuterDisposeScope() };
        }
    }
}
