using System;
using System.IO;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Data;

/// <summary>A <c>.npy</c> file opened memory-mapped as a data set.</summary>
public sealed class NpyDatasetTests
{
    [Fact]
    public void AMemoryMappedFileOfBytesTrainsLikeTheSameValuesInOneTensor()
    {
        using var folder = new TemporaryFolder();
        using var generator = new Generator(3, CPU);
        using var pixels = randint(0, 256, [120, 1, 12, 12], dtype: ScalarType.Byte, generator: generator);
        using var labels = arange(120, dtype: int64).remainder(3);
        NpyFile.Write(pixels, folder.File("x.npy"));
        NpyFile.Write(labels.to(int32), folder.File("y.npy"));

        using var dataset = NpyFile.Open(folder.File("x.npy"), folder.File("y.npy"), scale: 1.0 / 255);
        Assert.Equal(120, dataset.Count);
        Assert.Contains("x.npy, row 7", dataset.Origin(7));
        var entries = dataset.GetTensor(7);
        Assert.Equal(ScalarType.Float32, entries[DataKeys.Data].dtype);
        Assert.Equal(1L, entries[DataKeys.Label].item<long>());

        using var images = pixels.to(float32).mul_(1.0 / 255);
        var options = new FitOptions { Epochs = 2, BatchSize = 32, Seed = 2 };
        using var fromTensor = new StreamedCvae(seed: 4);
        using var fromFile = new StreamedCvae(seed: 4);
        var expected = fromTensor.Fit(images, labels, options).Epochs.Select(epoch => epoch.Train.Total).ToArray();
        var actual = fromFile.Fit(dataset, options).Epochs.Select(epoch => epoch.Train.Total).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void AFileThatIsNotANpyArrayOfExamplesOrLabelsThatDoNotFitAreRefusedWhenOpened()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(folder.File("text.npy"), "not numpy at all, just text");
        var notNpy = Assert.Throws<InvalidDataException>(() => NpyFile.Open(folder.File("text.npy")));
        Assert.Contains("magic string", notNpy.Message);

        using var values = zeros(10, 4);
        NpyFile.Write(values, folder.File("x.npy"));
        var bytes = File.ReadAllBytes(folder.File("x.npy"));
        File.WriteAllBytes(folder.File("short.npy"), bytes[..^8]);
        var truncated = Assert.Throws<InvalidDataException>(() => NpyFile.Open(folder.File("short.npy")));
        Assert.Contains("needs more than the 152 bytes of data it holds", truncated.Message);

        using var fewLabels = zeros(9, dtype: int64);
        NpyFile.Write(fewLabels, folder.File("y.npy"));
        var mismatch = Assert.Throws<InvalidDataException>(() => NpyFile.Open(folder.File("x.npy"), folder.File("y.npy")));
        Assert.Contains("must hold 10 integers", mismatch.Message);

        Assert.Throws<FileNotFoundException>(() => NpyFile.Open(folder.File("missing.npy")));
    }
}
