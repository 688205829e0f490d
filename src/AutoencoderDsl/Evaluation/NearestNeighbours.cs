using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace AutoencoderDsl.Evaluation;

/// <summary>How well one embedding of held-out data keeps classes apart and neighbourhoods whole.</summary>
/// <param name="Accuracy">The share of held-out examples whose k nearest training embeddings vote for their class, at the k asked for.</param>
/// <param name="OneNeighbourAccuracy">The same with k = 1: the share whose nearest training embedding has their class.</param>
/// <param name="FiveNeighbourAccuracy">The same with k = 5, the vote the Parametric UMAP paper's tables report.</param>
/// <param name="Trustworthiness5">The trustworthiness at k = 5 of the held-out embeddings against the held-out inputs, as scikit-learn's <c>trustworthiness</c> computes it; null for 10 or fewer held-out examples, where it is not defined (k &lt; n / 2).</param>
/// <param name="Trustworthiness10">The same at k = 10; null for 20 or fewer held-out examples.</param>
public sealed record EmbeddingScores(double Accuracy, double OneNeighbourAccuracy, double FiveNeighbourAccuracy, double? Trustworthiness5, double? Trustworthiness10);

/// <summary>
/// How well an embedding keeps classes apart and neighbourhoods whole, side by side with PCA's coordinates of the same
/// dimension fitted on the same training data.
/// </summary>
/// <param name="Code">The model's codes.</param>
/// <param name="Pca">PCA's coordinates.</param>
/// <param name="Dimensions">The dimension of both.</param>
/// <param name="Neighbours">k of <see cref="EmbeddingScores.Accuracy"/>.</param>
public sealed record EmbeddingQuality(EmbeddingScores Code, EmbeddingScores Pca, int Dimensions, int Neighbours)
{
    /// <summary>The share of held-out examples whose k nearest training codes vote for their class.</summary>
    public double Accuracy => Code.Accuracy;

    /// <summary>The same with PCA's coordinates.</summary>
    public double PcaAccuracy => Pca.Accuracy;
}

