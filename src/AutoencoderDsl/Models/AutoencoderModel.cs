using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Parts;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// What every generated autoencoder shares: a TorchSharp module whose <c>forward</c> gives a <see cref="ModelOutput"/>,
/// input checks, the loss as the sum of its parts' terms, inference, training and persistence, and the public methods
/// over tensors and data sets. A generated class supplies its layers and hooks (<see cref="DecodeCore"/> and its latent
/// kind's <c>EncodeCore</c>); a class-conditional one adds each public method again with the labels it needs, since the
/// ones here take none (<see cref="WithoutLabelsAttribute"/>).
/// </summary>
public abstract partial class AutoencoderModel : nn.Module<Tensor, ModelOutput>, ITrainableAutoencoder
{
    /// <summary>Seeds libtorch before the derived constructor creates (and so initialises) its layers.</summary>
    private protected AutoencoderModel(string name, ModelSpec spec, long? seed)
        : base(name)
    {
        Spec = spec ?? throw new ArgumentNullException(nameof(spec));
        if (seed is long value)
        {
            torch.manual_seed(value);
        }
    }

    private bool disposed;

    /// <inheritdoc/>
    public ModelSpec Spec { get; }

    nn.Module ITrainableAutoencoder.Module => this;

    /// <inheritdoc/>
    int? ITrainableAutoencoder.Epoch { get; set; }

    /// <inheritdoc/>
    Generator? ITrainableAutoencoder.Draws { get => Draws; set => Draws = value; }

    /// <summary>Where posterior draws come from: see <see cref="ITrainableAutoencoder.Draws"/>.</summary>
    private protected Generator? Draws { get; set; }

    /// <summary>The declared decoder applied to <paramref name="z"/> (with the one-hot <paramref name="condition"/> of a conditional model): logits when the sigmoid is fused.</summary>
    protected abstract Tensor DecodeCore(Tensor z, Tensor? condition);

    /// <summary>The learned log σ of a Gaussian likelihood with a learned scale; null for every other likelihood.</summary>
    protected virtual Tensor? LogScale => null;

    /// <summary>Decodes codes <c>[N, LatentDim]</c> into outputs shaped like the input (probabilities for a Bernoulli model).</summary>
    protected Tensor DecodeBatch(Tensor z, Tensor? labels) => Call("Decode", () =>
    {
        ArgumentNullException.ThrowIfNull(z);
        RequireLabels(labels, z.shape.Length > 0 ? z.shape[0] : 0, nameof(labels));
        using var scope = NewDisposeScope();
        return Spec.Likelihood.Output(DecodeCore(DecoderInput(z, nameof(z)), OneHot(labels))).MoveToOuterDisposeScope();
    });

