using System;
using System.Linq;
using AutoencoderDsl.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Parts;

/// <summary>
/// UMAP's fuzzy graph of a data set (McInnes, Healy and Melville 2018, section 3): the exact k nearest neighbours of
/// every example (<see cref="NeighbourGraph"/>), each edge weighted exp(−(d − ρᵢ) / σᵢ) where ρᵢ is the distance to
/// the nearest neighbour and σᵢ makes the weights of row i sum to log₂ k, then symmetrised as w + wᵀ − w ∘ wᵀ. The
/// neighbourhood term's training step draws one neighbour of each example with probability proportional to these weights.
/// </summary>
/// <remarks>
/// As umap-learn's <c>smooth_knn_dist</c> with local connectivity 1 and bandwidth 1: 64 steps of bisection for σᵢ to a
/// tolerance of 10⁻⁵, and σᵢ at least 10⁻³ of the mean distance (of the row, or of all rows when ρᵢ is 0). One
/// difference, stated so it surprises no one: k counts other examples, where umap-learn's <c>n_neighbors</c> counts the
/// example itself; a row's k weights sum to log₂ k here, and to log₂ n_neighbors over its n_neighbors − 1 there.
/// </remarks>
public sealed class NeighbourhoodGraph : IDisposable
{
    /// <summary>The running sum of <see cref="Weights"/> in float64, which a draw searches.</summary>
    private readonly Tensor cumulative;

    private NeighbourhoodGraph(Tensor rowStarts, Tensor columns, Tensor weights, int k)
    {
        RowStarts = rowStarts;
        Columns = columns;
        Weights = weights;
        K = k;
        cumulative = weights.to(ScalarType.Float64).cumsum(0);
    }

    /// <summary>Where each example's edges start in <see cref="Columns"/>, <c>Int64 [N + 1]</c>; row i is <c>[RowStarts[i], RowStarts[i + 1])</c>.</summary>
    public Tensor RowStarts { get; }

    /// <summary>
    /// The other end of every edge, <c>Int64 [E]</c>, row by row in increasing order: each example's k nearest and the
    /// examples that have it among theirs.
    /// </summary>
    public Tensor Columns { get; }

    /// <summary>The weight of every edge, in (0, 1], <c>Float32 [E]</c>.</summary>
    public Tensor Weights { get; }

    /// <summary>k, the nearest other examples each row's edges were built from.</summary>
    public int K { get; }

    /// <summary>The examples the graph is of.</summary>
    public long Count => RowStarts.shape[0] - 1;

    /// <summary>The fuzzy graph of <paramref name="examples"/> <c>[N, ...]</c> (each flattened) over its <paramref name="neighbours"/> nearest others.</summary>
    public static NeighbourhoodGraph Build(Tensor examples, int neighbours)
    {
        ArgumentNullException.ThrowIfNull(examples);
        using var nearest = NeighbourGraph.Build(examples, neighbours);
        using var cpuIndices = nearest.Indices.cpu();
        using var cpuDistances = nearest.Distances.to(ScalarType.Float64).cpu();
        long[] indices = cpuIndices.data<long>().ToArray();
        double[] distances = cpuDistances.data<double>().ToArray();
        int n = (int)examples.shape[0];
        double[] memberships = Memberships(distances, n, neighbours);
        return Symmetrised(indices, memberships, n, neighbours);
    }

    /// <summary>
    /// One neighbour of each example at <paramref name="rows"/> (<c>Int64 [B]</c>), drawn with probability proportional
    /// to the edge weights by <paramref name="generator"/>: <c>Int64 [B]</c>, on the CPU.
    /// </summary>
    /// <remarks>
    /// A uniform draw scaled to the row's total weight, found by binary search in the running sum of all weights: rows
    /// kept edge by edge rather than padded to the longest, whose length follows the most popular example's (267 edges
    /// against a mean of 24 for Fashion-MNIST's k = 15).
    /// </remarks>
    public Tensor Sample(Tensor rows, Generator generator)
    {
        using var scope = NewDisposeScope();
        var cpuRows = rows.cpu();
        var first = RowStarts.index_select(0, cpuRows);
        var last = RowStarts.index_select(0, cpuRows + 1) - 1;
        var before = cumulative.index_select(0, first) - Weights.index_select(0, first).to(ScalarType.Float64);
        var total = cumulative.index_select(0, last) - before;
        var target = before + (rand(cpuRows.shape[0], dtype: ScalarType.Float64, generator: generator) * total);
        var edge = searchsorted(cumulative, target, right: true).minimum(last).maximum(first);
        return Columns.index_select(0, edge).MoveToOuterDisposeScope();
    }

