using System;
using System.IO;
using AutoencoderDsl.Data;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Data;

public sealed class StandardizerTests
{
    [Fact]
    public void TransformedColumnsHaveMeanZeroAndScaleOneAndTheInverseUndoesIt()
    {
        using var scope = NewDisposeScope();
        var data = stack([arange(10, dtype: ScalarType.Float32) * 3 + 5, full(10, 2f), arange(10, dtype: ScalarType.Float32).square()], 1);

        using var standardizer = Standardizer.Fit(data);
        var transformed = standardizer.Transform(data);

        Assert.True(transformed.mean([0]).abs().max().item<float>() < 1e-5);
        Assert.Equal(1.0, transformed[.., 0].std().item<float>(), 5);
        Assert.Equal(1.0, standardizer.Scale[1].item<float>());
        Assert.True(standardizer.InverseTransform(transformed).allclose(data, rtol: 1e-5, atol: 1e-4));
    }

    [Fact]
    public void SavedAndLoadedItTransformsAlike()
    {
        using var folder = new TemporaryFolder();
        using var scope = NewDisposeScope();
        var data = randn(50, 4) * 3 + 1;
        using var standardizer = Standardizer.Fit(data);

        standardizer.Save(folder.File("scale.safetensors"));
        using var loaded = Standardizer.Load(folder.File("scale.safetensors"));

        Assert.True(loaded.Transform(data).equal(standardizer.Transform(data)).all().item<bool>());
    }

    [Fact]
    public void RowsOfAnotherWidthAndFilesOfAnotherKindAreRefused()
    {
        using var folder = new TemporaryFolder();
        using var scope = NewDisposeScope();
        using var standardizer = Standardizer.Fit(randn(10, 4));
        File.WriteAllBytes(folder.File("other.safetensors"), []);

        Assert.Contains("[N, 4]", Assert.Throws<ArgumentException>(() => standardizer.Transform(randn(3, 5))).Message);
        Assert.Throws<InvalidDataException>(() => Standardizer.Load(folder.File("other.safetensors")));
        Assert.Throws<FileNotFoundException>(() => Standardizer.Load(folder.File("missing.safetensors")));
    }
}
