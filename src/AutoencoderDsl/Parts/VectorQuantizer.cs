using System;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Parts;

/// <summary>What <see cref="VectorQuantizer"/> gives for a batch.</summary>
/// <param name="Quantized">The nearest codes in the input's layout, with the straight-through gradient: z_e + sg[e − z_e].</param>
/// <param name="Indices">The chosen codes, Int64: <c>[N]</c> for vectors, <c>[N, L]</c> for sequences, <c>[N, H, W]</c> for feature maps.</param>
/// <param name="CodebookLoss">‖sg[z_e] − e‖², summed over an example's code elements and averaged over the batch; moves only the codebook.</param>
/// <param name="CommitmentLoss">‖z_e − sg[e]‖², summed and averaged the same way; moves only the encoder. The caller weights it by β.</param>
public sealed record Quantization(Tensor Quantized, Tensor Indices, Tensor CodebookLoss, Tensor CommitmentLoss);

/// <summary>
/// The vector-quantized latent of VQ-VAE (van den Oord et al. 2017): a codebook of K vectors of width D; every position
/// of the encoder's output z_e (a vector <c>[N, D]</c>, or each position of a sequence <c>[N, D, L]</c> or feature map
/// <c>[N, D, H, W]</c>, whose channels are the code width) is replaced by its nearest code e.
/// </summary>
/// <remarks>
/// <para>The codebook learns by gradient through the codebook term, not by exponential moving averages, so that both
/// terms are ordinary loss terms the model's optimizer trains and the history records, and a resumed run repeats a
/// straight one bit for bit (everything it depends on is a parameter, a buffer or optimizer state).</para>
/// <para>The nearest code minimises ‖z‖² − 2 z·e + ‖e‖², computed in chunks of rows so that the distances held at once
/// stay near <see cref="DistanceBudget"/> elements whatever the batch; a tie in the computed distance goes to the lowest
/// index (libtorch's argmin gives the first minimum).</para>
/// <para>The codebook starts uniform in ±1/K, as in zalandoresearch/pytorch-vq-vae and the PyTorch ports that follow it,
/// drawn from libtorch's global generator like every other initial weight. The buffer <c>usage</c> counts how often each
/// code was chosen in training mode since the last reset; both are in the state dict, under the names of
/// <see cref="PyTorchDefinition"/>'s module.</para>
/// </remarks>
public sealed class VectorQuantizer : nn.Module<Tensor, Quantization>
{
    /// <summary>The most distances (rows × K) computed at once when choosing codes.</summary>
    public const long DistanceBudget = 1L << 20;

    /// <summary>The Python class of the quantizer: the same state-dict names and computation.</summary>
    public const string PyTorchDefinition = """"
        class VectorQuantizer(nn.Module):
            """AutoencoderDsl's VectorQuantizer: nearest-code quantisation of dimension 1 with the straight-through gradient."""

            def __init__(self, codes, width):
                super().__init__()
                self.codebook = nn.Parameter(torch.empty(codes, width).uniform_(-1 / codes, 1 / codes))
                self.register_buffer("usage", torch.zeros(codes, dtype=torch.int64))

            def encode(self, z):
                flat = z.detach().movedim(1, -1).reshape(-1, z.shape[1])
                distances = flat.square().sum(1, keepdim=True) - 2 * flat.mm(self.codebook.detach().t()) + self.codebook.detach().square().sum(1)
                return distances.argmin(1).reshape(z.shape[:1] + z.shape[2:])

            def lookup(self, indices):
                return self.codebook[indices].movedim(-1, 1)

