using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Parts;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// The base of every class declared with <c>[VectorQuantized]</c> (VQ-VAE): the encoder's output, mapped to the code
/// width, is replaced position by position by its nearest code in a learned codebook. <c>Encode</c> gives the code
/// indices and <c>Decode</c> takes them; <c>Sample</c> draws indices from <see cref="Prior"/>, fitted by <see cref="FitPrior(Tensor, int)"/>.
/// </summary>
public abstract class VectorQuantizedModule : AutoencoderModel
{
    private const string PriorGroup = "prior";

    /// <summary>The last training batch's encoder outputs, where dead codes restart at the epoch's end.</summary>
    private Tensor? lastEncoderOutputs;

    /// <summary>Called by generated constructors.</summary>
    protected VectorQuantizedModule(string name, ModelSpec spec, long? seed)
        : base(name, spec, seed)
    {
        Head = spec.Latent as VectorQuantizedLatent
            ?? throw new ArgumentException($"A vector-quantized model needs a {nameof(VectorQuantizedLatent)} head, but its spec has {spec.Latent.GetType().Name}.", nameof(spec));
    }

    /// <summary>The model's quantizer: its codebook, and how often each code was chosen since the last epoch ended.</summary>
    public abstract VectorQuantizer Quantizer { get; }

    /// <summary>
    /// The prior <c>Sample</c> draws code indices from: independent per position, fitted on the training data's codes by
    /// <see cref="FitPrior(Tensor, int)"/> (see <see cref="CodePrior"/> for what it is and is not). Saved and loaded with
    /// the model; the model owns it and disposes the one it replaces.
    /// </summary>
    public CodePrior? Prior
    {
        get;
        set
        {
            if (value is not null && (value.Codes != Head.Codes || !value.Grid.SequenceEqual(Head.Grid)))
            {
                throw new ArgumentException(
                    $"The prior draws {value.Codes} codes on the grid {Shapes.Format(value.Grid)}, but this model has {Head.Codes} codes on the grid {Shapes.Format(Head.Grid)}.",
                    nameof(value));
            }

            if (!ReferenceEquals(field, value))
            {
                field?.Dispose();
            }

            field = value;
        }
    }

    private VectorQuantizedLatent Head { get; }

    /// <summary>The declared encoder followed by the map to the code width: z_e, <c>[N, ...CodeShape]</c>.</summary>
    protected abstract Tensor EncodeCore(Tensor x, Tensor? condition);

