using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>The result of a deterministic autoencoder's forward pass.</summary>
/// <param name="Reconstruction">The decoded batch, shaped like the input.</param>
/// <param name="Code">The latent code, <c>[N, LatentDim]</c>.</param>
public sealed record AutoencoderOutput(Tensor Reconstruction, Tensor Code) : IDisposable
{
    /// <summary>Releases both tensors.</summary>
    public void Dispose()
    {
        Reconstruction.Dispose();
        Code.Dispose();
    }
}

/// <summary>The posterior a variational encoder assigns to a batch: a diagonal Gaussian per example.</summary>
/// <param name="Mean">The posterior means, <c>[N, LatentDim]</c>.</param>
/// <param name="LogVar">The posterior log-variances, <c>[N, LatentDim]</c>.</param>
public sealed record VariationalCode(Tensor Mean, Tensor LogVar) : IDisposable
{
    /// <summary>Releases both tensors.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        LogVar.Dispose();
    }
}

/// <summary>The result of a variational autoencoder's forward pass.</summary>
/// <param name="Reconstruction">The decoded batch, shaped like the input.</param>
/// <param name="Code">The latent sample <c>z = Mean + exp(LogVar / 2) · ε</c>.</param>
/// <param name="Mean">The posterior means.</param>
/// <param name="LogVar">The posterior log-variances.</param>
public sealed record VariationalOutput(Tensor Reconstruction, Tensor Code, Tensor Mean, Tensor LogVar) : IDisposable
{
    /// <summary>Releases every tensor.</summary>
    public void Dispose()
    {
        Reconstruction.Dispose();
        Code.Dispose();
        Mean.Dispose();
        LogVar.Dispose();
    }
}

/// <summary>Scalar loss terms of one batch, each in nats per example.</summary>
public interface ILossTerms : IDisposable
{
    /// <summary>The objective that training minimises; call <c>Total.backward()</c>.</summary>
    Tensor Total { get; }

    /// <summary>Every term by name (<c>total</c> first), for metrics and progress.</summary>
    IReadOnlyList<KeyValuePair<string, Tensor>> Terms { get; }
}

/// <summary>The loss of a deterministic autoencoder.</summary>
/// <param name="Total">Equal to <paramref name="Reconstruction"/>.</param>
/// <param name="Reconstruction">The negative log-likelihood of the target under the decoder's output.</param>
public sealed record AutoencoderLoss(Tensor Total, Tensor Reconstruction) : ILossTerms
{
    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Terms =>
        [new(LossMetrics.TotalName, Total), new(LossMetrics.ReconstructionName, Reconstruction)];

    /// <summary>Releases both tensors.</summary>
    public void Dispose()
    {
        Total.Dispose();
        Reconstruction.Dispose();
    }
}

/// <summary>The negative ELBO of a variational autoencoder, split into its terms.</summary>
/// <param name="Total"><c>Reconstruction + Beta · Kl</c>.</param>
/// <param name="Reconstruction">The expected negative log-likelihood, estimated with one latent sample.</param>
/// <param name="Kl">KL(q(z|x) ‖ N(0, I)) in closed form.</param>
public sealed record VariationalLoss(Tensor Total, Tensor Reconstruction, Tensor Kl) : ILossTerms
{
    /// <inheritdoc/>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Terms =>
        [new(LossMetrics.TotalName, Total), new(LossMetrics.ReconstructionName, Reconstruction), new(LossMetrics.KlName, Kl)];

    /// <summary>Releases every tensor.</summary>
    public void Dispose()
    {
        Total.Dispose();
        Reconstruction.Dispose();
        Kl.Dispose();
    }
}