            def forward(self, z):
                indices = self.encode(z)
                e = self.lookup(indices)
                if self.training:
                    with torch.no_grad():
                        self.usage += torch.bincount(indices.flatten(), minlength=self.codebook.shape[0])
                codebook_loss = (z.detach() - e).square().flatten(1).sum(1).mean()
                commitment_loss = (z - e.detach()).square().flatten(1).sum(1).mean()
                return z + (e - z).detach(), indices, codebook_loss, commitment_loss
        """";

    // TorchSharp registers the fields under their names, the state-dict names.
    private readonly Parameter codebook;
    private readonly Tensor usage;

    /// <summary>A quantizer of <paramref name="codes"/> codes of width <paramref name="width"/>.</summary>
    /// <param name="codes">K, the number of codes; at least 2.</param>
    /// <param name="width">D, the width of a code: the encoder's output features or channels.</param>
    public VectorQuantizer(long codes, long width)
        : base(nameof(VectorQuantizer))
    {
        if (codes < 2 || width < 1)
        {
            throw new ArgumentOutOfRangeException(
                codes < 2 ? nameof(codes) : nameof(width),
                string.Create(CultureInfo.InvariantCulture, $"A vector quantizer needs at least 2 codes of width at least 1, but got {codes} codes of width {width}."));
        }

        Codes = codes;
        Width = width;
        using (no_grad())
        {
            codebook = new Parameter(empty(codes, width).uniform_(-1.0 / codes, 1.0 / codes));
        }

        usage = zeros(codes, ScalarType.Int64);
        RegisterComponents();
    }

    /// <summary>K, the number of codes.</summary>
    public long Codes { get; }

    /// <summary>D, the width of a code.</summary>
    public long Width { get; }

    /// <summary>The codebook <c>[K, D]</c>, the parameter itself.</summary>
    public Parameter Codebook => codebook;

    /// <summary>A copy of how often each code was chosen in training mode since the last reset: Int64 <c>[K]</c>.</summary>
    public Tensor Usage => usage.clone();

    /// <summary>
    /// The perplexity of the usage: exp(−Σ p log p) with p the share of choices each code had since the last reset (0 log 0
    /// taken as 0); K when every code was chosen equally often, 1 when one code took them all, NaN before any choice.
    /// </summary>
    public double Perplexity
    {
        get
        {
            using var scope = NewDisposeScope();
            var counts = usage.to(ScalarType.Float64);
            var total = counts.sum().item<double>();
            if (total == 0)
            {
                return double.NaN;
            }

            var shares = counts / total;
            return Math.Exp(-shares.xlogy(shares).sum().item<double>());
        }
    }

    /// <summary>Quantises a batch, and counts the chosen codes when the module is training.</summary>
    /// <param name="input">z_e: <c>[N, D]</c>, <c>[N, D, L]</c> or <c>[N, D, H, W]</c>, of the codebook's dtype and device.</param>
    public override Quantization forward(Tensor input)
    {
        CheckInput(input, nameof(input));
        using var scope = NewDisposeScope();
        var indices = IndicesOf(input);
        var codes = CodesAt(indices);
        if (training)
        {
            using var noGrad = no_grad();
            usage.add_(bincount(indices.flatten(), minlength: Codes));
        }

        var detached = input.detach();
        var codebookLoss = ExampleMeanSquare(detached - codes);
        var commitmentLoss = ExampleMeanSquare(input - codes.detach());
        var quantized = input + (codes - input).detach();
        return new Quantization(
            quantized.MoveToOuterDisposeScope(),
            indices.MoveToOuterDisposeScope(),
            codebookLoss.MoveToOuterDisposeScope(),
            commitmentLoss.MoveToOuterDisposeScope());
    }

    /// <summary>The nearest code at every position of <paramref name="input"/>, without gradient and without counting.</summary>
    /// <param name="input">z_e, as <see cref="forward"/> takes it.</param>
    /// <returns>Int64 indices, <c>[N]</c>, <c>[N, L]</c> or <c>[N, H, W]</c>.</returns>
    public Tensor Encode(Tensor input)
    {
        CheckInput(input, nameof(input));
        return IndicesOf(input);
    }

    /// <summary>The codes at <paramref name="indices"/> in the layout <see cref="forward"/> takes; the decoding of <see cref="Encode"/>.</summary>
    /// <param name="indices">Int64 <c>[N]</c>, <c>[N, L]</c> or <c>[N, H, W]</c>, each in [0, K).</param>
    /// <returns><c>[N, D]</c>, <c>[N, D, L]</c> or <c>[N, D, H, W]</c>, with gradient to the codebook.</returns>
    public Tensor Lookup(Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.dtype != ScalarType.Int64 || indices.dim() is < 1 or > 3)
        {
            throw new ArgumentException(
                $"Lookup takes Int64 code indices [N], [N, L] or [N, H, W], but got {indices.dtype} of shape [{string.Join(", ", indices.shape)}]; pass what Encode or forward gave.",
                nameof(indices));
        }

        if (indices.numel() > 0 && (indices.min().item<long>() < 0 || indices.max().item<long>() >= Codes))
        {
            throw new ArgumentOutOfRangeException(
                nameof(indices),
                string.Create(CultureInfo.InvariantCulture, $"Code indices must lie in [0, {Codes}), but they range over [{indices.min().item<long>()}, {indices.max().item<long>()}]."));
        }

        return CodesAt(indices);
    }

    /// <summary>Sets every count of <see cref="Usage"/> to 0.</summary>
    public void ResetUsage() => usage.zero_();

    /// <summary>
    /// Replaces every code chosen fewer than <paramref name="minimumUses"/> times since the last reset by an encoder
    /// output from <paramref name="encoderOutputs"/>, then resets the counts. The outputs are drawn without replacement
    /// when the batch has enough positions (with replacement when it has fewer than dead codes), from
    /// <paramref name="generator"/> or libtorch's global generator, so a seeded run repeats.
    /// </summary>
    /// <param name="encoderOutputs">A batch of z_e, as <see cref="forward"/> takes it; every position is a candidate.</param>
    /// <param name="minimumUses">The fewest choices a code keeps its place with; at least 1.</param>
    /// <param name="generator">The generator to draw from, or null for the global one.</param>
    /// <returns>How many codes were replaced.</returns>
    /// <remarks>An optimizer's running statistics for the replaced rows stay as they were.</remarks>
    public int RestartDeadCodes(Tensor encoderOutputs, long minimumUses, Generator? generator = null)
    {
        CheckInput(encoderOutputs, nameof(encoderOutputs));
        if (minimumUses < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minimumUses), minimumUses, "A code is dead when chosen fewer than minimumUses times; pass at least 1.");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var dead = (usage < minimumUses).nonzero().flatten();
        long count = dead.shape[0];
        if (count > 0)
        {
            var candidates = ChannelsLast(encoderOutputs.detach());
            long positions = candidates.shape[0];
            var rows = positions >= count
                ? randperm(positions, device: candidates.device, generator: generator).narrow(0, 0, count)
                : randint(positions, [count], device: candidates.device, generator: generator);
            codebook.index_copy_(0, dead, candidates.index_select(0, rows));
        }

        usage.zero_();
        return checked((int)count);
    }

    /// <summary>
    /// The quantizer in ONNX for inference, reading z_e from <paramref name="input"/> and the codebook from
    /// <paramref name="prefix"/><c>.codebook</c>: the distances as <see cref="Encode"/> computes them, ArgMin over the codes,
    /// and Gather of the chosen rows.
    /// </summary>
    /// <param name="graph">The graph under construction.</param>
    /// <param name="input">z_e: <c>[N, D]</c>, <c>[N, D, L]</c> or <c>[N, D, H, W]</c>.</param>
    /// <param name="prefix">The quantizer's state-dict prefix, e.g. <c>quantizer</c>.</param>
    /// <param name="spatialRank">0 for vectors, 1 for sequences, 2 for feature maps.</param>
    /// <returns>The indices (Int64, as <see cref="Encode"/> gives them) and the quantised values (as <see cref="Lookup"/> gives them).</returns>
    public static (string Indices, string Quantized) Onnx(IOnnxGraph graph, string input, string prefix, int spatialRank)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (spatialRank is < 0 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(spatialRank), spatialRank, "A vector quantizer reads vectors (0), sequences (1) or feature maps (2).");
        }

        long[] toLast = spatialRank == 2 ? [0, 2, 3, 1] : [0, 2, 1];
        var codebook = graph.Initializer(prefix + ".codebook");
        var flat = spatialRank == 0 ? input : graph.Node("Transpose", [input], graph.Next(prefix + "_channels_last"), OnnxAttribute.Ints("perm", toLast));
        var lastAxis = graph.Constant(prefix + ".last_axis", [-1L], [1]);
        var inputNorms = graph.Node("ReduceSum", [graph.Node("Mul", [flat, flat], graph.Next(prefix + "_square")), lastAxis], graph.Next(prefix + "_input_norms"), OnnxAttribute.Int("keepdims", 1));
        var codeNorms = graph.Node("ReduceSum", [graph.Node("Mul", [codebook, codebook], graph.Next(prefix + "_codebook_square")), lastAxis], graph.Next(prefix + "_code_norms"), OnnxAttribute.Int("keepdims", 0));
        var products = graph.Node("MatMul", [flat, graph.Node("Transpose", [codebook], graph.Next(prefix + "_codebook_t"))], graph.Next(prefix + "_products"));
        var twice = graph.Node("Mul", [graph.Constant(prefix + ".two", [2f], []), products], graph.Next(prefix + "_twice"));
        var distances = graph.Node("Add", [graph.Node("Sub", [inputNorms, twice], graph.Next(prefix + "_difference")), codeNorms], graph.Next(prefix + "_distances"));
        var indices = graph.Node("ArgMin", [distances], graph.Next(prefix + "_indices"), OnnxAttribute.Int("axis", -1), OnnxAttribute.Int("keepdims", 0));
        return (indices, OnnxLookup(graph, indices, prefix, spatialRank));
    }

    /// <summary>
    /// <see cref="Lookup"/> in ONNX: the codes of <paramref name="prefix"/><c>.codebook</c> at the Int64
    /// <paramref name="indices"/> (<c>[N]</c>, <c>[N, L]</c> or <c>[N, H, W]</c>) by Gather, with the code width moved to
    /// dimension 1. An index outside [0, K) is ONNX Runtime's error, not a check of the graph's.
    /// </summary>
    /// <param name="graph">The graph under construction.</param>
    /// <param name="indices">The code indices.</param>
    /// <param name="prefix">The quantizer's state-dict prefix, e.g. <c>quantizer</c>.</param>
    /// <param name="spatialRank">0 for vectors, 1 for sequences, 2 for feature maps.</param>
    /// <returns>The codes: <c>[N, D]</c>, <c>[N, D, L]</c> or <c>[N, D, H, W]</c>.</returns>
    public static string OnnxLookup(IOnnxGraph graph, string indices, string prefix, int spatialRank)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (spatialRank is < 0 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(spatialRank), spatialRank, "A vector quantizer reads vectors (0), sequences (1) or feature maps (2).");
        }

        long[] toChannels = spatialRank == 2 ? [0, 3, 1, 2] : [0, 2, 1];
        var gathered = graph.Node("Gather", [graph.Initializer(prefix + ".codebook"), indices], graph.Next(prefix + "_codes"), OnnxAttribute.Int("axis", 0));
        return spatialRank == 0 ? gathered : graph.Node("Transpose", [gathered], graph.Next(prefix), OnnxAttribute.Ints("perm", toChannels));
    }

    /// <summary>The PyTorch expression that builds the same module, with <see cref="PyTorchDefinition"/> defined.</summary>
    public string PyTorch => PyTorchModule(Codes, Width);

    /// <summary>The PyTorch expression that builds a quantizer of <paramref name="codes"/> codes of width <paramref name="width"/>, with <see cref="PyTorchDefinition"/> defined.</summary>
    public static string PyTorchModule(long codes, long width) => string.Create(CultureInfo.InvariantCulture, $"VectorQuantizer({codes}, {width})");

    /// <summary>The nearest code of each row of <paramref name="flat"/> <c>[M, D]</c>, <paramref name="rowsPerChunk"/> rows at a time.</summary>
    internal Tensor NearestCodes(Tensor flat, long rowsPerChunk)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var codes = codebook.detach();
        var codesT = codes.t();
        var codeNorms = codes.square().sum(1);
        var chunks = flat.split(rowsPerChunk).Select(chunk => (chunk.square().sum(1, keepdim: true) - (2 * chunk.mm(codesT)) + codeNorms).argmin(1)).ToArray();
        return cat(chunks, 0).MoveToOuterDisposeScope();
    }

    /// <summary><see cref="Encode"/> without its checks.</summary>
    private Tensor IndicesOf(Tensor input)
    {
        using var scope = NewDisposeScope();
        var flat = ChannelsLast(input.detach());
        long rows = Math.Max(1, DistanceBudget / Codes);
        long[] grid = [input.shape[0], .. input.shape.Skip(2)];
        return NearestCodes(flat, rows).reshape(grid).MoveToOuterDisposeScope();
    }

    /// <summary><see cref="Lookup"/> without its checks, for indices this quantizer chose.</summary>
    private Tensor CodesAt(Tensor indices)
    {
        using var scope = NewDisposeScope();
        var vectors = codebook.index_select(0, indices.flatten()).reshape([.. indices.shape, Width]);
        return vectors.movedim([-1], [1]).contiguous().MoveToOuterDisposeScope();
    }

    private void CheckInput(Tensor input, string name)
    {
        ArgumentNullException.ThrowIfNull(input, name);
        if (input.dim() is < 2 or > 4 || input.shape[1] != Width || input.shape[0] == 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The vector quantizer takes a non-empty batch [N, {Width}], [N, {Width}, L] or [N, {Width}, H, W] (the channels are the code width {Width}), but got a tensor of shape [{string.Join(", ", input.shape)}]."),
                name);
        }

        if (input.dtype != codebook.dtype || input.device_type != codebook.device_type || input.device_index != codebook.device_index)
        {
            throw new ArgumentException(
                $"The vector quantizer's codebook is {codebook.dtype} on {codebook.device}, but the input is {input.dtype} on {input.device}; move one to the other's dtype and device.",
                name);
        }
    }

    /// <summary>The vectors of a batch <c>[N, D, ...]</c> as rows <c>[M, D]</c>, every position one row, in the order of the indices.</summary>
    private Tensor ChannelsLast(Tensor input) => input.movedim([1], [-1]).reshape(-1, Width);

    private static Tensor ExampleMeanSquare(Tensor difference) => difference.square().flatten(1).sum(1).mean();
}

/// <summary>
/// VQ-VAE's codebook term ‖sg[z_e] − e‖², summed over an example's code and averaged over the batch: it moves each chosen
/// code towards the encoder outputs that chose it; weight 1.
/// </summary>
public sealed record CodebookTerm : LossTerm
{
    /// <summary>The name of the codebook term.</summary>
    public const string TermName = "codebook";

    /// <inheritdoc/>
    public override string Name => TermName;

    /// <inheritdoc/>
    public override Tensor Compute(LossInputs inputs) => Quantization(inputs, Name).CodebookLoss;

    /// <inheritdoc/>
    public override double WeightAt(int? epoch) => 1;

    /// <inheritdoc/>
    public override string PyTorch(LikelihoodModel likelihood) => "codebook_loss";

    /// <summary>The quantizer's result the term <paramref name="name"/> reads.</summary>
    internal static Quantization Quantization(LossInputs inputs, string name) =>
        inputs.Code.Quantization ?? throw new InvalidOperationException($"The {name} term needs a vector-quantized code.");
}

/// <summary>
/// VQ-VAE's commitment term ‖z_e − sg[e]‖², summed and averaged like <see cref="CodebookTerm"/>: it keeps the encoder's
/// output near its code; weighted by β.
/// </summary>
/// <param name="Beta">The weight; finite and at least 0.</param>
public sealed record CommitmentTerm(double Beta) : LossTerm
{
    /// <summary>The name of the commitment term.</summary>
    public const string TermName = "commitment";

    /// <summary>The checked weight.</summary>
    public double Beta { get; init; } = double.IsFinite(Beta) && Beta >= 0
        ? Beta
        : throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "The commitment weight must be finite and at least 0.");

    /// <inheritdoc/>
    public override string Name => TermName;

    /// <inheritdoc/>
    public override Tensor Compute(LossInputs inputs) => CodebookTerm.Quantization(inputs, Name).CommitmentLoss;

    /// <inheritdoc/>
    public override double WeightAt(int? epoch) => Beta;

    /// <inheritdoc/>
    public override string PyTorch(LikelihoodModel likelihood) => "commitment_loss";
}
