using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Export;

namespace AutoencoderDsl.Parts;

/// <summary>
/// The latent head of a model at run time: the linear maps from the encoder's features (joined with the condition) to
/// the code. It owns what differs between kinds of code outside the forward pass: its state-dict names, its PyTorch
/// form and its ONNX form, so the exports ask the head instead of testing which kind it is.
/// </summary>
public abstract record LatentHead
{
    private protected LatentHead(int latentDim) =>
        LatentDim = latentDim > 0 ? latentDim : throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "LatentDim must be positive.");

    /// <summary>The width of the code.</summary>
    public int LatentDim { get; }

    /// <summary>
    /// The state-dict names of the head's maps, each with a <c>.weight</c> <c>[LatentDim, features]</c> (a 1 × 1
    /// convolution's <c>[LatentDim, features, 1, …]</c>) and a <c>.bias</c>; the first gives the deterministic code.
    /// </summary>
    public abstract IReadOnlyList<string> StateDictNames { get; }

    /// <summary>
    /// Whether the model's anomaly score is the negative log-likelihood of its reconstruction from the deterministic
    /// code, which an exported graph can compute; a VAE's −ELBO averages random posterior draws instead.
    /// </summary>
    public abstract bool ScoresItsReconstruction { get; }

    /// <summary>What <c>encode</c> returns in the PyTorch twin, for its docstring.</summary>
    public abstract string PyTorchEncodes { get; }

    /// <summary>The twin's <c>encode</c> result from the Python value <c>features</c>: a Python expression.</summary>
    public abstract string PyTorchEncode { get; }

    /// <summary>The deterministic code from the twin's <c>encode(x, labels)</c>: a Python expression.</summary>
    public abstract string PyTorchEmbed { get; }

    /// <summary>
    /// The lines of the twin's <c>loss</c> (at its indentation) that set <c>z</c>, <c>mean</c> and <c>log_var</c> from
    /// <c>input</c> and <c>labels</c>, with <c>noise</c> the standard-normal draw when the caller gives one.
    /// </summary>
    public abstract IReadOnlyList<string> PyTorchDraw { get; }

    /// <summary>The lines of the twin's <c>sample</c> method (at class indentation), or none for a head without a prior.</summary>
    public virtual IReadOnlyList<string> PyTorchSample => [];

    /// <summary>The Python classes the head's modules need beyond PyTorch's, written once before the model's class.</summary>
    public virtual IReadOnlyList<string> PyTorchDefinitions => [];

    /// <summary>The twin's lines that build the head's maps from <paramref name="features"/> inputs, at <c>__init__</c>'s indentation.</summary>
    public virtual IEnumerable<string> PyTorchModules(long features)
    {
        foreach (var name in StateDictNames)
        {
            yield return $"self.{name} = {new Linear(0, features, LatentDim).PyTorch}";
        }
    }

    /// <summary>What the twin's <c>forward</c> decodes to reconstruct <c>x</c>, what its <c>decode</c> takes: a Python expression.</summary>
    public virtual string PyTorchReconstructionCode => "self.embed(x, labels)";

    /// <summary>The decoder's input from <paramref name="code"/>, what the twin's <c>decode</c> takes: a Python expression.</summary>
    public virtual string PyTorchDecoderInput(string code) => code;

    /// <summary>The encoder graph's outputs, from the encoder's <paramref name="features"/>: what <c>Encode</c> gives, each value named as the output it is.</summary>
    public abstract IReadOnlyList<OnnxValue> OnnxEncode(IOnnxGraph graph, string features);

    /// <summary>
    /// The deterministic code, what <c>Embed</c> gives, from the encoder's <paramref name="features"/>, as the value
    /// <paramref name="output"/>; and the value the decoder reads to reconstruct from it.
    /// </summary>
    public abstract (OnnxValue Code, string DecoderInput) OnnxEmbed(IOnnxGraph graph, string features, string output);

    /// <summary>The decoder graph's input: what <c>Decode</c> takes.</summary>
    public virtual OnnxValue OnnxDecoderInput => new("z", OnnxElementType.Float, [LatentDim]);

    /// <summary>The value the decoder reads from the decoder graph's <paramref name="input"/>, <see cref="OnnxDecoderInput"/>.</summary>
    public virtual string OnnxDecode(IOnnxGraph graph, string input) => input;
}

/// <summary>A deterministic code: one linear map, state-dict name <c>code</c>, through a sigmoid when a sparsity target needs activations in (0, 1).</summary>
/// <param name="LatentDim">The width of the code.</param>
/// <param name="Squashed">Whether the code passes through a sigmoid.</param>
public sealed record DeterministicLatent(int LatentDim, bool Squashed = false) : LatentHead(LatentDim)
{
    private const string Name = StateNames.Code;

