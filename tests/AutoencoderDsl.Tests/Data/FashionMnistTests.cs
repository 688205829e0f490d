using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using AutoencoderDsl.Data;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Data;

public sealed class FashionMnistTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] StandardNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Load_ReadsTheInstalledDataSet()
    {
        if (!FashionMnist.IsAvailable())
        {
            output.WriteLine($"Skipped: Fashion-MNIST is not installed in {FashionMnist.DefaultFolder} (apt-get install dataset-fashion-mnist).");
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        var (train, test) = FashionMnist.Load();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Loaded Fashion-MNIST in {stopwatch.Elapsed.TotalSeconds:F2} s."));
        using (train)
        using (test)
        using (NewDisposeScope())
        {
            Assert.Equal(60000, train.Count);
            Assert.Equal(10000, test.Count);
            Assert.Equal([60000L, 1, 28, 28], train.Images.shape);
            Assert.Equal([10000L, 1, 28, 28], test.Images.shape);
            Assert.Equal(FashionMnist.ClassNames, train.ClassNames);
            Assert.Equal("Ankle boot", train.ClassNames[9]);
            foreach (var split in new[] { train, test })
            {
                Assert.Equal(ScalarType.Float32, split.Images.dtype);
                Assert.Equal(0f, split.Images.min().item<float>());
                Assert.Equal(1f, split.Images.max().item<float>());
                Assert.Equal(ScalarType.Int64, split.Labels.dtype);
                // Both splits are balanced: 6,000 and 1,000 examples of each class.
                long perClass = split.Count / 10;
                Assert.Equal(Enumerable.Repeat(perClass, 10), split.Labels.bincount(null, 10).data<long>().ToArray());
            }
        }
    }

    [Fact]
    public void IsAvailable_IsFalseWhenAFileIsMissing()
    {
        WriteFakeDataSet(folder.Path, trainCount: 3, testCount: 2);
        Assert.True(FashionMnist.IsAvailable(folder.Path));

        File.Delete(folder.File("t10k-labels-idx1-ubyte"));

        Assert.False(FashionMnist.IsAvailable(folder.Path));
    }

    [Fact]
    public void Load_NamesTheFolderAndEveryMissingFile()
    {
        WriteFakeDataSet(folder.Path, trainCount: 3, testCount: 2);
        File.Delete(folder.File("train-images-idx3-ubyte.gz"));
        File.Delete(folder.File("t10k-labels-idx1-ubyte"));

        var error = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(folder.Path));

        Assert.StartsWith(
            $"Fashion-MNIST is incomplete in '{folder.Path}': missing train-images-idx3-ubyte, t10k-labels-idx1-ubyte (with or without .gz).",
            error.Message);
        Assert.Equal(folder.File("train-images-idx3-ubyte"), error.FileName);
    }

    [Fact]
    public void Load_AcceptsCompressedAndRawFiles()
    {
        WriteFakeDataSet(folder.Path, trainCount: 3, testCount: 2);

        var (train, test) = FashionMnist.Load(folder.Path);
        using (train)
        using (test)
        {
            Assert.Equal([3L, 1, 28, 28], train.Images.shape);
            Assert.Equal([2L, 1, 28, 28], test.Images.shape);
            Assert.Equal([0L, 9, 4], train.Labels.data<long>().ToArray());
        }
    }

    [Fact]
    public void Load_NamesBothFilesWhenCountsDisagree()
    {
        WriteFakeDataSet(folder.Path, trainCount: 3, testCount: 2);
        IdxWriter.Write(folder.File("t10k-labels-idx1-ubyte"), [5], new byte[5]);

        var error = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(folder.Path));

        Assert.Equal(
            $"'{folder.File("t10k-images-idx3-ubyte.gz")}' holds 2 images but '{folder.File("t10k-labels-idx1-ubyte")}' holds 5 labels; the two files must belong together.",
            error.Message);
    }

    /// <summary>Writes a tiny data set in the standard layout: images compressed, labels raw, to cover both name forms.</summary>
    private static void WriteFakeDataSet(string folder, int trainCount, int testCount)
    {
        byte[] labels = [0, 9, 4];
        IdxWriter.Write(Path.Combine(folder, StandardNames[0] + ".gz"), [trainCount, 28, 28], IdxWriter.Counting(trainCount * 784), gzip: true);
        IdxWriter.Write(Path.Combine(folder, StandardNames[1]), [trainCount], labels[..trainCount]);
        IdxWriter.Write(Path.Combine(folder, StandardNames[2] + ".gz"), [testCount, 28, 28], IdxWriter.Counting(testCount * 784), gzip: true);
        IdxWriter.Write(Path.Combine(folder, StandardNames[3]), [testCount], labels[..testCount]);
    }
}