    /// <summary>Reconstructs a batch from its deterministic code, without gradients in evaluation mode.</summary>
    protected Tensor ReconstructBatch(Tensor x, Tensor? labels) => Call("Reconstruct", () =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        RequireLabels(labels, x.shape[0], nameof(labels));
        return Infer(() =>
        {
            var condition = OneHot(labels);
            return Spec.Likelihood.Output(DecodeCore(EmbedCore(x, condition), condition));
        });
    });

    /// <summary>The deterministic code of each example (the posterior mean for a VAE), without gradients in evaluation mode.</summary>
    protected Tensor EmbedBatch(Tensor x, Tensor? labels) => Call("Embed", () =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        RequireLabels(labels, x.shape[0], nameof(labels));
        return Infer(() => EmbedCore(x, OneHot(labels)).flatten(1));
    });

    /// <summary>Decodes <paramref name="steps"/> evenly spaced points between the codes of two examples (of class <paramref name="label"/>).</summary>
    protected Tensor InterpolateExamples(Tensor a, Tensor b, int steps, long? label) => Call("Interpolate", () =>
    {
        Shapes.RequireExample(a, Spec.InputShape, nameof(a));
        Shapes.RequireExample(b, Spec.InputShape, nameof(b));
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 2);
        RequireLabel(label, nameof(label));

        return Infer(() =>
        {
            var codes = EmbedCore(stack([a, b]), ConditionOfLabel(label, 2));
            // One weight per step, broadcast over a code of any rank ([D], or [D, H, W] for a grid of codes).
            var weights = linspace(0, 1, steps, dtype: codes.dtype, device: codes.device).view([steps, .. Enumerable.Repeat(1L, (int)codes.dim() - 1)]);
            var path = (codes[0] * (1 - weights)) + (codes[1] * weights);
            return Spec.Likelihood.Output(DecodeCore(path, ConditionOfLabel(label, steps)));
        });
    });

    /// <summary>The loss of reconstructing <paramref name="target"/> from <paramref name="input"/>, checked first.</summary>
    private protected ModelLoss CheckedLoss(Tensor input, Tensor target, Tensor? labels) => Call("Loss", () =>
    {
        Shapes.RequireBatch(input, Spec.InputShape, nameof(input));
        Shapes.RequireBatch(target, Spec.InputShape, nameof(target));
        if (input.shape[0] != target.shape[0])
        {
            throw new ArgumentException(
                $"Input and target must hold the same number of examples, but input has {input.shape[0]} and target {target.shape[0]}.",
                nameof(target));
        }

        RequireLabels(labels, input.shape[0], nameof(labels));
        return LossCore(input, target, labels, neighbours: null);
    });

    /// <summary>Trains on <paramref name="train"/> (<c>[N, ...InputShape]</c>) and returns the loss history.</summary>
    protected TrainingHistory FitData(
        Tensor train,
        Tensor? trainLabels,
        FitOptions? options,
        Tensor? validation,
        Tensor? validationLabels,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return Trainer.Fit(this, new TrainingData(train, trainLabels), options ?? new FitOptions(), validation is null ? null : new TrainingData(validation, validationLabels), progress, cancellationToken);
    }

    /// <summary>Decodes codes <c>[N, LatentDim]</c> (a vector-quantized model's code indices, as <c>Encode</c> gives them) into outputs shaped like the input (probabilities for a Bernoulli model).</summary>
    /// <param name="z">Codes <c>[N, LatentDim]</c>, or code indices.</param>
    [WithoutLabels]
    public Tensor Decode(Tensor z) => DecodeBatch(z, labels: null);

    /// <summary>Reconstructs a batch <c>[N, ...InputShape]</c> from its deterministic code, without gradients in evaluation mode.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    [WithoutLabels]
    public Tensor Reconstruct(Tensor x) => ReconstructBatch(x, labels: null);

    /// <summary>The code <c>[N, LatentDim]</c> of each example (a VAE's posterior mean; a vector-quantized model's chosen codes, flattened), without gradients in evaluation mode: the coordinates to plot.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    [WithoutLabels]
    public Tensor Embed(Tensor x) => EmbedBatch(x, labels: null);

    /// <summary>Decodes <paramref name="steps"/> evenly spaced points on the line between the codes of two examples.</summary>
    /// <param name="a">One example, shaped like <c>InputShape</c>, without a batch dimension.</param>
    /// <param name="b">Another example of the same shape.</param>
    /// <param name="steps">How many points, both ends included; at least 2.</param>
    [WithoutLabels]
    public Tensor Interpolate(Tensor a, Tensor b, int steps) => InterpolateExamples(a, b, steps, label: null);

    /// <summary>Trains on <paramref name="train"/> <c>[N, ...InputShape]</c> and returns one summary per epoch.</summary>
    /// <param name="train">The training examples <c>[N, ...InputShape]</c>.</param>
    /// <param name="options">Epochs, batch size, learning rate, seed, corruption, clipping and checkpointing; the defaults when null.</param>
    /// <param name="validation">Examples scored after every epoch; optional.</param>
    /// <param name="progress">Receives a report after every batch and every epoch, on the training thread.</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <returns>The loss history: the epochs of the run this call continues or resumes, then its own.</returns>
    [WithoutLabels]
    public TrainingHistory Fit(
        Tensor train,
        FitOptions? options = null,
        Tensor? validation = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        FitData(train, trainLabels: null, options, validation, validationLabels: null, progress, cancellationToken);

    /// <summary>The mean of each loss term over <paramref name="data"/>, in evaluation mode and without gradients.</summary>
    /// <param name="data">The examples <c>[N, ...InputShape]</c>.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    [WithoutLabels]
    public LossMetrics Evaluate(Tensor data, int batchSize = 256) => EvaluateData(data, labels: null, batchSize);

    /// <summary>
    /// Makes the next <c>Fit</c> start afresh from the parameters the model holds: epoch 1, a new optimizer, libtorch
    /// seeded from <see cref="FitOptions.Seed"/>. Without it, a <c>Fit</c> after a completed one continues that run: the
    /// optimizer's state, the epoch count (its <see cref="FitOptions.Epochs"/> are more epochs), the schedule and the
    /// loss-weight warm-up go on, and two calls of 2 epochs train exactly as one of 4.
    /// </summary>
    public void ResetTraining()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Trainer.ResetTraining(this);
    }

    /// <summary>The mean loss terms over <paramref name="data"/>, in evaluation mode and without gradients.</summary>
    protected LossMetrics EvaluateData(Tensor data, Tensor? labels, int batchSize)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return Trainer.Evaluate(this, new TrainingData(data, labels), batchSize);
    }

    /// <summary>
    /// Writes the parameters to <paramref name="path"/> atomically (a crash leaves the old file or the new one, never half
    /// of one), as a safetensors file with the state-dict names and a checksum; see <see cref="ModelFile"/>.
    /// </summary>
    /// <remarks>The file also carries the calibrated <see cref="AnomalyThreshold"/>, the <see cref="Standardizer"/> and a VAE's fitted sampler, when there are any.</remarks>
    public void Save(string path)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var use = ExclusiveUse.Enter(this, nameof(Save));
        var extras = new ModelExtras(new Dictionary<string, Tensor>(), new Dictionary<string, string>());
        WriteExtras((Dictionary<string, Tensor>)extras.Tensors, (Dictionary<string, string>)extras.Metadata);
        ModelFile.Save(this, path, extras);
    }

    /// <summary>Loads parameters saved by <see cref="Save"/> into a freshly built model, with what the file carries beside them; the generated static <c>Load</c> calls this.</summary>
    protected static TModel LoadInto<TModel>(TModel model, string path)
        where TModel : AutoencoderModel
    {
        try
        {
            using var extras = ModelFile.LoadWithExtras(model, path);
            model.ReadExtras(extras, path);
            return model;
        }
        catch
        {
            // The caller never sees the model a refused file was being loaded into.
            model.Dispose();
            throw;
        }
    }

    CodebookUsage? ITrainableAutoencoder.EndTrainingEpoch() => EndTrainingEpoch();

    /// <summary>What a part with state kept across a training epoch's batches does at its end, and reports; nothing by default.</summary>
    private protected virtual CodebookUsage? EndTrainingEpoch() => null;

    /// <summary>The decoder's input from what <c>Decode</c> was given, checked: the codes themselves, <c>[N, LatentDim]</c>.</summary>
    private protected virtual Tensor DecoderInput(Tensor z, string parameterName)
    {
        Shapes.RequireBatch(z, [Spec.LatentDim], parameterName);
        return z;
    }

    ModelLoss ITrainableAutoencoder.ComputeLoss(Tensor input, Tensor target, Tensor? labels, NeighbourExamples? neighbours) => LossCore(input, target, labels, neighbours);

    /// <summary>Encodes a batch for the loss: the code the decoder trains on (a posterior draw for a VAE).</summary>
    private protected abstract LatentCode EncodeLatent(Tensor x, Tensor? condition);

    /// <summary>The deterministic code that inference uses for each example.</summary>
    private protected abstract Tensor EmbedCore(Tensor x, Tensor? condition);

    /// <summary>The typed loss of the model's latent kind.</summary>
    private protected abstract ModelLoss NewLoss(Tensor total, IReadOnlyList<KeyValuePair<string, Tensor>> terms);

    /// <summary>
    /// The loss on checked inputs: a denoising model corrupts the input while training; every declared term is computed
    /// once and the total is their sum, each weighted for the epoch being trained.
    /// </summary>
    private ModelLoss LossCore(Tensor input, Tensor target, Tensor? labels, NeighbourExamples? neighbours)
    {
        using var scope = NewDisposeScope();
        if (training && Spec.Corruption is { } corruption)
        {
            input = corruption.Apply(input);
        }

        var condition = OneHot(labels);
        var (code, neighbourhood) = EncodeWithNeighbours(input, target, condition, neighbours);
        var decoded = DecodeCore(code.Z, condition);
        var logScale = LogScale;
        if (input.dtype != target.dtype)
        {
            // A bfloat16 working copy in training (FitOptions.Precision): the loss is taken in the target's float32.
            var type = target.dtype;
            code = code with { Z = code.Z.to(type), Mean = code.Mean?.to(type), LogVar = code.LogVar?.to(type) };
            neighbourhood = neighbourhood is null ? null : neighbourhood with { Tails = neighbourhood.Tails.to(type), Pool = neighbourhood.Pool.to(type) };
            decoded = decoded.to(type);
            logScale = logScale?.to(type);
        }

        var inputs = new LossInputs(decoded, target, code, Spec.Likelihood, logScale, neighbourhood);
        int? epoch = ((ITrainableAutoencoder)this).Epoch;
        var terms = new List<KeyValuePair<string, Tensor>>(Spec.LossTerms.Count);
        Tensor? total = null;
        foreach (var term in Spec.LossTerms)
        {
            var value = term.Compute(inputs);
            double weight = term.WeightAt(epoch);
            var weighted = weight == 1 ? value : value * weight;
            total = total is null ? weighted : total + weighted;
            terms.Add(new(term.Name, value));
        }

        foreach (var term in terms)
        {
            term.Value.MoveToOuterDisposeScope();
        }

        // The reconstruction term alone is the total when nothing is added to it: alias it, so each tensor is disposed once.
        return NewLoss(ReferenceEquals(total, terms[0].Value) ? total!.alias().MoveToOuterDisposeScope() : total!.MoveToOuterDisposeScope(), terms);
    }

    /// <summary>
    /// Encodes the batch for the loss and, for a model with the neighbourhood part, the codes its term reads. With the
    /// training graph's <paramref name="neighbours"/>, the batch and its neighbours go through the encoder in one pass
    /// (so normalisation layers see them as one batch). Without them (evaluation, or <c>Loss</c>), each example is paired
    /// with its nearest other example of the batch, by the distance between the clean <paramref name="target"/>s, and
    /// pushed from the batch.
    /// </summary>
    private (LatentCode Code, NeighbourCodes? Neighbourhood) EncodeWithNeighbours(Tensor input, Tensor target, Tensor? condition, NeighbourExamples? neighbours)
    {
        if (Spec.Neighbourhood is null)
        {
            return (EncodeLatent(input, condition), null);
        }

        long batch = input.shape[0];
        if (neighbours is null)
        {
            var code = EncodeLatent(input, condition);
            var heads = (code.Mean ?? code.Z).flatten(1);
            var flat = target.flatten(1);
            var nearest = batch > 1
                ? cdist(flat, flat).masked_fill(eye(batch, dtype: ScalarType.Bool, device: flat.device), double.PositiveInfinity).argmin(1)
                : zeros(1, dtype: ScalarType.Int64, device: flat.device);
            return (code, new NeighbourCodes(heads.index_select(0, nearest), heads));
        }

        var both = EncodeLatent(cat([input, neighbours.Examples]), condition is null ? null : cat([condition, OneHot(neighbours.Labels)!]));
        var all = (both.Mean ?? both.Z).flatten(1);
        var own = new LatentCode(both.Z.narrow(0, 0, batch), both.Mean?.narrow(0, 0, batch), both.LogVar?.narrow(0, 0, batch));
        return (own, new NeighbourCodes(all.narrow(0, batch, batch), all));
    }

    /// <summary>
    /// Marks the model disposed, so a later call fails with <see cref="ObjectDisposedException"/> rather than deep in
    /// libtorch, and frees what its last <c>Fit</c> kept for the next.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        disposed = true;
        if (disposing)
        {
            Trainer.ResetTraining(this);
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Runs the public operation <paramref name="name"/>: refused once the model is disposed or while another thread
    /// uses it (see <see cref="ExclusiveUse"/>), and with libtorch's errors cut to their first line.
    /// </summary>
    private protected T Call<T>(string name, Func<T> operation)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using var use = ExclusiveUse.Enter(this, name);
        return NativeErrors.Guard(operation);
    }

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

    /// <summary>The one-hot condition of <paramref name="labels"/>, already checked, in the parameters' type and device; null without labels.</summary>
    private protected Tensor? OneHot(Tensor? labels)
    {
        if (labels is null)
        {
            return null;
        }

        var anyParameter = parameters().First();
        return RequireCondition().OneHot(labels, anyParameter.dtype, anyParameter.device);
    }

    /// <summary>The one-hot condition of <paramref name="count"/> examples of one class, already checked, or null.</summary>
    private protected Tensor? ConditionOfLabel(long? label, long count) =>
        label is long value ? OneHot(full([count], value, dtype: ScalarType.Int64)) : null;

    /// <summary>Labels are required exactly when the model is class-conditional, and then checked.</summary>
    private protected void RequireLabels(Tensor? labels, long count, string parameterName)
    {
        if (Spec.Condition is { } condition)
        {
            condition.RequireLabels(labels, count, parameterName);
        }
        else if (labels is not null)
        {
            throw new ArgumentException("This model is not class-conditional, so it takes no labels; declare [ClassConditional] to condition it.", parameterName);
        }
    }

    /// <summary>A single label is required exactly when the model is class-conditional, and then checked.</summary>
    private protected void RequireLabel(long? label, string parameterName)
    {
        if (Spec.Condition is { } condition)
        {
            condition.RequireLabel(label ?? throw new ArgumentNullException(parameterName, $"This model is conditioned on {condition.Classes} classes, so it needs a label."), parameterName);
        }
        else if (label is not null)
        {
            throw new ArgumentException("This model is not class-conditional, so it takes no label; declare [ClassConditional] to condition it.", parameterName);
        }
    }

    private protected ClassCondition RequireCondition() =>
        Spec.Condition ?? throw new InvalidOperationException("This model is not class-conditional; declare [ClassConditional] to condition it on a label.");
}
