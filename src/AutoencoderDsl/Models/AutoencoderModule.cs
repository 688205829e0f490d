using System.Collections.Generic;
using AutoencoderDsl.Parts;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>The base of every class declared with <c>[Autoencoder]</c>: a deterministic code.</summary>
public abstract class AutoencoderModule : AutoencoderModel
{
    /// <summary>Called by generated constructors.</summary>
    protected AutoencoderModule(string name, ModelSpec spec, long? seed)
        : base(name, spec, seed)
    {
    }

    /// <summary>The declared encoder followed by the linear map to the code (given the one-hot <paramref name="condition"/> of a conditional model).</summary>
    protected abstract Tensor EncodeCore(Tensor x, Tensor? condition);

    /// <summary>Maps a batch <c>[N, ...InputShape]</c> to its codes <c>[N, LatentDim]</c>.</summary>
    protected Tensor EncodeBatch(Tensor x, Tensor? labels) => Call("Encode", () =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        RequireLabels(labels, x.shape[0], nameof(labels));
        using var scope = NewDisposeScope();
        return EncodeCore(x, OneHot(labels)).MoveToOuterDisposeScope();
    });

    /// <summary>Encodes and decodes a batch, keeping the code.</summary>
    protected AutoencoderOutput ForwardBatch(Tensor x, Tensor? labels) => Call("forward", () =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        RequireLabels(labels, x.shape[0], nameof(labels));
        using var scope = NewDisposeScope();
        var condition = OneHot(labels);
        var code = EncodeCore(x, condition);
        var reconstruction = Spec.Likelihood.Output(DecodeCore(code, condition));
        return new AutoencoderOutput(reconstruction.MoveToOuterDisposeScope(), code.MoveToOuterDisposeScope());
    });

    /// <summary>The loss of reconstructing <paramref name="target"/> from <paramref name="input"/>, checked first.</summary>
    protected AutoencoderLoss LossBatch(Tensor input, Tensor target, Tensor? labels) => (AutoencoderLoss)CheckedLoss(input, target, labels);

    /// <summary>Maps a batch <c>[N, ...InputShape]</c> to its codes <c>[N, LatentDim]</c>.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    [WithoutLabels]
    public Tensor Encode(Tensor x) => EncodeBatch(x, labels: null);

    /// <summary>Encodes and decodes a batch, keeping the code: TorchSharp's <c>forward</c>, which <see cref="call"/> runs with the module's hooks.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    [WithoutLabels]
    public override AutoencoderOutput forward(Tensor x) => ForwardBatch(x, labels: null);

    /// <summary><see cref="forward"/> with the module's forward hooks, typed as this model's output.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    [WithoutLabels]
    public new AutoencoderOutput call(Tensor x) => (AutoencoderOutput)base.call(x);

    /// <summary>The loss of reconstructing a batch <c>[N, ...InputShape]</c> from itself; <c>Loss(x).Total.backward()</c> trains.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    [WithoutLabels]
    public AutoencoderLoss Loss(Tensor x) => LossBatch(x, x, labels: null);

    /// <summary>The loss of reconstructing <paramref name="target"/> from <paramref name="input"/>, such as a corrupted copy when denoising.</summary>
    /// <param name="input">What the model sees, <c>[N, ...InputShape]</c>.</param>
    /// <param name="target">What it should reconstruct, of the same shape.</param>
    [WithoutLabels]
    public AutoencoderLoss Loss(Tensor input, Tensor target) => LossBatch(input, target, labels: null);

    private protected override LatentCode EncodeLatent(Tensor x, Tensor? condition) => new(EncodeCore(x, condition));

    private protected override Tensor EmbedCore(Tensor x, Tensor? condition) => EncodeCore(x, condition);

    private protected override ModelLoss NewLoss(Tensor total, IReadOnlyList<KeyValuePair<string, Tensor>> terms) => new AutoencoderLoss(total, terms);
}