    /// <inheritdoc/>
    public override IReadOnlyList<string> StateDictNames => [Name];

    /// <inheritdoc/>
    public override bool ScoresItsReconstruction => true;

    /// <inheritdoc/>
    public override string PyTorchEncodes => "The code";

    /// <inheritdoc/>
    public override string PyTorchEncode => Squashed ? $"torch.sigmoid(self.{Name}(features))" : $"self.{Name}(features)";

    /// <inheritdoc/>
    public override string PyTorchEmbed => "self.encode(x, labels)";

    /// <inheritdoc/>
    public override IReadOnlyList<string> PyTorchDraw => ["z = self.encode(input, labels)", "mean = log_var = None"];

    /// <inheritdoc/>
    public override IReadOnlyList<OnnxValue> OnnxEncode(IOnnxGraph graph, string features) => [OnnxEmbed(graph, features, Name).Code];

    /// <inheritdoc/>
    public override (OnnxValue Code, string DecoderInput) OnnxEmbed(IOnnxGraph graph, string features, string output)
    {
        var code = Squashed
            ? graph.Node("Sigmoid", [Linear.OnnxMap(graph, features, Name, graph.Next(Name + "_linear"))], output)
            : Linear.OnnxMap(graph, features, Name, output);
        return (new OnnxValue(code, OnnxElementType.Float, [LatentDim]), code);
    }
}

/// <summary>
/// A diagonal Gaussian posterior: linear maps to its mean and log-variance, state-dict names <c>mean</c> and
/// <c>log_var</c>; the code is one draw by the reparameterisation trick, and the prior N(0, I) gives samples.
/// </summary>
/// <param name="LatentDim">The width of the code.</param>
public sealed record GaussianLatent(int LatentDim) : LatentHead(LatentDim)
{
    private const string Mean = StateNames.Mean;
    private const string LogVar = StateNames.LogVar;

    /// <inheritdoc/>
    public override IReadOnlyList<string> StateDictNames => [Mean, LogVar];

    /// <inheritdoc/>
    public override bool ScoresItsReconstruction => false;

    /// <inheritdoc/>
    public override string PyTorchEncodes => "The posterior's mean and log-variance";

    /// <inheritdoc/>
    public override string PyTorchEncode => $"self.{Mean}(features), self.{LogVar}(features)";

    /// <inheritdoc/>
    public override string PyTorchEmbed => "self.encode(x, labels)[0]";

