using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Evaluation;

/// <summary>
/// The exact k nearest neighbours (Euclidean) of every example of a data set among the others: the graph
/// neighbourhood measures and losses are built on, computed once. Distances come a block of rows at a time as
/// ‖a‖² − 2a·b + ‖b‖², one matrix product per block, so the working memory stays near the budget however many
/// examples there are. Each row is ordered by increasing distance; equal distances go to the lower index, as a stable
/// sort gives them.
/// </summary>
public sealed class NeighbourGraph : IDisposable
{
    /// <summary>The working memory a block of distances may take, beside the data and the graph: 128 MiB.</summary>
    public const long DefaultChunkBytes = 128L << 20;

    // A block holds its distances and, while ties are settled, up to this many bytes more per element: masks and an
    // Int32 running count.
    private const long BytesBesideEachDistance = 8;

    private NeighbourGraph(Tensor indices, Tensor distances)
    {
        // It owns its tensors and disposes them itself, so no dispose scope of the caller's may free them under it.
        Indices = indices.DetachFromDisposeScope();
        Distances = distances.DetachFromDisposeScope();
    }

    /// <summary>The neighbours of each example, <c>Int64 [N, k]</c>, nearest first; an example is never its own neighbour.</summary>
    public Tensor Indices { get; }

    /// <summary>The Euclidean distance to each of them, <c>[N, k]</c>: float64 for float64 data, otherwise float32.</summary>
    public Tensor Distances { get; }

    /// <summary>k.</summary>
    public int Neighbours => (int)Indices.shape[1];

