using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Evaluation;

/// <summary>
/// How well an embedding keeps classes apart: the accuracy of a k-nearest-neighbour vote in it, side by side with the
/// same vote in PCA's coordinates of the same dimension, fitted on the same training data.
/// </summary>
/// <param name="Accuracy">The share of held-out examples whose k nearest training codes vote for their class.</param>
/// <param name="PcaAccuracy">The same with PCA's coordinates.</param>
/// <param name="Dimensions">The dimension of both.</param>
/// <param name="Neighbours">k.</param>
public sealed record EmbeddingQuality(double Accuracy, double PcaAccuracy, int Dimensions, int Neighbours);

/// <summary>k-nearest-neighbour classification in batches of distances, with no loop per example.</summary>
public static class NearestNeighbours
{
    private const int QueryBatch = 512;

    /// <summary>
    /// The k-nearest-neighbour accuracy on <paramref name="test"/> of the codes <paramref name="embed"/> gives, voting
    /// among the codes of <paramref name="train"/>, beside the same vote in PCA's coordinates of the same dimension
    /// fitted on <paramref name="train"/>.
    /// </summary>
    public static EmbeddingQuality Compare(Func<Tensor, Tensor> embed, Tensor train, Tensor trainLabels, Tensor test, Tensor testLabels, int neighbours = 5)
    {
        ArgumentNullException.ThrowIfNull(embed);
        using var scope = NewDisposeScope();
        var trainCodes = embed(train);
        var testCodes = embed(test);
        int dimensions = (int)trainCodes.shape[1];
        using var pca = Pca.Fit(train, dimensions);
        return new EmbeddingQuality(
            Accuracy(trainCodes, trainLabels, testCodes, testLabels, neighbours),
            Accuracy(pca.Project(train), trainLabels, pca.Project(test), testLabels, neighbours),
            dimensions,
            neighbours);
    }

    /// <summary>
    /// The share of <paramref name="queries"/> <c>[M, D]</c> whose <paramref name="neighbours"/> nearest points of
    /// <paramref name="points"/> <c>[N, D]</c> (Euclidean) have their label as the most common; ties go to the lowest label.
    /// </summary>
    public static double Accuracy(Tensor points, Tensor pointLabels, Tensor queries, Tensor queryLabels, int neighbours = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(neighbours, 1);
        if (points.ndim != 2 || queries.ndim != 2 || points.shape[1] != queries.shape[1])
        {
            throw new ArgumentException($"Expected points [N, D] and queries [M, D] of the same D, but got {Shapes.Format(points.shape)} and {Shapes.Format(queries.shape)}.", nameof(queries));
        }

        RequireLabels(pointLabels, points.shape[0], nameof(pointLabels));
        RequireLabels(queryLabels, queries.shape[0], nameof(queryLabels));
        if (neighbours > points.shape[0])
        {
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, $"Only {points.shape[0]} points can vote.");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long classes = Math.Max(pointLabels.max().item<long>(), queryLabels.max().item<long>()) + 1;
        var reference = points.detach().to(ScalarType.Float32);
        long correct = 0;
        for (long start = 0; start < queries.shape[0]; start += QueryBatch)
        {
            using var batchScope = NewDisposeScope();
            long size = Math.Min(QueryBatch, queries.shape[0] - start);
            var distances = cdist(queries.narrow(0, start, size).detach().to(ScalarType.Float32), reference);
            var (_, nearest) = distances.topk(neighbours, dim: 1, largest: false);
            var votes = nn.functional.one_hot(pointLabels.index_select(0, nearest.flatten()), classes).view(size, neighbours, classes).sum(1);
            correct += votes.argmax(1).eq(queryLabels.narrow(0, start, size)).sum().item<long>();
        }

        return correct / (double)queries.shape[0];
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