    /// <summary>The nearest code of every position of each example, in the module's current mode (the indices carry no gradient): Int64 <c>[N]</c> for a code vector, <c>[N, ...grid]</c> otherwise.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    public Tensor Encode(Tensor x) => Call("Encode", () =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Quantizer.Encode(EncodeCore(x, null)).MoveToOuterDisposeScope();
    });

    /// <summary>Encodes, quantizes and decodes a batch, keeping the quantized code and its indices: TorchSharp's <c>forward</c>, which <see cref="call"/> runs with the module's hooks.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    public override VectorQuantizedOutput forward(Tensor x) => Call("forward", () =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        using var scope = NewDisposeScope();
        var quantization = Quantizer.forward(EncodeCore(x, null));
        var reconstruction = Spec.Likelihood.Output(DecodeCore(quantization.Quantized, null));
        return new VectorQuantizedOutput(
            reconstruction.MoveToOuterDisposeScope(),
            quantization.Quantized.MoveToOuterDisposeScope(),
            quantization.Indices.MoveToOuterDisposeScope());
    });

    /// <summary><see cref="forward"/> with the module's forward hooks, typed as this model's output.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    public new VectorQuantizedOutput call(Tensor x) => (VectorQuantizedOutput)base.call(x);

    /// <summary>The loss of a batch <c>[N, ...InputShape]</c> reconstructed from itself: reconstruction + codebook + β · commitment; <c>Loss(x).Total.backward()</c> trains.</summary>
    /// <param name="x">A batch <c>[N, ...InputShape]</c>.</param>
    public VectorQuantizedLoss Loss(Tensor x) => (VectorQuantizedLoss)CheckedLoss(x, x, null);

    /// <summary>The loss of reconstructing <paramref name="target"/> from <paramref name="input"/>, such as a corrupted copy when denoising.</summary>
    /// <param name="input">What the model sees, <c>[N, ...InputShape]</c>.</param>
    /// <param name="target">What it should reconstruct, of the same shape.</param>
    public VectorQuantizedLoss Loss(Tensor input, Tensor target) => (VectorQuantizedLoss)CheckedLoss(input, target, null);

    /// <summary>Decodes <paramref name="count"/> grids of code indices drawn from <see cref="Prior"/>: new data.</summary>
    /// <param name="count">How many samples; at least 1.</param>
    /// <param name="generator">A seeded generator for repeatable samples; libtorch's global one when null.</param>
    /// <exception cref="InvalidOperationException">No prior has been fitted.</exception>
    public Tensor Sample(int count, Generator? generator = null) => Call("Sample", () =>
    {
        var prior = Prior ?? throw new InvalidOperationException("A vector-quantized model samples code indices from a prior fitted on its training codes: call FitPrior(train) first (or load a model file saved after fitting one).");
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return Infer(() => Spec.Likelihood.Output(DecodeCore(Quantizer.Lookup(prior.Sample(count, generator).to(Quantizer.Codebook.device)), null)));
    });

    /// <summary>Fits <see cref="Prior"/> on the codes of <paramref name="train"/>, which <c>Sample</c> then draws from; it is saved with the model.</summary>
    /// <param name="train">The training examples <c>[N, ...InputShape]</c>.</param>
    /// <param name="batchSize">Examples encoded per pass.</param>
    public CodePrior FitPrior(Tensor train, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        Shapes.RequireBatch(train, Spec.InputShape, nameof(train));
        using var scope = NewDisposeScope();
        var indices = new List<Tensor>();
        for (long start = 0; start < train.shape[0]; start += batchSize)
        {
            indices.Add(TrainingCodes(train.narrow(0, start, Math.Min(batchSize, train.shape[0] - start))).cpu());
        }

        return Prior = CodePrior.Fit(cat(indices), Head.Codes);
    }

    /// <summary>Fits <see cref="Prior"/> on the codes of the examples of <paramref name="train"/>, read in batches.</summary>
    /// <param name="train">The training examples.</param>
    /// <param name="batchSize">Examples encoded per pass.</param>
    public CodePrior FitPrior(torch.utils.data.Dataset train, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        using var indices = Collect(train, nameof(train), batchSize, (x, _) => TrainingCodes(x));
        return Prior = CodePrior.Fit(indices.cpu(), Head.Codes);
    }

    /// <summary>The code indices of a batch of training data for the prior: in evaluation mode, as inference sees them.</summary>
    private Tensor TrainingCodes(Tensor x) => Call("FitPrior", () =>
    {
        Shapes.RequireBatch(x, Spec.InputShape, "train");
        return Infer(() => Quantizer.Encode(EncodeCore(x, null)));
    });

    /// <summary>Indices to codes for the decoder: Int64 <c>[N, ...grid]</c>, each in [0, Codes).</summary>
    private protected override Tensor DecoderInput(Tensor indices, string parameterName)
    {
        long[] grid = [.. Head.Grid];
        if (indices.dtype != ScalarType.Int64 || indices.dim() != grid.Length + 1 || !indices.shape.Skip(1).SequenceEqual(grid))
        {
            throw new ArgumentException(
                $"A vector-quantized model decodes code indices: Int64 [{string.Join(", ", ["N", .. grid.Select(dim => dim.ToString(System.Globalization.CultureInfo.InvariantCulture))])}], as Encode gives them, but got {indices.dtype} {Shapes.Format(indices.shape)}.",
                parameterName);
        }

        return Quantizer.Lookup(indices.to(Quantizer.Codebook.device));
    }

    private protected override LatentCode EncodeLatent(Tensor x, Tensor? condition)
    {
        var encoded = EncodeCore(x, condition);
        var quantization = Quantizer.forward(encoded);
        if (training && Head.RestartDeadCodes)
        {
            // A detached handle on the batch's own output, not a copy: nothing writes to z_e after it is made, and
            // every batch but an epoch's last is dropped unread.
            lastEncoderOutputs?.Dispose();
            lastEncoderOutputs = encoded.detach().DetachFromDisposeScope();
        }

        return new LatentCode(quantization.Quantized, Quantization: quantization);
    }

    private protected override Tensor EmbedCore(Tensor x, Tensor? condition)
    {
        using var scope = NewDisposeScope();
        return Quantizer.Lookup(Quantizer.Encode(EncodeCore(x, condition))).MoveToOuterDisposeScope();
    }

    private protected override ModelLoss NewLoss(Tensor total, IReadOnlyList<KeyValuePair<string, Tensor>> terms) => new VectorQuantizedLoss(total, terms);

    /// <summary>The usage's perplexity and count, then dead codes moved onto the last batch's encoder outputs and the usage reset.</summary>
    private protected override CodebookUsage EndTrainingEpoch()
    {
        using var scope = NewDisposeScope();
        var usage = Quantizer.Usage;
        double perplexity = Quantizer.Perplexity;
        int used = (int)usage.count_nonzero().item<long>();
        int restarted = 0;
        if (lastEncoderOutputs is { } outputs)
        {
            restarted = Quantizer.RestartDeadCodes(outputs, minimumUses: 1);
        }
        else
        {
            Quantizer.ResetUsage();
        }

        lastEncoderOutputs?.Dispose();
        lastEncoderOutputs = null;
        return new CodebookUsage(perplexity, used, restarted);
    }

    private protected override void WriteExtras(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
    {
        base.WriteExtras(tensors, metadata);
        if (Prior is { } prior)
        {
            foreach (var (name, tensor) in prior.Tensors)
            {
                tensors[PriorGroup + "." + name] = tensor;
            }
        }
    }

    private protected override void ReadExtras(ModelExtras extras, string path)
    {
        base.ReadExtras(extras, path);
        var prior = extras.Group(PriorGroup);
        try
        {
            Prior = prior.Count == 0 ? null : CodePrior.FromTensors(prior, Head.Codes, Head.Grid);
        }
        catch (InvalidOperationException invalid)
        {
            throw new System.IO.InvalidDataException($"'{path}' holds a code prior that does not fit this model: {invalid.Message}", invalid);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lastEncoderOutputs?.Dispose();
            lastEncoderOutputs = null;
            Prior = null;
        }

        base.Dispose(disposing);
    }
}