    /// <summary>The membership of each of row i's k edges, row by row: exp(−max(0, d − ρᵢ) / σᵢ).</summary>
    internal static double[] Memberships(double[] distances, int n, int k)
    {
        const double Tolerance = 1e-5;
        const double MinimumScale = 1e-3;
        double target = Math.Log2(k);
        double meanOfAll = distances.Average();
        var weights = new double[distances.Length];
        for (int row = 0; row < n; row++)
        {
            var d = distances.AsSpan(row * k, k);
            double rho = 0;
            foreach (double distance in d)
            {
                if (distance > 0)
                {
                    rho = distance;
                    break;
                }
            }

            double lo = 0, hi = double.PositiveInfinity, sigma = 1;
            for (int step = 0; step < 64; step++)
            {
                double sum = 0;
                foreach (double distance in d)
                {
                    sum += distance - rho > 0 ? Math.Exp(-(distance - rho) / sigma) : 1;
                }

                if (Math.Abs(sum - target) < Tolerance)
                {
                    break;
                }

                if (sum > target)
                {
                    hi = sigma;
                    sigma = (lo + hi) / 2;
                }
                else
                {
                    lo = sigma;
                    sigma = double.IsPositiveInfinity(hi) ? sigma * 2 : (lo + hi) / 2;
                }
            }

            double meanOfRow = 0;
            foreach (double distance in d)
            {
                meanOfRow += distance / k;
            }

            sigma = Math.Max(sigma, MinimumScale * (rho > 0 ? meanOfRow : meanOfAll));
            for (int j = 0; j < k; j++)
            {
                double excess = d[j] - rho;
                weights[(row * k) + j] = excess > 0 ? Math.Exp(-excess / sigma) : 1;
            }
        }

        return weights;
    }

    /// <summary>w + wᵀ − w ∘ wᵀ over the directed k-NN edges, each row's edges in column order.</summary>
    private static NeighbourhoodGraph Symmetrised(long[] indices, double[] memberships, int n, int k)
    {
        // Both directions of every edge, keyed by (row, column) so a sort brings the two halves of a pair together.
        int edges = indices.Length;
        var keys = new long[2 * edges];
        var values = new double[2 * edges];
        for (int e = 0; e < edges; e++)
        {
            long row = e / k, column = indices[e];
            keys[2 * e] = (row * n) + column;
            keys[(2 * e) + 1] = (column * n) + row;
            values[2 * e] = values[(2 * e) + 1] = memberships[e];
        }

        Array.Sort(keys, values);
        var columnOf = new long[keys.Length];
        var weightOf = new double[keys.Length];
        var degree = new int[n];
        int count = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            if (i + 1 < keys.Length && keys[i + 1] == keys[i])
            {
                // The edge is in both rows' k nearest: p + q − pq, the probabilistic union.
                weightOf[count] = values[i] + values[i + 1] - (values[i] * values[i + 1]);
                i++;
            }
            else
            {
                weightOf[count] = values[i];
            }

            columnOf[count] = keys[i] % n;
            degree[keys[i] / n]++;
            count++;
        }

        var rowStarts = new long[n + 1];
        for (int row = 0; row < n; row++)
        {
            rowStarts[row + 1] = rowStarts[row] + degree[row];
        }

        return new NeighbourhoodGraph(
            tensor(rowStarts),
            tensor(columnOf.AsSpan(0, count).ToArray()),
            tensor(weightOf.AsSpan(0, count).ToArray().Select(weight => (float)weight).ToArray()),
            k);
    }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        RowStarts.Dispose();
        Columns.Dispose();
        Weights.Dispose();
        cumulative.Dispose();
    }
}
