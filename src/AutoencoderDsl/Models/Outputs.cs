using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// What a model's <c>forward</c> gives, which TorchSharp's <c>call</c>, hooks and a user's own modules see: the
/// reconstruction and the code it was decoded from. Each latent kind's output adds what it has of its own.
/// </summary>
/// <param name="Reconstruction">The decoded batch, shaped like the input.</param>
/// <param name="Code">The code the decoder received, <c>[N, LatentDim]</c>.</param>
public abstract record ModelOutput(Tensor Reconstruction, Tensor Code) : IDisposable
{
    /// <summary>Releases every tensor.</summary>
    public virtual void Dispose()
    {
        Reconstruction.Dispose();
        Code.Dispose();
    }
}

/// <summary>The result of a deterministic autoencoder's forward pass.</summary>
/// <param name="Reconstruction">The decoded batch, shaped like the input.</param>
/// <param name="Code">The latent code, <c>[N, LatentDim]</c>.</param>
public sealed record AutoencoderOutput(Tensor Reconstruction, Tensor Code) : ModelOutput(Reconstruction, Code);

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
public sealed record VariationalOutput(Tensor Reconstruction, Tensor Code, Tensor Mean, Tensor LogVar) : ModelOutput(Reconstruction, Code)
{
    /// <inheritdoc/>
    public override void Dispose()
    {
        base.Dispose();
        Mean.Dispose();
        LogVar.Dispose();
    }
}

/// <summary>
/// The scalar loss terms of one batch: the total that training minimises (<c>Total.backward()</c>) and every term the
/// model's parts contribute, unweighted, by name. Likelihood terms are in nats per example.
/// </summary>
public abstract class ModelLoss : IDisposable
{
    private protected ModelLoss(Tensor total, IReadOnlyList<KeyValuePair<string, Tensor>> terms)
    {
        Total = total;
        Terms = [new(LossMetrics.TotalName, total), .. terms];
    }

    /// <summary>Σ weight · term: the objective that training minimises.</summary>
    public Tensor Total { get; }

    /// <summary>Every term by name, <c>total</c> first, for metrics and progress.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Terms { get; }

    /// <summary>The negative log-likelihood of the target under the decoder's output.</summary>
    public Tensor Reconstruction => this[LossMetrics.ReconstructionName];

    /// <summary>The term called <paramref name="name"/>, such as <c>sparsity</c>.</summary>
    /// <exception cref="KeyNotFoundException">The model has no such term; the message lists those it has.</exception>
    public Tensor this[string name] =>
        Terms.FirstOrDefault(term => term.Key == name).Value
        ?? throw new KeyNotFoundException($"This model's loss has no term '{name}'; it has {string.Join(", ", Terms.Select(term => term.Key))}.");

    /// <summary>Releases every tensor.</summary>
    public void Dispose()
    {
        foreach (var term in Terms)
        {
            term.Value.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>The loss of a deterministic autoencoder: the reconstruction term and any penalty its parts add.</summary>
public sealed class AutoencoderLoss : ModelLoss
{
    internal AutoencoderLoss(Tensor total, IReadOnlyList<KeyValuePair<string, Tensor>> terms)
        : base(total, terms)
    {
    }
}

/// <summary>The negative ELBO of a variational autoencoder, split into its terms.</summary>
public sealed class VariationalLoss : ModelLoss
{
    internal VariationalLoss(Tensor total, IReadOnlyList<KeyValuePair<string, Tensor>> terms)
        : base(total, terms)
    {
    }

    /// <summary>KL(q(z|x) ‖ N(0, I)) in closed form, in nats per example, before its weight β.</summary>
    public Tensor Kl => this[LossMetrics.KlName];
}
