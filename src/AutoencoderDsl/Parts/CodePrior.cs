using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Parts;

/// <summary>
/// A prior over a vector-quantized model's code indices for sampling, fitted on the training data's codes: an independent
/// categorical distribution at each position of the code grid, p(code k at position i) = (cᵢₖ + 1) / (N + K), where cᵢₖ
/// counts the N training examples whose code at position i is k (add-one smoothing, so every code keeps some chance).
/// </summary>
/// <remarks>
/// The positions are drawn independently of each other: the prior is not autoregressive (no PixelCNN), so a sample has
/// each position's codes in their training frequencies but not the arrangements between positions that make a whole
/// image; its samples are rougher than the paper's. Its one tensor, <see cref="CountsName"/>, is what a model file keeps.
/// </remarks>
public sealed class CodePrior : IDisposable
{
    /// <summary>The name of the counts in <see cref="Tensors"/>.</summary>
    public const string CountsName = "counts";

    private readonly Tensor counts;
    private readonly Tensor probabilities;

    /// <summary>A prior that owns <paramref name="counts"/>: both tensors leave every dispose scope, for <see cref="Dispose"/> to free.</summary>
    private CodePrior(Tensor counts, long examples)
    {
        this.counts = counts.DetachFromDisposeScope();
        Examples = examples;
        Codes = counts.shape[^1];
        Grid = counts.shape[..^1];
        using var scope = NewDisposeScope();
        probabilities = ((counts.to(ScalarType.Float64) + 1) / (examples + Codes)).DetachFromDisposeScope();
    }

    /// <summary>K, the number of codes.</summary>
    public long Codes { get; }

    /// <summary>The grid of one example's codes: empty for vectors, <c>[L]</c> for sequences, <c>[H, W]</c> for feature maps.</summary>
    public IReadOnlyList<long> Grid { get; }

    /// <summary>N, the number of examples the prior was fitted on.</summary>
    public long Examples { get; }

    /// <summary>A copy of the smoothed probabilities, Float64 <c>[..grid, K]</c>; each position's sum to 1.</summary>
    public Tensor Probabilities => probabilities.clone();

    /// <summary>The prior's state, to save with the model: <see cref="CountsName"/>, Int64 <c>[..grid, K]</c> (copies).</summary>
    public Dictionary<string, Tensor> Tensors => new() { [CountsName] = counts.clone() };

    /// <summary>The prior of the codes <paramref name="indices"/> of N training examples.</summary>
    /// <param name="indices">Int64 <c>[N]</c>, <c>[N, L]</c> or <c>[N, H, W]</c>, each in [0, <paramref name="codes"/>), as the quantizer gives them.</param>
    /// <param name="codes">K, the quantizer's number of codes.</param>
    public static CodePrior Fit(Tensor indices, long codes)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (codes < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(codes), codes, "A code prior needs the quantizer's number of codes, at least 2.");
        }

        if (indices.dtype != ScalarType.Int64 || indices.dim() is < 1 or > 3 || indices.shape[0] == 0)
        {
            throw new ArgumentException(
                $"A code prior is fitted on Int64 code indices [N], [N, L] or [N, H, W] of at least one example, but got {indices.dtype} of shape [{string.Join(", ", indices.shape)}].",
                nameof(indices));
        }

        using var scope = NewDisposeScope();
        var cpu = indices.cpu();
        if (cpu.min().item<long>() < 0 || cpu.max().item<long>() >= codes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(indices),
                string.Create(CultureInfo.InvariantCulture, $"Code indices must lie in [0, {codes}), but they range over [{cpu.min().item<long>()}, {cpu.max().item<long>()}]; pass the quantizer's number of codes."));
        }

        long examples = cpu.shape[0];
        long[] grid = cpu.shape[1..];
        long positions = grid.Aggregate(1L, (product, dim) => product * dim);

        // Position i's code k counts at i·K + k: one bincount, memory of the indices' size rather than N·positions·K.
        var keys = cpu.reshape(examples, positions) + (arange(positions, ScalarType.Int64) * codes);
        var counted = bincount(keys.flatten(), minlength: positions * codes).reshape([.. grid, codes]);
        return new CodePrior(counted, examples);
    }

    /// <summary>
    /// The prior saved as <see cref="Tensors"/>, checked against the quantizer it belongs to: the counts must be Int64 of
    /// shape <c>[..<paramref name="grid"/>, <paramref name="codes"/>]</c>, none negative, and every position's counts
    /// must sum to the same number of examples, at least 1.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensors are not such counts; the message says what is wrong.</exception>
    public static CodePrior FromTensors(IReadOnlyDictionary<string, Tensor> tensors, long codes, IReadOnlyList<long> grid)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(grid);
        if (codes < 2 || grid.Count > 2 || grid.Any(dim => dim < 1))
        {
            throw new ArgumentOutOfRangeException(
                codes < 2 ? nameof(codes) : nameof(grid),
                $"A code prior belongs to a quantizer of at least 2 codes and a grid of at most two positive sizes, but got {codes} codes and the grid [{string.Join(", ", grid)}].");
        }

        long[] expected = [.. grid, codes];
        string Shape(IEnumerable<long> dims) => "[" + string.Join(", ", dims) + "]";
        InvalidOperationException Invalid(string what) => new($"The saved code prior is not valid: {what}. Fit it again with CodePrior.Fit on the training codes.");

        if (tensors.Count != 1 || !tensors.TryGetValue(CountsName, out var saved))
        {
            throw Invalid($"it should hold exactly one tensor, '{CountsName}', but holds [{string.Join(", ", tensors.Keys.Select(key => $"'{key}'"))}]");
        }

        if (saved.dtype != ScalarType.Int64 || !saved.shape.SequenceEqual(expected))
        {
            throw Invalid($"'{CountsName}' should be Int64 of shape {Shape(expected)}, but is {saved.dtype} of shape {Shape(saved.shape)}");
        }

        using var scope = NewDisposeScope();
        var copy = saved.detach().cpu().clone();
        if (copy.lt(0).any().item<bool>())
        {
            throw Invalid("some counts are negative");
        }

        // Every example has one code at every position, so each position's counts sum to N; a count above the first
        // position's sum also catches sums that wrapped around.
        var sums = copy.reshape(-1, codes).sum(1);
        long examples = sums[0].item<long>();
        if (examples < 1 || sums.ne(examples).any().item<bool>() || copy.gt(examples).any().item<bool>())
        {
            throw Invalid("the counts at each position should sum to the same number of examples, at least 1, but they do not");
        }

        return new CodePrior(copy, examples);
    }

    /// <summary>Draws <paramref name="count"/> grids of code indices, each position independently from its probabilities.</summary>
    /// <param name="count">How many examples; at least 1.</param>
    /// <param name="generator">The generator to draw from, or null for libtorch's global one.</param>
    /// <returns>Int64 <c>[count, ..grid]</c> on the CPU, for the quantizer's <see cref="VectorQuantizer.Lookup"/>.</returns>
    public Tensor Sample(long count, Generator? generator = null)
    {
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Sample at least one example.");
        }

        using var scope = NewDisposeScope();
        var draws = probabilities.reshape(-1, Codes).multinomial(count, replacement: true, generator: generator);
        return draws.t().reshape([count, .. Grid]).contiguous().MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        counts.Dispose();
        probabilities.Dispose();
    }
}