/// <summary>The result of a vector-quantized autoencoder's forward pass.</summary>
/// <param name="Reconstruction">The decoded batch, shaped like the input.</param>
/// <param name="Code">The quantized code the decoder received, <c>[N, ...CodeShape]</c>, with the straight-through gradient to the encoder.</param>
/// <param name="Indices">The chosen codes, Int64 <c>[N, ...grid]</c>.</param>
public sealed record VectorQuantizedOutput(Tensor Reconstruction, Tensor Code, Tensor Indices) : ModelOutput(Reconstruction, Code)
{
    /// <inheritdoc/>
    public override void Dispose()
    {
        base.Dispose();
        Indices.Dispose();
    }
}

/// <summary>The loss of a vector-quantized autoencoder: reconstruction, codebook and commitment terms.</summary>
public sealed class VectorQuantizedLoss : ModelLoss
{
    internal VectorQuantizedLoss(Tensor total, IReadOnlyList<KeyValuePair<string, Tensor>> terms)
        : base(total, terms)
    {
    }

    /// <summary>‖sg[z_e] − e‖² per example, before its weight 1: what trains the codebook.</summary>
    public Tensor Codebook => this[CodebookTerm.TermName];

    /// <summary>‖z_e − sg[e]‖² per example, before its weight β: what keeps the encoder near its codes.</summary>
    public Tensor Commitment => this[CommitmentTerm.TermName];
}
