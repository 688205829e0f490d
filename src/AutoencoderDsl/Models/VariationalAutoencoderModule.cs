using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Parts;
using AutoencoderDsl.Training;
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

    /// <summary>The posterior draws averaged for the reconstruction term of a −ELBO score.</summary>
    public const int ElboDraws = 16;

    /// <summary>The most decodes one step of <c>LogLikelihood</c> makes: examples × importance samples, so k = 1000 fits in memory.</summary>
    public const int DecodesPerStep = 4096;

    private const string SamplerGroup = "sampler";

    /// <summary>Called by generated constructors.</summary>
    protected VariationalAutoencoderModule(string name, ModelSpec spec, long? seed)
        : base(name, spec, seed)
    {
    }

    /// <summary>The declared encoder followed by the two linear heads, for the posterior mean and log-variance (given the one-hot <paramref name="condition"/> of a conditional model).</summary>
    protected abstract (Tensor Mean, Tensor LogVar) EncodeCore(Tensor x, Tensor? condition);

    /// <summary>The posterior of each example of a batch <c>[N, ...InputShape]</c>.</summary>
    protected VariationalCode EncodeBatch(Tensor x, Tensor? labels) => Call("Encode", () =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        RequireLabels(labels, x.shape[0], nameof(labels));
        using var scope = NewDisposeScope();
        var (mean, logVar) = EncodeCore(x, OneHot(labels));
        return new VariationalCode(mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    });

    /// <summary>Encodes a batch, draws one code per example from its posterior, and decodes it.</summary>
    protected VariationalOutput ForwardBatch(Tensor x, Tensor? labels) => Call("forward", () =>
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

    /// <summary>The posterior of each example: means and log-variances <c>[N, LatentDim]</c>.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    [WithoutLabels]
    public VariationalCode Encode(Tensor x) => EncodeBatch(x, labels: null);

    /// <summary>Encodes a batch, draws one code per example from its posterior, and decodes it: TorchSharp's <c>forward</c>, which <see cref="call"/> runs with the module's hooks.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    [WithoutLabels]
    public override VariationalOutput forward(Tensor x) => ForwardBatch(x, labels: null);

    /// <summary><see cref="forward"/> with the module's forward hooks, typed as this model's output.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    [WithoutLabels]
    public new VariationalOutput call(Tensor x) => (VariationalOutput)base.call(x);

    /// <summary>Decodes <paramref name="count"/> codes drawn from the prior N(0, I), or from <see cref="Sampler"/> once fitted: new data.</summary>
    /// <param name="count">How many samples.</param>
    /// <param name="generator">A seeded generator for repeatable samples; libtorch's global one when null.</param>
    [WithoutLabels]
    public Tensor Sample(int count, Generator? generator = null) => SampleBatch(count, labels: null, generator);

    /// <summary>The negative ELBO of a batch <c>[N, ...InputShape]</c>, reconstructed from itself; <c>Loss(x).Total.backward()</c> trains.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    [WithoutLabels]
    public VariationalLoss Loss(Tensor x) => LossBatch(x, x, labels: null);

    /// <summary>The negative ELBO of reconstructing <paramref name="target"/> from <paramref name="input"/>, such as a corrupted copy when denoising.</summary>
    /// <param name="input">What the model sees, <c>[N, ...InputShape]</c>.</param>
    /// <param name="target">What it should reconstruct, of the same shape.</param>
    [WithoutLabels]
    public VariationalLoss Loss(Tensor input, Tensor target) => LossBatch(input, target, labels: null);

    /// <summary>The importance-weighted estimate of log p(x) of each example, <c>[N]</c> float64 in nats (the IWAE bound): at least the ELBO, and tighter as <paramref name="samples"/> grows. Deterministic: the draws are seeded privately.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    /// <param name="samples">The k of the bound: posterior draws per example; at least 1.</param>
    [WithoutLabels]
    public Tensor LogLikelihood(Tensor x, int samples = 1000) => LogLikelihoodOf(x, labels: null, samples);

    /// <summary>Fits <see cref="Sampler"/>, a Gaussian mixture on the posterior means of the training data, which <c>Sample</c> then draws codes from instead of the prior; it is saved with the model.</summary>
    /// <param name="train">The training examples <c>[N, ...InputShape]</c>.</param>
    /// <param name="components">The number of Gaussians in the mixture.</param>
    /// <param name="seed">Seeds the mixture's starting means.</param>
    /// <param name="batchSize">Examples encoded per pass.</param>
    [WithoutLabels]
    public GaussianMixture FitSampler(Tensor train, int components = 10, long seed = 0, int batchSize = 256) =>
        FitSamplerOn(train, labels: null, components, seed, batchSize);

    /// <summary>
    /// The sampler <c>Sample</c> draws codes from instead of the prior N(0, I): a Gaussian mixture fitted on the codes of
    /// the training data by <c>FitSampler</c>. Saved and loaded with the model; set it to null to sample from the prior
    /// again. The model owns it and disposes the one it replaces.
    /// </summary>
    public GaussianMixture? Sampler
    {
        get;
        set
        {
            if (value is not null && value.Dimensions != Spec.LatentDim)
            {
                throw new ArgumentException($"The sampler draws {value.Dimensions}-dimensional codes but this model's codes have {Spec.LatentDim} dimensions.", nameof(value));
            }

            if (!ReferenceEquals(field, value))
            {
                field?.Dispose();
            }

            field = value;
        }
    }

    /// <summary>
    /// Fits <see cref="Sampler"/>: a mixture of <paramref name="components"/> Gaussians on the posterior means of
    /// <paramref name="train"/>, so that samples come from where the training data's codes are.
    /// </summary>
    protected GaussianMixture FitSamplerOn(Tensor train, Tensor? labels, int components, long seed, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        using var scope = NewDisposeScope();
        var codes = new List<Tensor>();
        for (long start = 0; start < train.shape[0]; start += batchSize)
        {
            long size = Math.Min(batchSize, train.shape[0] - start);
            codes.Add(EmbedBatch(train.narrow(0, start, size), labels?.narrow(0, start, size)).cpu());
        }

        return Sampler = GaussianMixture.Fit(cat(codes), components, seed: seed);
    }

    /// <summary>
    /// Fits <see cref="Sampler"/>, a Gaussian mixture on the posterior means of the examples of <paramref name="train"/>,
    /// read in batches, which <c>Sample</c> then draws codes from instead of the prior; it is saved with the model.
    /// </summary>
    /// <param name="train">The training examples (with labels for a class-conditional model).</param>
    /// <param name="components">The number of Gaussians in the mixture.</param>
    /// <param name="seed">Seeds the mixture's starting means.</param>
    /// <param name="batchSize">Examples encoded per pass.</param>
    public GaussianMixture FitSampler(torch.utils.data.Dataset train, int components = 10, long seed = 0, int batchSize = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        using var codes = Embed(train, batchSize);
        using var onHost = codes.cpu();
        return Sampler = GaussianMixture.Fit(onHost, components, seed: seed);
    }

    /// <summary>
    /// Decodes <paramref name="count"/> codes drawn from the prior (or <see cref="Sampler"/> once fitted), all of the class
    /// named <paramref name="className"/> in <see cref="AutoencoderModel.ClassNames"/>: new examples of a kind asked for by
    /// name, such as <c>Sample(16, "A")</c>.
    /// </summary>
    /// <param name="count">How many samples.</param>
    /// <param name="className">The name of the class, as the data set named it (an image folder's subfolder).</param>
    /// <param name="generator">A seeded generator for repeatable samples; libtorch's global one when null.</param>
    /// <exception cref="InvalidOperationException">The model is not class-conditional, or its classes have no names.</exception>
    /// <exception cref="ArgumentException">No class has that name.</exception>
    public Tensor Sample(int count, string className, Generator? generator = null) =>
        SampleClass(count, ClassIndex(className), generator);

    /// <summary>
    /// The importance-weighted estimate of log p(x) of each example, <c>[N]</c> float64 in nats: the IWAE bound with
    /// <paramref name="samples"/> posterior draws, log (1/k) Σᵢ p(x|zᵢ) p(zᵢ) / q(zᵢ|x). It is at least the ELBO and
    /// tightens towards log p(x) as k grows. Draws are seeded privately, so the same call gives the same figures.
    /// </summary>
    protected Tensor LogLikelihoodOf(Tensor x, Tensor? labels, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        using var scores = AnomalyScores(x, labels, new AnomalyScoring { ImportanceSamples = samples }, Math.Max(1, DecodesPerStep / samples));
        return scores.neg();
    }

    /// <summary>−ELBO (β = 1, whatever β trains with) or, with importance samples, −IWAE, of each example.</summary>
    private protected override Tensor ScoreCore(Tensor x, Tensor? condition, int importanceSamples)
    {
        var (mean, logVar) = EncodeCore(x, condition);
        if (importanceSamples == 0)
        {
            var reconstruction = zeros(x.shape[0], dtype: ScalarType.Float64, device: x.device);
            foreach (var draws in Chunks(ElboDraws, x.shape[0]))
            {
                using var scope = NewDisposeScope();
                var (decoded, target, _, _) = DecodeDraws(x, condition, mean, logVar, draws);
                var nll = Spec.Likelihood.ExampleNegativeLogLikelihood(decoded, target, LogScale).view(draws, -1);
                reconstruction.add_(nll.sum(dim: 0).to(ScalarType.Float64));
            }

            return (reconstruction / ElboDraws) + LossFunctions.GaussianKlPerExample(mean, logVar).to(ScalarType.Float64);
        }

        // log Σᵢ wᵢ accumulated chunk by chunk, so k draws of a batch never need k decodes at once.
        Tensor? logSum = null;
        foreach (var draws in Chunks(importanceSamples, x.shape[0]))
        {
            using var scope = NewDisposeScope();
            var (decoded, target, z, noise) = DecodeDraws(x, condition, mean, logVar, draws);
            var logLikelihood = Spec.Likelihood.ExampleNegativeLogLikelihood(decoded, target, LogScale).view(draws, -1).neg();
            var logPrior = -0.5 * (z.square() + Math.Log(2 * Math.PI)).sum(2);
            var logPosterior = -0.5 * (noise.square() + Math.Log(2 * Math.PI) + logVar).sum(2);
            var chunk = (logLikelihood + logPrior - logPosterior).to(ScalarType.Float64).logsumexp(0);
            logSum = (logSum is null ? chunk : logaddexp(logSum, chunk)).MoveToOuterDisposeScope();
        }

        return (Math.Log(importanceSamples) - logSum!);
    }

    /// <summary>
    /// <paramref name="draws"/> posterior draws per example, decoded in one pass: outputs and targets
    /// <c>[draws · N, ...]</c> (draw-major), and the codes and their standard-normal noise <c>[draws, N, D]</c>.
    /// </summary>
    private (Tensor Decoded, Tensor Target, Tensor Z, Tensor Noise) DecodeDraws(Tensor x, Tensor? condition, Tensor mean, Tensor logVar, int draws)
    {
        long count = x.shape[0];
        var noise = StandardNormal([draws, count, Spec.LatentDim], mean);
        var z = mean + ((HeldScalars.Half * logVar).exp() * noise);
        var repeated = condition?.repeat(draws, 1);
        var decoded = DecodeCore(z.view(draws * count, Spec.LatentDim), repeated);
        var target = x.unsqueeze(0).expand([draws, .. x.shape]).reshape([draws * count, .. x.shape[1..]]);
        return (decoded, target, z, noise);
    }

    /// <summary>Splits <paramref name="draws"/> into chunks of at most <see cref="DecodesPerStep"/> decodes for a batch of <paramref name="examples"/>.</summary>
    private static IEnumerable<int> Chunks(int draws, long examples)
    {
        int chunk = (int)Math.Max(1, Math.Min(draws, DecodesPerStep / Math.Max(1, examples)));

        // Counted in 64 bits: near int.MaxValue draws an int count would wrap and never reach the end.
        for (long done = 0; done < draws; done += chunk)
        {
            yield return (int)Math.Min(chunk, draws - done);
        }
    }

    private protected override void WriteExtras(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
    {
        base.WriteExtras(tensors, metadata);
        if (Sampler is { } sampler)
        {
            foreach (var (name, tensor) in sampler.Tensors())
            {
                tensors[SamplerGroup + "." + name] = tensor;
            }
        }
    }

    private protected override void ReadExtras(ModelExtras extras, string path)
    {
        base.ReadExtras(extras, path);
        var sampler = extras.Group(SamplerGroup);
        Sampler = sampler.Count == 0 ? null : GaussianMixture.FromTensors(sampler, Spec.LatentDim, path);
    }

    /// <summary>Decodes <paramref name="count"/> codes drawn from the prior N(0, I), of the classes <paramref name="labels"/> for a conditional model.</summary>
    /// <param name="count">How many samples; from 1 to <see cref="MaxSamplesPerCall"/>.</param>
    /// <param name="labels">The class of each sample, <c>[count]</c>, for a conditional model; null otherwise.</param>
    /// <param name="generator">A seeded generator for repeatable samples; the global one when null.</param>
    protected Tensor SampleBatch(long count, Tensor? labels, Generator? generator) => Call("Sample", () =>
    {
        RequireSampleCount(count);
        RequireLabels(labels, count, nameof(labels));
        return Infer(() =>
        {
            var anyParameter = parameters().First();
            var z = (Sampler is { } sampler ? sampler.Sample(count, generator) : randn([count, Spec.LatentDim], generator: generator))
                .to(anyParameter.dtype).to(anyParameter.device);
            return Spec.Likelihood.Output(DecodeCore(z, OneHot(labels)));
        });
    });

    /// <summary>Decodes one prior draw for each of <paramref name="labels"/> <c>[N]</c>.</summary>
    protected Tensor SampleLabels(Tensor labels, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.ndim != 1)
        {
            // A count given here as a 0-d tensor (Sample(64) binds here through TorchSharp's implicit conversion, which
            // ADSL039 reports where the analyzer runs) is a request for samples of one class.
            throw new ArgumentException($"Expected labels of shape [N], one class per sample, but got {Shapes.Format(labels.shape)}; to draw a number of samples of one class, call Sample(count, label).", nameof(labels));
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

    /// <summary>A posterior draw, from <see cref="AutoencoderModel.Draws"/> when it is set (while evaluating).</summary>
    // mean + σ·ε as one addcmul, which also saves the backward pass a node.
    private Tensor Reparameterize(Tensor mean, Tensor logVar) =>
        mean.addcmul((HeldScalars.Half * logVar).exp(), StandardNormal(mean.shape, mean), HeldScalars.One);

    /// <summary>Standard-normal noise shaped <paramref name="shape"/>, like <paramref name="like"/> in type and device.</summary>
    private protected Tensor StandardNormal(long[] shape, Tensor like) =>
        randn(shape, dtype: like.dtype, device: like.device, generator: Draws);
}
