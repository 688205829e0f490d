using AutoencoderDsl.Data;

namespace AutoencoderDsl.Tests.Data;

/// <summary>Labelled images for tests that train.</summary>
internal static class TestData
{
    /// <summary>The first images of a Fashion-MNIST split when Debian's dataset-fashion-mnist is installed (CI installs it); the project's own data otherwise.</summary>
    public static LabelledImages RealOrBuiltIn(bool training, int count)
    {
        if (!FashionMnist.IsAvailable())
        {
            return SyntheticShapes.Generate(count, seed: training ? 7 : 8);
        }

        var (train, test) = FashionMnist.Load();
        using (train)
        using (test)
        {
            return (training ? train : test).Take(count);
        }
    }
}
