using System;
using System.Linq;
using AutoencoderDsl.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Evaluation;

/// <summary>The exact k-nearest-neighbour graph, held to a search that loops over every pair.</summary>
public sealed class NeighbourGraphTests
{
    [Theory]
    [InlineData(NeighbourGraph.DefaultChunkBytes)]
    [InlineData(1L)]
    [InlineData(5 * 60 * 12L)]
    public void FindsWhatABruteForceSearchFindsWithTiesToTheLowerIndex(long chunkBytes)
    {
        // Coordinates from {0, 1, 2, 3} make many equal distances and some duplicate points, and small integers keep
        // the float32 expansion exact, so ties are ties. 1 byte is one row a block; 5 · 60 · 12 bytes five rows.
        using var generator = new Generator(7);
        using var data = randint(0, 4, [60, 3], generator: generator).to(ScalarType.Float32);

        using var graph = NeighbourGraph.Build(data, neighbours: 7, chunkBytes);

        var (indices, distances) = BruteForce(data.data<float>().Select(value => (double)value).ToArray(), 60, 3, 7);
        Assert.Equal(ScalarType.Int64, graph.Indices.dtype);
        Assert.Equal(new long[] { 60, 7 }, graph.Indices.shape);
        Assert.Equal(ScalarType.Float32, graph.Distances.dtype);
        Assert.Equal(indices, graph.Indices.data<long>().ToArray());
        Assert.Equal(distances, graph.Distances.data<float>().Select(value => (double)value), new ToleranceComparer(1e-6));
        Assert.Equal(7, graph.Neighbours);
    }

    [Fact]
    public void KeepsFloat64DataInFloat64AndFlattensEachExample()
    {
        using var generator = new Generator(8);
        using var data = randn([40, 2, 3], dtype: ScalarType.Float64, generator: generator);

        using var graph = NeighbourGraph.Build(data, neighbours: 5, chunkBytes: 1000);

        var (indices, distances) = BruteForce(data.data<double>().ToArray(), 40, 6, 5);
        Assert.Equal(ScalarType.Float64, graph.Distances.dtype);
        Assert.Equal(indices, graph.Indices.data<long>().ToArray());
        Assert.Equal(distances, graph.Distances.data<double>().ToArray(), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void RefusesWhatHasNoNeighbours()
    {
        using var scope = NewDisposeScope();
        var data = rand(10, 3);
        Assert.Contains("k goes from 1 to 9", Assert.Throws<ArgumentOutOfRangeException>(() => NeighbourGraph.Build(data, neighbours: 10)).Message);
        Assert.Contains("[N, ...]", Assert.Throws<ArgumentException>(() => NeighbourGraph.Build(zeros(10), neighbours: 2)).Message);
        data[3, 1] = tensor(float.NaN);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => NeighbourGraph.Build(data, neighbours: 2)).Message);
    }

    /// <summary>For each row, every other row by (distance, index), the first k: indices and distances, row after row.</summary>
    private static (long[] Indices, double[] Distances) BruteForce(double[] values, int count, int features, int k)
    {
        var indices = new long[count * k];
        var distances = new double[count * k];
        for (int i = 0; i < count; i++)
        {
            var nearest = Enumerable.Range(0, count).Where(j => j != i)
                .Select(j => (Index: j, Squared: Enumerable.Range(0, features).Sum(f => Math.Pow(values[(i * features) + f] - values[(j * features) + f], 2))))
                .OrderBy(pair => pair.Squared).ThenBy(pair => pair.Index)
                .Take(k)
                .ToArray();
            for (int place = 0; place < k; place++)
            {
                indices[(i * k) + place] = nearest[place].Index;
                distances[(i * k) + place] = Math.Sqrt(nearest[place].Squared);
            }
        }

        return (indices, distances);
    }

    private sealed class ToleranceComparer(double tolerance) : System.Collections.Generic.IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
