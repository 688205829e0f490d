using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Evaluation;

/// <summary>
/// Principal component analysis by the eigendecomposition of the covariance (<c>torch.linalg.eigh</c>): the linear
/// baseline an autoencoder's code and reconstructions should beat at the same number of dimensions.
/// </summary>
public sealed class Pca : IDisposable
{
    private Pca(Tensor mean, Tensor components, Tensor explained)
    {
        // It owns its tensors and disposes them itself, so no dispose scope of the caller's may free them under it.
        Mean = mean.DetachFromDisposeScope();
        Components = components.DetachFromDisposeScope();
        ExplainedVariance = explained.DetachFromDisposeScope();
    }

    /// <summary>The mean of the data it was fitted on, flattened, <c>[F]</c>.</summary>
    public Tensor Mean { get; }

    /// <summary>The principal directions, one per row, <c>[D, F]</c>, by decreasing variance.</summary>
    public Tensor Components { get; }

    /// <summary>The variance along each direction, <c>[D]</c>.</summary>
    public Tensor ExplainedVariance { get; }

    /// <summary>The number of dimensions kept.</summary>
    public int Dimensions => (int)Components.shape[0];

    /// <summary>Fits <paramref name="dimensions"/> components to <paramref name="data"/> <c>[N, ...]</c>, each example flattened.</summary>
    public static Pca Fit(Tensor data, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = data.detach().flatten(1).to(ScalarType.Float64);
        if (dimensions < 1 || dimensions > x.shape[1])
        {
            throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions, $"PCA keeps from 1 to {x.shape[1]} dimensions of this data.");
        }

        var mean = x.mean([0]);
        var centred = x - mean;
        var covariance = centred.T.matmul(centred) / Math.Max(1, x.shape[0] - 1);
        var (values, vectors) = linalg.eigh(covariance);
        var top = arange(x.shape[1] - 1, x.shape[1] - 1 - dimensions, -1, device: x.device);
        return new Pca(
            mean.to(ScalarType.Float32).MoveToOuterDisposeScope(),
            vectors.index_select(1, top).T.contiguous().to(ScalarType.Float32).MoveToOuterDisposeScope(),
            values.index_select(0, top).to(ScalarType.Float32).MoveToOuterDisposeScope());
    }

    /// <summary>The coordinates of each example along the components, <c>[N, D]</c>.</summary>
    public Tensor Project(Tensor data)
    {
        using var scope = NewDisposeScope();
        return (data.detach().flatten(1).to(Mean.dtype) - Mean).matmul(Components.T).MoveToOuterDisposeScope();
    }

    /// <summary>Each example projected onto the components and back, shaped like <paramref name="data"/>.</summary>
    public Tensor Reconstruct(Tensor data)
    {
        using var scope = NewDisposeScope();
        return (Project(data).matmul(Components) + Mean).reshape(data.shape).MoveToOuterDisposeScope();
    }

    /// <summary>The squared reconstruction error of each example, <c>[N]</c>: PCA's anomaly score.</summary>
    public Tensor ReconstructionError(Tensor data)
    {
        using var scope = NewDisposeScope();
        return (Reconstruct(data) - data.detach().to(Mean.dtype)).flatten(1).square().sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        Components.Dispose();
        ExplainedVariance.Dispose();
    }
}
