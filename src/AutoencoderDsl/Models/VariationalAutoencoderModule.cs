using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Parts;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// The base of every class declared with <c>[Variational]</c>: a Gaussian posterior, the reparameterisation trick and
/// a standard-normal prior; its KL term is a loss part of its own.
/// </summary>
public abstract class VariationalAutoencoderModule : AutoencoderModel
{
    /// <summary>The most samples one call decodes; larger requests are an error rather than an exhausted memory.</summary>
    public const int MaxSamplesPerCall = 1 << 20;

    /// <summary>Called by generated constructors.</summary>
    protected VariationalAutoencoderModule(string name, ModelSpec spec, long? seed)
        : base(name, spec, seed)
    {
    }

    /// <summary>The declared encoder followed by the two linear heads, for the posterior mean and log-variance (given the one-hot <paramref name="condition"/> of a conditional model).</summary>
    protected abstract (Tensor Mean, Tensor LogVar) EncodeCore(Tensor x, Tensor? condition);

    /// <summary>The posterior of each example of a batch <c>[N, ...InputShape]</c>.</summary>
    protected VariationalCode EncodeBatch(Tensor x, Tensor? labels) => Call(() =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        RequireLabels(labels, x.shape[0], nameof(labels));
        using var scope = NewDisposeScope();
        var (mean, logVar) = EncodeCore(x, OneHot(labels));
        return new VariationalCode(mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    });

    /// <summary>Encodes a batch, draws one code per example from its posterior, and decodes it.</summary>
    protected VariationalOutput ForwardBatch(Tensor x, Tensor? labels) => Call(() =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        RequireLabels(labels, x.shape[0], nameof(labels));
        using var scope = NewDisposeScope();
        var condition = OneHot(labels);
        var (mean, logVar) = EncodeCore(x, condition);
        var z = Reparameterize(mean, logVar);
        var reconstruction = Spec.Likelihood.Output(DecodeCore(z, condition));
        return new VariationalOutput(
            reconstruction.MoveToOuterDisposeScope(),
            z.MoveToOuterDisposeScope(),
            mean.MoveToOuterDisposeScope(),
            logVar.MoveToOuterDisposeScope());
    });

    /// <summary>The negative ELBO of reconstructing <paramref name="target"/> from <paramref name="input"/>, checked first.</summary>
    protected VariationalLoss LossBatch(Tensor input, Tensor target, Tensor? labels) => (VariationalLoss)CheckedLoss(input, target, labels);

    /// <summary>Decodes <paramref name="count"/> codes drawn from the prior N(0, I), of the classes <paramref name="labels"/> for a conditional model.</summary>
    /// <param name="count">How many samples; from 1 to <see cref="MaxSamplesPerCall"/>.</param>
    /// <param name="labels">The class of each sample, <c>[count]</c>, for a conditional model; null otherwise.</param>
    /// <param name="generator">A seeded generator for repeatable samples; the global one when null.</param>
    protected Tensor SampleBatch(long count, Tensor? labels, Generator? generator) => Call(() =>
    {
        RequireSampleCount(count);
        RequireLabels(labels, count, nameof(labels));
        return Infer(() =>
        {
            var anyParameter = parameters().First();
            var z = randn([count, Spec.LatentDim], generator: generator).to(anyParameter.dtype).to(anyParameter.device);
            return Spec.Likelihood.Output(DecodeCore(z, OneHot(labels)));
        });
    });

    /// <summary>Decodes one prior draw for each of <paramref name="labels"/> <c>[N]</c>.</summary>
    protected Tensor SampleLabels(Tensor labels, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.ndim != 1)
        {
            throw new ArgumentException($"Expected labels of shape [N] but got {Shapes.Format(labels.shape)}.", nameof(labels));
        }

        return SampleBatch(labels.shape[0], labels, generator);
    }

    /// <summary>Decodes <paramref name="count"/> prior draws, all of class <paramref name="label"/>.</summary>
    protected Tensor SampleClass(int count, long label, Generator? generator)
    {
        RequireSampleCount(count);
        RequireLabel(label, nameof(label));
        using var labels = full([count], label, dtype: ScalarType.Int64);
        return SampleBatch(count, labels, generator);
    }

    private protected override LatentCode EncodeLatent(Tensor x, Tensor? condition)
    {
        var (mean, logVar) = EncodeCore(x, condition);
        return new LatentCode(Reparameterize(mean, logVar), mean, logVar);
    }

    private protected override Tensor EmbedCore(Tensor x, Tensor? condition) => EncodeCore(x, condition).Mean;

    private protected override ModelLoss NewLoss(Tensor total, IReadOnlyList<KeyValuePair<string, Tensor>> terms) => new VariationalLoss(total, terms);

    private static void RequireSampleCount(long count)
    {
        if (count < 1 || count > MaxSamplesPerCall)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"One call decodes from 1 to {MaxSamplesPerCall} samples; draw larger sets in several calls.");
        }
    }

    private static Tensor Reparameterize(Tensor mean, Tensor logVar) =>
        mean + ((0.5 * logVar).exp() * randn_like(mean));
}