/// <summary>k-nearest-neighbour classification and trustworthiness in blocks of distances, with no loop per example.</summary>
public static class NearestNeighbours
{
    /// <summary>
    /// The k-nearest-neighbour accuracies (at <paramref name="neighbours"/>, 1 and 5) on <paramref name="test"/> of the
    /// codes <paramref name="embed"/> gives, voting among the codes of <paramref name="train"/>, and the trustworthiness
    /// (k = 5 and 10) of the test codes against the test inputs; beside the same figures for PCA's coordinates of the same
    /// dimension fitted on <paramref name="train"/>. A trustworthiness is null when the test set is too small for its k
    /// (2k or fewer examples), so a small held-out set still gets its accuracies.
    /// </summary>
    public static EmbeddingQuality Compare(Func<Tensor, Tensor> embed, Tensor train, Tensor trainLabels, Tensor test, Tensor testLabels, int neighbours = 5)
    {
        ArgumentNullException.ThrowIfNull(embed);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours, 1);
        using var scope = NewDisposeScope();
        var trainCodes = embed(train);
        var testCodes = embed(test);
        int dimensions = (int)trainCodes.shape[1];
        using var pca = Pca.Fit(train, dimensions);
        var testPca = pca.Project(test);
        int[] votes = [neighbours, 1, 5];
        var code = Accuracies(trainCodes, trainLabels, testCodes, testLabels, votes);
        var linear = Accuracies(pca.Project(train), trainLabels, testPca, testLabels, votes);
        int[] defined = [.. new[] { 5, 10 }.Where(k => 2L * k < test.shape[0])];
        var trust = defined.Length == 0 ? null : Trustworthiness(test, [testCodes, testPca], defined, NeighbourGraph.DefaultChunkBytes);
        double? At(int embedding, int k) => Array.IndexOf(defined, k) is int index and >= 0 ? trust![embedding][index] : null;
        return new EmbeddingQuality(
            new EmbeddingScores(code[0], code[1], code[2], At(0, 5), At(0, 10)),
            new EmbeddingScores(linear[0], linear[1], linear[2], At(1, 5), At(1, 10)),
            dimensions,
            neighbours);
    }

    /// <summary>
    /// The share of <paramref name="queries"/> <c>[M, D]</c> whose <paramref name="neighbours"/> nearest points of
    /// <paramref name="points"/> <c>[N, D]</c> (Euclidean; equal distances to the lower index) have their label as the
    /// most common; ties of the vote go to the lowest label. Distances are float64 when either side is, else float32.
    /// </summary>
    public static double Accuracy(Tensor points, Tensor pointLabels, Tensor queries, Tensor queryLabels, int neighbours = 5) =>
        Accuracies(points, pointLabels, queries, queryLabels, [neighbours])[0];

    /// <summary>
    /// Trustworthiness T(k) of <paramref name="embedding"/> <c>[n, d]</c> as a map of <paramref name="input"/>
    /// <c>[n, ...]</c> (each example flattened), scikit-learn's <c>sklearn.manifold.trustworthiness</c> with the Euclidean
    /// metric: T(k) = 1 − 2 / (n·k·(2n − 3k − 1)) · Σᵢ Σ_{j ∈ Uₖ(i)} max(0, r(i, j) − k), where Uₖ(i) holds the k
    /// nearest neighbours of i in the embedding and r(i, j) is the rank of j among the other examples by distance to i
    /// in the input, from 1. Ranks are computed in float64, equal distances ranked by lower index. 1 means no embedding
    /// neighbour is a stranger in the input; k must be less than n / 2.
    /// </summary>
    public static double Trustworthiness(Tensor input, Tensor embedding, int neighbours = 5)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        return Trustworthiness(input, [embedding], [neighbours], NeighbourGraph.DefaultChunkBytes)[0][0];
    }

    /// <summary>
    /// The trustworthiness of each of <paramref name="embeddings"/> at each of <paramref name="neighbours"/>, indexed
    /// [embedding][k], sharing the input's distances, which come in blocks of rows of at most <paramref name="chunkBytes"/>.
    /// </summary>
    internal static double[][] Trustworthiness(Tensor input, IReadOnlyList<Tensor> embeddings, IReadOnlyList<int> neighbours, long chunkBytes)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.ndim < 2)
        {
            throw new ArgumentException($"Expected inputs [n, ...], one example per row, but got {Shapes.Format(input.shape)}.", nameof(input));
        }

        long n = input.shape[0];
        foreach (var embedding in embeddings)
        {
            if (embedding.ndim != 2 || embedding.shape[0] != n)
            {
                throw new ArgumentException($"Expected an embedding [{n}, d], one row per input, but got {Shapes.Format(embedding.shape)}.", nameof(embeddings));
            }
        }

        int deepest = neighbours.Max();
        foreach (int k in neighbours)
        {
            RequireTrustworthinessData(n, k, nameof(input));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (x, norms) = NeighbourGraph.Prepare(input.detach().flatten(1), ScalarType.Float64, nameof(input), chunkBytes);
        var near = embeddings.Select(embedding =>
        {
            var (codes, codeNorms) = NeighbourGraph.Prepare(embedding.detach(), ScalarType.Float64, nameof(embeddings), chunkBytes);
            return NeighbourGraph.Nearest(codes, codeNorms, codes, codeNorms, deepest, excludeSelf: true, chunkBytes).Indices;
        }).ToArray();
        var columns = arange(n, dtype: ScalarType.Int64, device: x.device).unsqueeze(0);
        var excess = new long[embeddings.Count, neighbours.Count];

        // A block holds its float64 distances and, while they are sorted, their sorted copy and its Int64 order.
        long rows = NeighbourGraph.RowsPerChunk(n, 3 * sizeof(long), chunkBytes);
        for (long start = 0; start < n; start += rows)
        {
            using var chunkScope = NewDisposeScope();
            long size = Math.Min(rows, n - start);
            var distances = NeighbourGraph.SquaredDistances(x.narrow(0, start, size), norms.narrow(0, start, size), x, norms);
            distances.diagonal(start).fill_(double.PositiveInfinity);
            var neighbourhoods = near.Select(indices => indices.narrow(0, start, size)).ToArray();
            var targets = neighbourhoods.Select(neighbourhood => distances.gather(1, neighbourhood)).ToArray();

            // r(i, j) = 1 + the others nearer to i than j + those as near with a lower index. The nearer are counted
            // by a binary search in the sorted row; ties, rare in real data, by a pass over the row where they occur.
            var ranks = new Tensor[near.Length];
            var tiedColumns = new Tensor[near.Length];
            using (var sortScope = NewDisposeScope())
            {
                var sorted = distances.sort(1).Values;
                for (int e = 0; e < near.Length; e++)
                {
                    var nearer = searchsorted(sorted, targets[e]);
                    ranks[e] = nearer.add(1).MoveToOuterDisposeScope();
                    tiedColumns[e] = searchsorted(sorted, targets[e], right: true).sub_(nearer).gt(1).any(0).MoveToOuterDisposeScope();
                }
            }

            for (int e = 0; e < near.Length; e++)
            {
                var tied = tiedColumns[e].data<bool>().ToArray();
                for (int column = 0; column < deepest; column++)
                {
                    if (tied[column])
                    {
                        using var columnScope = NewDisposeScope();
                        var j = neighbourhoods[e].narrow(1, column, 1);
                        ranks[e].narrow(1, column, 1).add_(distances.eq(targets[e].narrow(1, column, 1)).logical_and_(columns.lt(j)).sum(1, keepdim: true));
                    }
                }

                for (int index = 0; index < neighbours.Count; index++)
                {
                    int k = neighbours[index];
                    excess[e, index] += (ranks[e].narrow(1, 0, k) - k).clamp_min_(0).sum().item<long>();
                }
            }
        }

        return Enumerable.Range(0, embeddings.Count).Select(e => Enumerable.Range(0, neighbours.Count).Select(index =>
        {
            double k = neighbours[index];
            return 1 - (2.0 / (n * k * ((2.0 * n) - (3 * k) - 1)) * excess[e, index]);
        }).ToArray()).ToArray();
    }

    /// <summary>The k-nearest-neighbour accuracy at each of <paramref name="neighbours"/>, from one search for the largest.</summary>
    private static double[] Accuracies(Tensor points, Tensor pointLabels, Tensor queries, Tensor queryLabels, int[] neighbours)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(queries);
        int deepest = neighbours.Max();
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours.Min(), 1, nameof(neighbours));
        if (points.ndim != 2 || queries.ndim != 2 || points.shape[1] != queries.shape[1])
        {
            throw new ArgumentException($"Expected points [N, D] and queries [M, D] of the same D, but got {Shapes.Format(points.shape)} and {Shapes.Format(queries.shape)}.", nameof(queries));
        }

        RequireLabels(pointLabels, points.shape[0], nameof(pointLabels));
        RequireLabels(queryLabels, queries.shape[0], nameof(queryLabels));
        if (deepest > points.shape[0])
        {
            throw new ArgumentOutOfRangeException(nameof(neighbours), deepest, $"Only {points.shape[0]} points can vote, but {deepest} nearest are asked for.");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long m = queries.shape[0];
        var type = points.dtype == ScalarType.Float64 || queries.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var (queryRows, queryNorms) = NeighbourGraph.Prepare(queries.detach(), type, nameof(queries), NeighbourGraph.DefaultChunkBytes);
        var (pointRows, pointNorms) = NeighbourGraph.Prepare(points.detach(), type, nameof(points), NeighbourGraph.DefaultChunkBytes);
        var (nearest, _) = NeighbourGraph.Nearest(queryRows, queryNorms, pointRows, pointNorms, deepest, excludeSelf: false, NeighbourGraph.DefaultChunkBytes);
        long classes = Math.Max(pointLabels.max().item<long>(), queryLabels.max().item<long>()) + 1;
        var voters = pointLabels.index_select(0, nearest.flatten()).view(m, deepest);
        return neighbours.Select(k =>
        {
            using var voteScope = NewDisposeScope();
            var votes = nn.functional.one_hot(voters.narrow(1, 0, k), classes).sum(1);
            return votes.argmax(1).eq(queryLabels).sum().item<long>() / (double)m;
        }).ToArray();
    }

    /// <summary>Throws unless trustworthiness at k is defined for n examples: k from 1 and below n / 2, as scikit-learn asks.</summary>
    private static void RequireTrustworthinessData(long n, int k, string parameterName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (2L * k >= n)
        {
            throw new ArgumentException($"Trustworthiness at k = {k} needs more than {2 * k} examples (k < n / 2, as scikit-learn's trustworthiness asks), but got {n}; measure on more held-out examples.", parameterName);
        }
    }

    private static void RequireLabels(Tensor labels, long count, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(labels, parameterName);
        using var smallest = labels.ndim == 1 && labels.shape[0] > 0 ? labels.min() : null;
        if (labels.dtype != ScalarType.Int64 || labels.ndim != 1 || labels.shape[0] != count || smallest?.item<long>() < 0)
        {
            throw new ArgumentException($"Expected Int64 labels [{count}], each at least 0, but got {labels.dtype} {Shapes.Format(labels.shape)}.", parameterName);
        }
    }
}
