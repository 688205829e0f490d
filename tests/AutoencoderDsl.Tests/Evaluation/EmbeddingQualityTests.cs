using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Tests.Infrastructure;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Evaluation;

/// <summary>Trustworthiness, by hand and against scikit-learn, and the figures <c>MeasureEmbedding</c> gathers.</summary>
public sealed class EmbeddingQualityTests(ITestOutputHelper output)
{
    [Fact]
    public void TrustworthinessIsWhatAHandCountGives()
    {
        // Six points at 0, 1, …, 5 on a line, embedded at 0, 2, 1, 5, 3, 4 (points 1 and 2 swap places; 3 moves to
        // the end). With k = 2 the embedding's neighbours U(i) and their input ranks r(i, j), equal input distances
        // ranked by lower index:
        //   i = 0: U = {2, 1}; r = 2, 1                                            → excess 0
        //   i = 1: U = {2, 4}; input order 0, 2, 3, 4, 5: r = 2, 4                  → 2
        //   i = 2: U = {0, 1}; input order 1, 3 (both at 1), 0, 4 (both at 2), 5: r = 3, 1 → 1
        //   i = 3: U = {5, 4}; input order 2, 4, 1, 5, 0: r = 4, 2                  → 2
        //   i = 4: U = {1, 5}; input order 3, 5, 2, 1, 0: r = 4, 2                  → 2
        //   i = 5: U = {4, 3}; r = 1, 2                                            → 0
        // Σ max(0, r − k) = 7, and T = 1 − 2 / (n·k·(2n − 3k − 1)) · 7 = 1 − 2 · 7 / (6 · 2 · 5) = 46 / 60. Ranking
        // input ties the other way round would give r(2, 0) = 4 and 44 / 60.
        using var input = arange(6, dtype: ScalarType.Float32).unsqueeze(1);
        using var embedding = tensor(new float[] { 0, 2, 1, 5, 3, 4 }).unsqueeze(1);

        Assert.Equal(46.0 / 60, NearestNeighbours.Trustworthiness(input, embedding, neighbours: 2), 14);
        Assert.Equal(1.0, NearestNeighbours.Trustworthiness(input, input, neighbours: 2), 14);
    }

