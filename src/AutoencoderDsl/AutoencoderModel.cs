using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// What every generated autoencoder shares: input checks, decoding, inference helpers, training and persistence.
/// A generated class supplies only its layers (<see cref="DecodeCore"/> and the kind's encoder hook).
/// </summary>
/// <typeparam name="TOutput">The typed result of <c>forward</c>.</typeparam>
/// <typeparam name="TLoss">The typed loss terms.</typeparam>
public abstract class AutoencoderModel<TOutput, TLoss> : nn.Module<Tensor, TOutput>, ITrainableAutoencoder
    where TLoss : ILossTerms
{
    /// <summary>Seeds libtorch before the derived constructor creates (and so initialises) its layers.</summary>
    private protected AutoencoderModel(string name, AutoencoderSpec spec, long? seed)
        : base(name)
    {
        Spec = spec;
        if (seed is long value)
        {
            torch.manual_seed(value);
        }
    }

    /// <inheritdoc/>
    public AutoencoderSpec Spec { get; }

    nn.Module ITrainableAutoencoder.Module => this;

    /// <summary>Maps latent codes <c>[N, LatentDim]</c> to outputs shaped like the input (probabilities for a Bernoulli model).</summary>
    public Tensor Decode(Tensor z)
    {
        RequireCodes(z, nameof(z));
        using var scope = NewDisposeScope();
        return DecoderOutput(DecodeCore(z)).MoveToOuterDisposeScope();
    }

    /// <summary>Reconstructs a batch without gradients in evaluation mode.</summary>
    public Tensor Reconstruct(Tensor x)
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        return Infer(() => Decode(EmbedCore(x)));
    }

    /// <summary>The deterministic latent code of each example (the posterior mean for a VAE): the coordinates to plot.</summary>
    public Tensor Embed(Tensor x)
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        return Infer(() => EmbedCore(x));
    }

    /// <summary>Decodes <paramref name="steps"/> evenly spaced points on the line between the codes of two examples.</summary>
    /// <param name="a">One example, shaped like the input without a batch dimension.</param>
    /// <param name="b">Another example of the same shape.</param>
    /// <param name="steps">How many points, both ends included; at least 2.</param>
    public Tensor Interpolate(Tensor a, Tensor b, int steps)
    {
        Shapes.RequireExample(a, Spec.InputShape, nameof(a));
        Shapes.RequireExample(b, Spec.InputShape, nameof(b));
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        return Infer(() =>
        {
            var codes = EmbedCore(stack([a, b]));
            var weights = linspace(0, 1, steps, dtype: codes.dtype, device: codes.device).unsqueeze(1);
            return Decode(codes[0] * (1 - weights) + codes[1] * weights);
        });
    }

    /// <summary>The loss of reconstructing <paramref name="x"/> from itself; <c>Loss(x).Total.backward()</c> trains.</summary>
    public TLoss Loss(Tensor x) => Loss(x, x);

    /// <summary>The loss of reconstructing <paramref name="target"/> from <paramref name="input"/> (a corrupted copy, when denoising).</summary>
    public TLoss Loss(Tensor input, Tensor target)
    {
        Shapes.RequireBatch(input, Spec.InputShape, nameof(input));
        Shapes.RequireBatch(target, Spec.InputShape, nameof(target));
        if (input.shape[0] != target.shape[0])
        {
            throw new ArgumentException(
                $"Input and target must hold the same number of examples, but input has {input.shape[0]} and target {target.shape[0]}.",
                nameof(target));
        }

        return LossCore(input, target);
    }

    // The trainer has checked the whole data set once; batches skip the public entry's checks.
    ILossTerms ITrainableAutoencoder.ComputeLoss(Tensor input, Tensor target) => LossCore(input, target);

    /// <summary>Trains on <paramref name="train"/> (a batch <c>[N, ...InputShape]</c>) and returns the loss history.</summary>
    /// <remarks>
    /// <paramref name="progress"/> is called on the training thread; a <see cref="Progress{T}"/> posts its reports
    /// elsewhere, so use <see cref="SynchronousProgress{T}"/> for reports in order and before <c>Fit</c> returns.
    /// </remarks>
    public TrainingHistory Fit(
        Tensor train,
        FitOptions? options = null,
        Tensor? validation = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        Trainer.Fit(this, train, options ?? new FitOptions(), validation, progress, cancellationToken);

    /// <summary>The mean loss terms over <paramref name="data"/>, in evaluation mode and without gradients.</summary>
    public LossMetrics Evaluate(Tensor data, int batchSize = 256) => Trainer.Evaluate(this, data, batchSize);

    /// <summary>Writes the parameters to <paramref name="path"/> atomically: a crash leaves the old file or the new one, never half of one.</summary>
    public void Save(string path) => ModelFile.Save(this, path);

    /// <summary>Loads parameters saved by <see cref="Save"/> into a freshly built model; the generated static <c>Load</c> calls this.</summary>
    protected static TModel LoadInto<TModel>(TModel model, string path)
        where TModel : AutoencoderModel<TOutput, TLoss>
    {
        ModelFile.Load(model, path);
        return model;
    }

    /// <summary>The declared decoder applied to <paramref name="z"/>: logits when <see cref="AutoencoderSpec.DecoderEmitsLogits"/>.</summary>
    protected abstract Tensor DecodeCore(Tensor z);

    /// <summary>The code that inference uses for each example.</summary>
    private protected abstract Tensor EmbedCore(Tensor x);

    /// <summary>The loss terms, on inputs already checked.</summary>
    private protected abstract TLoss LossCore(Tensor input, Tensor target);

    /// <summary>Turns the raw decoder output into what callers see.</summary>
    private protected Tensor DecoderOutput(Tensor raw) => Spec.DecoderEmitsLogits ? raw.sigmoid() : raw;

    /// <summary>The negative log-likelihood of <paramref name="target"/> per example, averaged over the batch.</summary>
    private protected Tensor ReconstructionLoss(Tensor raw, Tensor target) =>
        Spec.Likelihood switch
        {
            Likelihood.Bernoulli when Spec.DecoderEmitsLogits => LossFunctions.BernoulliFromLogits(raw, target),
            Likelihood.Bernoulli => LossFunctions.BernoulliFromProbabilities(raw, target),
            Likelihood.Gaussian => LossFunctions.Gaussian(raw, target),
            _ => throw new InvalidOperationException($"Unknown likelihood {Spec.Likelihood}."),
        };

    private protected void RequireCodes(Tensor z, string parameterName) =>
        Shapes.RequireBatch(z, [Spec.LatentDim], parameterName);

    /// <summary>Runs <paramref name="compute"/> in evaluation mode without gradients, restoring the mode after, and scopes its temporaries.</summary>
    private protected Tensor Infer(Func<Tensor> compute)
    {
        bool wasTraining = training;
        eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            return compute().MoveToOuterDisposeScope();
        }
        finally
        {
            train(wasTraining);
        }
    }
}