    /// <summary>
    /// The <paramref name="neighbours"/> nearest other examples of each example of <paramref name="data"/>
    /// <c>[N, ...]</c>, each example flattened. Computed in float64 for float64 data and in float32 otherwise, in blocks
    /// of rows whose distances take at most <paramref name="chunkBytes"/> (at least one row).
    /// </summary>
    public static NeighbourGraph Build(Tensor data, int neighbours, long chunkBytes = DefaultChunkBytes)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBytes, 1);
        if (data.ndim < 2)
        {
            throw new ArgumentException($"Expected examples [N, ...], one per row, but got {Shapes.Format(data.shape)}; add a leading dimension for one feature per example.", nameof(data));
        }

        if (neighbours < 1 || neighbours >= data.shape[0])
        {
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, $"Each of the {data.shape[0]} examples has {data.shape[0] - 1} others, so k goes from 1 to {data.shape[0] - 1}.");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var type = data.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var (points, norms) = Prepare(data.detach().flatten(1), type, nameof(data), chunkBytes);
        var (indices, squared) = Nearest(points, norms, points, norms, neighbours, excludeSelf: true, chunkBytes);
        return new NeighbourGraph(indices.MoveToOuterDisposeScope(), squared.sqrt_().MoveToOuterDisposeScope());
    }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Indices.Dispose();
        Distances.Dispose();
    }

    /// <summary>
    /// <paramref name="data"/> <c>[N, D]</c> as <paramref name="type"/>, and the squared norm of each row, computed a block
    /// of rows at a time so no squared copy of the data is held. Throws when a value is not finite or its square
    /// overflows, since a NaN has no place in an order.
    /// </summary>
    internal static (Tensor Data, Tensor Norms) Prepare(Tensor data, ScalarType type, string parameterName, long chunkBytes)
    {
        var converted = data.to(type);
        var norms = empty(converted.shape[0], type, device: converted.device);
        long rows = RowsPerChunk(converted.shape[1], converted.ElementSize, chunkBytes);
        for (long start = 0; start < converted.shape[0]; start += rows)
        {
            using var blockScope = NewDisposeScope();
            long size = Math.Min(rows, converted.shape[0] - start);
            norms.narrow(0, start, size).copy_(converted.narrow(0, start, size).square().sum(1));
        }

        if (!norms.isfinite().all().item<bool>())
        {
            throw new ArgumentException($"Expected finite values whose squares sum to a finite {type}, but {parameterName} holds NaN, an infinity or values too large; neighbours are ordered by distance, which such a value does not have.", parameterName);
        }

        return (converted, norms);
    }

    /// <summary>
    /// The squared distances between the rows of <paramref name="queries"/> and of <paramref name="points"/>, given their
    /// squared norms: <c>[M, N]</c>, one product and three in-place passes, clamped at 0 where rounding went below.
    /// </summary>
    internal static Tensor SquaredDistances(Tensor queries, Tensor queryNorms, Tensor points, Tensor pointNorms) =>
        queries.matmul(points.T).mul_(-2).add_(queryNorms.unsqueeze(1)).add_(pointNorms.unsqueeze(0)).clamp_min_(0);

    /// <summary>How many rows of <paramref name="columns"/> elements of <paramref name="bytesPerElement"/> fit in <paramref name="chunkBytes"/>; at least one.</summary>
    internal static long RowsPerChunk(long columns, long bytesPerElement, long chunkBytes) =>
        Math.Max(1, chunkBytes / Math.Max(1, columns * bytesPerElement));

    /// <summary>
    /// The <paramref name="neighbours"/> nearest rows of <paramref name="points"/> <c>[N, D]</c> to each row of
    /// <paramref name="queries"/> <c>[M, D]</c> (both of one floating type, finite, without gradients, with the squared
    /// norms of their rows), nearest first,
    /// equal distances to the lower index: their indices <c>Int64 [M, k]</c> and squared distances <c>[M, k]</c>. With
    /// <paramref name="excludeSelf"/> the queries are the points and row i never finds itself.
    /// </summary>
    internal static (Tensor Indices, Tensor SquaredDistances) Nearest(Tensor queries, Tensor queryNorms, Tensor points, Tensor pointNorms, int neighbours, bool excludeSelf, long chunkBytes)
    {
        long m = queries.shape[0], n = points.shape[0];
        var indices = empty([m, neighbours], ScalarType.Int64, device: points.device);
        var squared = empty([m, neighbours], points.dtype, device: points.device);
        long rows = RowsPerChunk(n, points.ElementSize + BytesBesideEachDistance, chunkBytes);
        for (long start = 0; start < m; start += rows)
        {
            using var chunkScope = NewDisposeScope();
            long size = Math.Min(rows, m - start);
            var distances = SquaredDistances(queries.narrow(0, start, size), queryNorms.narrow(0, start, size), points, pointNorms);
            if (excludeSelf)
            {
                // Row r of the block is example start + r: its own column lies on the block's diagonal at that offset.
                distances.diagonal(start).fill_(double.PositiveInfinity);
            }

            var (nearest, nearestSquared) = Smallest(distances, neighbours);
            indices.narrow(0, start, size).copy_(nearest);
            squared.narrow(0, start, size).copy_(nearestSquared);
        }

        return (indices, squared);
    }

    /// <summary>The k smallest entries of each row of <paramref name="distances"/> <c>[B, N]</c>, in increasing order, equal values by increasing column.</summary>
    private static (Tensor Indices, Tensor Values) Smallest(Tensor distances, int k)
    {
        // One more than k shows whether a column beyond the k-th lies at the k-th distance (an excluded self is +∞).
        int taken = (int)Math.Min(k + 1, distances.shape[1]);
        var (values, indices) = distances.topk(taken, dim: 1, largest: false);
        var threshold = values.narrow(1, k - 1, 1);
        bool tiedBeyond = taken > k && values.narrow(1, k, 1).eq(threshold).any().item<bool>();
        values = values.narrow(1, 0, k);
        indices = indices.narrow(1, 0, k);
        if (tiedBeyond)
        {
            // Some row has more columns at its k-th distance than places left, and topk picks among them at will:
            // keep every nearer column and, of those at the k-th distance, the lowest until the row has k.
            // Every column nearer than the k-th distance is among the k found.
            var places = k - values.lt(threshold).sum(1, keepdim: true);
            var nearer = distances.lt(threshold);
            var tied = distances.eq(threshold);
            var kept = nearer.logical_or_(tied.logical_and_(tied.cumsum(1, ScalarType.Int32).le(places)));
            indices = kept.nonzero().select(1, 1).view(distances.shape[0], k);
            values = distances.gather(1, indices);
        }

        // topk leaves the order of equal values unspecified too: order by column, then stably by distance.
        var (byColumn, order) = indices.sort(1);
        var (sorted, byDistance) = values.gather(1, order).sort(1, stable: true);
        return (byColumn.gather(1, byDistance), sorted);
    }
}