    [Fact]
    public void TrustworthinessAgreesWithScikitLearn()
    {
        if (!DebianPython.Available(output, "sklearn.manifold"))
        {
            return;
        }

        // Float32 like images and codes: scikit-learn receives the same values exactly, as float64.
        using var generator = new Generator(21);
        using var scope = NewDisposeScope();
        var input = randn([300, 20], generator: generator);
        var embedding = input.narrow(1, 0, 2) + (0.7f * randn([300, 2], generator: generator));
        string folder = Directory.CreateTempSubdirectory("adsl-trust").FullName;
        try
        {
            string inputFile = Path.Combine(folder, "input.csv"), embeddingFile = Path.Combine(folder, "embedding.csv");
            WriteCsv(input, inputFile);
            WriteCsv(embedding, embeddingFile);
            const string Script = "import sys, numpy as np\n"
                + "from sklearn.manifold import trustworthiness\n"
                + "x = np.loadtxt(sys.argv[1], delimiter=','); e = np.loadtxt(sys.argv[2], delimiter=',')\n"
                + "print(' '.join(repr(float(trustworthiness(x, e, n_neighbors=k))) for k in (5, 10)))\n";
            var expected = ChildProcess.Run(DebianPython.Interpreter, ["-c", Script, inputFile, embeddingFile], folder: null, TimeSpan.FromMinutes(2))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(value => double.Parse(value, CultureInfo.InvariantCulture)).ToArray();

            output.WriteLine($"scikit-learn: {expected[0]:R}, {expected[1]:R}");
            Assert.InRange(expected[0], 0.5, 0.99);
            Assert.Equal(expected[0], NearestNeighbours.Trustworthiness(input, embedding, neighbours: 5), 12);
            Assert.Equal(expected[1], NearestNeighbours.Trustworthiness(input, embedding, neighbours: 10), 12);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TrustworthinessInBlocksIsALoopOverEveryPairWithTiesByLowerIndex()
    {
        // Coordinates from {0, 1, 2} tie almost every distance, in the input and in the embedding alike.
        using var generator = new Generator(22);
        using var scope = NewDisposeScope();
        var input = randint(0, 3, [80, 4], generator: generator).to(ScalarType.Float32);
        var embedding = input.narrow(1, 0, 2) + randint(0, 2, [80, 2], generator: generator);
        var other = input.narrow(1, 1, 2);

        var whole = NearestNeighbours.Trustworthiness(input, [embedding, other], [5, 10], NeighbourGraph.DefaultChunkBytes);
        var rowByRow = NearestNeighbours.Trustworthiness(input, [embedding, other], [5, 10], chunkBytes: 1);

        double[][] expected = [[ByLoop(input, embedding, 5), ByLoop(input, embedding, 10)], [ByLoop(input, other, 5), ByLoop(input, other, 10)]];
        Assert.Equal(expected, whole);
        Assert.Equal(expected, rowByRow);
        Assert.Equal(expected[0][1], NearestNeighbours.Trustworthiness(input, embedding, neighbours: 10));
    }

    [Fact]
    public void TrustworthinessRefusesTooFewExamplesOrMismatchedRows()
    {
        using var scope = NewDisposeScope();
        var input = rand(20, 4);
        Assert.Contains("needs more than 20 examples", Assert.Throws<ArgumentException>(() => NearestNeighbours.Trustworthiness(input, input.narrow(1, 0, 2), neighbours: 10)).Message);
        Assert.Contains("[20, d]", Assert.Throws<ArgumentException>(() => NearestNeighbours.Trustworthiness(input, rand(19, 2), neighbours: 2)).Message);
    }

    [Fact]
    public void CompareGathersEachFigureForTheCodesAndForPca()
    {
        using var generator = new Generator(23);
        using var scope = NewDisposeScope();
        var data = randn([120, 6], generator: generator);
        var labels = data.narrow(1, 0, 1).squeeze(1).gt(0).to(ScalarType.Int64) + data.narrow(1, 3, 1).squeeze(1).gt(0.5).to(ScalarType.Int64);
        var (train, trainLabels, test, testLabels) = (data[..80], labels[..80], data[80..], labels[80..]);
        static Tensor Embed(Tensor x) => x.narrow(1, 0, 2) * 2;

        var quality = NearestNeighbours.Compare(Embed, train, trainLabels, test, testLabels, neighbours: 3);

        using var pca = Pca.Fit(train, 2);
        var (trainPca, testPca) = (pca.Project(train), pca.Project(test));
        var expected = new EmbeddingQuality(
            new EmbeddingScores(
                NearestNeighbours.Accuracy(Embed(train), trainLabels, Embed(test), testLabels, neighbours: 3),
                NearestNeighbours.Accuracy(Embed(train), trainLabels, Embed(test), testLabels, neighbours: 1),
                NearestNeighbours.Accuracy(Embed(train), trainLabels, Embed(test), testLabels, neighbours: 5),
                NearestNeighbours.Trustworthiness(test, Embed(test), neighbours: 5),
                NearestNeighbours.Trustworthiness(test, Embed(test), neighbours: 10)),
            new EmbeddingScores(
                NearestNeighbours.Accuracy(trainPca, trainLabels, testPca, testLabels, neighbours: 3),
                NearestNeighbours.Accuracy(trainPca, trainLabels, testPca, testLabels, neighbours: 1),
                NearestNeighbours.Accuracy(trainPca, trainLabels, testPca, testLabels, neighbours: 5),
                NearestNeighbours.Trustworthiness(test, testPca, neighbours: 5),
                NearestNeighbours.Trustworthiness(test, testPca, neighbours: 10)),
            Dimensions: 2,
            Neighbours: 3);
        Assert.Equal(expected, quality);
        Assert.Equal(quality.Code.Accuracy, quality.Accuracy);
        Assert.Equal(quality.Pca.Accuracy, quality.PcaAccuracy);
        Assert.NotEqual(quality.Code.Trustworthiness5, quality.Pca.Trustworthiness5);

        // A small held-out set keeps its accuracies; a trustworthiness its k leaves undefined (k < n / 2) is null.
        var small = NearestNeighbours.Compare(Embed, train, trainLabels, test[..20], testLabels[..20]);
        Assert.NotNull(small.Code.Trustworthiness5);
        Assert.Null(small.Code.Trustworthiness10);
        Assert.Null(small.Pca.Trustworthiness10);
        Assert.InRange(small.Accuracy, 0, 1);
        var tiny = NearestNeighbours.Compare(Embed, train, trainLabels, test[..10], testLabels[..10]);
        Assert.Equal((null, null), (tiny.Code.Trustworthiness5, tiny.Code.Trustworthiness10));
    }

    /// <summary>The definition of trustworthiness as loops over every pair, ordering both spaces by (distance, index).</summary>
    private static double ByLoop(Tensor input, Tensor embedding, int k)
    {
        int n = (int)input.shape[0];
        double[][] Rows(Tensor x) => x.to(ScalarType.Float64).data<double>().ToArray().Chunk((int)x.shape[1]).ToArray();
        int[] Order(double[][] rows, int i) => Enumerable.Range(0, n).Where(j => j != i)
            .OrderBy(j => rows[i].Zip(rows[j], (a, b) => (a - b) * (a - b)).Sum()).ThenBy(j => j).ToArray();
        var (x, y) = (Rows(input), Rows(embedding));
        long excess = 0;
        for (int i = 0; i < n; i++)
        {
            var inputOrder = Order(x, i);
            excess += Order(y, i).Take(k).Sum(j => Math.Max(0, Array.IndexOf(inputOrder, j) + 1 - k));
        }

        return 1 - (2.0 / (n * k * ((2.0 * n) - (3.0 * k) - 1)) * excess);
    }

    /// <summary>Writes a float32 matrix as CSV of the exact float64 value of each element.</summary>
    private static void WriteCsv(Tensor matrix, string path)
    {
        long columns = matrix.shape[1];
        var values = matrix.contiguous().data<float>().ToArray();
        File.WriteAllLines(path, values.Chunk((int)columns).Select(row => string.Join(',', row.Select(value => ((double)value).ToString("R", CultureInfo.InvariantCulture)))));
    }
}