    /// <inheritdoc/>
    public override IReadOnlyList<string> PyTorchDraw =>
    [
        "mean, log_var = self.encode(input, labels)",
        "noise = torch.randn_like(mean) if noise is None else noise",
        "z = mean + torch.exp(0.5 * log_var) * noise",
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<string> PyTorchSample =>
    [
        "def sample(self, count, labels=None, generator=None):",
        "    \"\"\"Decodes count codes drawn from the prior N(0, I).\"\"\"",
        "    z = torch.randn(count, self.latent_dim, generator=generator).to(next(self.parameters()))",
        "    return self.decode(z, labels)",
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<OnnxValue> OnnxEncode(IOnnxGraph graph, string features) =>
    [
        new(Linear.OnnxMap(graph, features, Mean, Mean), OnnxElementType.Float, [LatentDim]),
        new(Linear.OnnxMap(graph, features, LogVar, LogVar), OnnxElementType.Float, [LatentDim]),
    ];

    /// <inheritdoc/>
    public override (OnnxValue Code, string DecoderInput) OnnxEmbed(IOnnxGraph graph, string features, string output)
    {
        var mean = Linear.OnnxMap(graph, features, Mean, output);
        return (new OnnxValue(mean, OnnxElementType.Float, [LatentDim]), mean);
    }
}

/// <summary>
/// A vector-quantized code: a map from the encoder's features to <see cref="LatentHead.LatentDim"/> channels, state-dict
/// name <c>code</c> (a linear map for a feature vector, a 1 × 1 convolution for a sequence or feature map), and a
/// <see cref="VectorQuantizer"/> of <see cref="Codes"/> codes, state-dict name <c>quantizer</c>, which replaces each
/// vector by its nearest code. The code a decoder receives is shaped <see cref="CodeShape"/>; <c>Encode</c> gives its
/// indices, one per position of the grid, and <c>Decode</c> takes them, in the PyTorch twin and the ONNX graphs too.
/// </summary>
/// <param name="LatentDim">D, the width of one code: the channels the decoder receives.</param>
/// <param name="Codes">K, the number of codes.</param>
/// <param name="CodeShape">The shape the decoder receives: <c>[D]</c>, <c>[D, L]</c> or <c>[D, H, W]</c>.</param>
/// <param name="RestartDeadCodes">Whether a code no example chose in a training epoch moves onto an encoder output of the epoch's last batch at its end.</param>
public sealed record VectorQuantizedLatent(int LatentDim, long Codes, IReadOnlyList<long> CodeShape, bool RestartDeadCodes = true) : LatentHead(LatentDim)
{
    private const string Name = StateNames.Code;
    private const string Quantizer = StateNames.Quantizer;
    private const string Indices = "indices";

    /// <summary>The checked number of codes.</summary>
    public long Codes { get; init; } = Codes >= 2 ? Codes : throw new ArgumentOutOfRangeException(nameof(Codes), Codes, "A vector quantizer needs at least 2 codes.");

    /// <summary>The checked shape of the code.</summary>
    public IReadOnlyList<long> CodeShape { get; init; } =
        CodeShape is { Count: >= 1 and <= 3 } && CodeShape[0] == LatentDim && CodeShape.All(dim => dim > 0)
            ? [.. CodeShape]
            : throw new ArgumentException($"The code shape is [LatentDim] or [LatentDim, ...grid] of at most two positive sizes, with LatentDim {LatentDim}.", nameof(CodeShape));

    /// <summary>The grid of one example's codes: empty for a vector, <c>[L]</c> or <c>[H, W]</c>.</summary>
    public IReadOnlyList<long> Grid => [.. CodeShape.Skip(1)];

    /// <inheritdoc/>
    public override IReadOnlyList<string> StateDictNames => [Name];

    /// <inheritdoc/>
    public override bool ScoresItsReconstruction => true;

    /// <inheritdoc/>
    public override string PyTorchEncodes => "The code indices";

    /// <inheritdoc/>
    public override string PyTorchEncode => $"self.{Quantizer}.encode(self.{Name}(features))";

    /// <inheritdoc/>
    public override string PyTorchEmbed => $"self.{Quantizer}.lookup(self.encode(x, labels)).flatten(1)";

    /// <inheritdoc/>
    public override IReadOnlyList<string> PyTorchDraw =>
    [
        $"z, _, codebook_loss, commitment_loss = self.{Quantizer}(self.{Name}(self._join(self.encoder(input), labels)))",
        "mean = log_var = None",
    ];

    /// <inheritdoc/>
    public override IReadOnlyList<string> PyTorchDefinitions => [VectorQuantizer.PyTorchDefinition];

    /// <inheritdoc/>
    public override IEnumerable<string> PyTorchModules(long features) =>
        [$"self.{Name} = {CodeMap(features).PyTorch}", $"self.{Quantizer} = {VectorQuantizer.PyTorchModule(Codes, LatentDim)}"];

    /// <inheritdoc/>
    public override string PyTorchReconstructionCode => "self.encode(x, labels)";

    /// <inheritdoc/>
    public override string PyTorchDecoderInput(string code) => $"self.{Quantizer}.lookup({code})";

    /// <inheritdoc/>
    public override IReadOnlyList<OnnxValue> OnnxEncode(IOnnxGraph graph, string features) =>
        [new(graph.Node("Identity", [Quantize(graph, features).Indices], Indices), OnnxElementType.Int64, Grid)];

    /// <inheritdoc/>
    public override (OnnxValue Code, string DecoderInput) OnnxEmbed(IOnnxGraph graph, string features, string output)
    {
        var quantized = Quantize(graph, features).Quantized;
        var code = graph.Node("Flatten", [quantized], output, OnnxAttribute.Int("axis", 1));
        return (new OnnxValue(code, OnnxElementType.Float, [CodeShape.Aggregate(1L, (product, dim) => product * dim)]), quantized);
    }

    /// <inheritdoc/>
    public override OnnxValue OnnxDecoderInput => new(Indices, OnnxElementType.Int64, Grid);

    /// <inheritdoc/>
    public override string OnnxDecode(IOnnxGraph graph, string input) => VectorQuantizer.OnnxLookup(graph, input, Quantizer, Grid.Count);

    /// <summary>The map from <paramref name="features"/> inputs (or channels) to the code width: a 1 × 1 convolution on a grid.</summary>
    private Layer CodeMap(long features) =>
        Grid.Count == 0 ? new Linear(0, features, LatentDim) : new Convolution(0, Grid.Count, features, LatentDim, Kernel: 1, Stride: 1, Padding: 0, Dilation: 1);

    private (string Indices, string Quantized) Quantize(IOnnxGraph graph, string features)
    {
        var encoded = Grid.Count == 0
            ? Linear.OnnxMap(graph, features, Name, graph.Next(Name))
            : Convolution.OnnxPointwise(graph, features, Name, Grid.Count, graph.Next(Name));
        return VectorQuantizer.Onnx(graph, encoded, Quantizer, Grid.Count);
    }
}
