using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Parts;

/// <summary>What the trainer gives a model with the neighbourhood part beside each batch.</summary>
/// <param name="Examples">One graph neighbour of each example, drawn by edge weight, <c>[B, ...InputShape]</c>.</param>
/// <param name="Labels">Their labels, for a class-conditional model; null otherwise.</param>
public sealed record NeighbourExamples(Tensor Examples, Tensor? Labels);

/// <summary>
/// What the neighbourhood term reads beside the batch's own codes (the heads): the code of one neighbour of each head,
/// and the codes negatives are drawn from.
/// </summary>
/// <param name="Tails">The code of each head's neighbour, <c>[B, D]</c>.</param>
/// <param name="Pool">The codes negatives are drawn from, <c>[P, D]</c>: the heads, then the tails in training; the heads alone in evaluation.</param>
public sealed record NeighbourCodes(Tensor Tails, Tensor Pool);

/// <summary>
/// Keeps the k-nearest-neighbour graph of the training inputs in the code: each example's code is pulled towards the
/// code of a neighbour drawn, in proportion to the edge weights, from the graph, and pushed away from other codes of the
/// batch and its neighbours. Both losses read the similarity q(d) = 1 / (1 + a d²ᵇ) of codes d apart, with a, b fitted
/// to <see cref="MinDistance"/> as UMAP fits them (<see cref="CurveParameters"/>). Weighted by <see cref="Weight"/>.
/// <list type="bullet">
/// <item><see cref="NeighbourhoodLoss.Umap"/>: UMAP's fuzzy-graph cross-entropy (McInnes, Healy and Melville 2018) in its
/// parametric form (Sainburg, McInnes and Gentner 2021), in nats per example
/// −log q(‖zᵢ − zⱼ‖) − Σₙ log(1 − q(‖zᵢ − zₙ‖)) over <see cref="NegativeSamples"/> codes zₙ drawn uniformly.</item>
/// <item><see cref="NeighbourhoodLoss.Contrastive"/>: InfoNCE, −log(q(‖zᵢ − zⱼ‖) / Σₖ q(‖zᵢ − zₖ‖)) over every code zₖ of
/// the batch and its neighbours but zᵢ itself, with each example and each neighbour an anchor in training; the
/// negatives are the batch, as in t-SNE's normalisation (Damrich, Böhm, Hamprecht and Kobak 2023).</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>UMAP's negatives' part is computed as its expectation over the draw rather than from m draws: every code of the
/// pool pushes with weight m / P. A code is two-dimensional or little more, so all B × P distances cost less than the
/// encoder, and the gradient is the same loss's without the draws' noise.</para>
/// <para>With t = log a + b log(d² + ε), −log q = softplus(t) and −log(1 − q) = softplus(−t): both are computed in that
/// form, which stays finite when codes meet or fly apart. ε = 10⁻³ is UMAP's own guard in its repulsive gradient.</para>
/// </remarks>
/// <param name="Weight">The term's weight beside the reconstruction; positive and finite.</param>
/// <param name="Neighbours">k, the nearest other training examples each example's graph edges go to; at least 2.</param>
/// <param name="MinDistance">How close neighbours may sit in the code, UMAP's <c>min_dist</c>; in [0, 1).</param>
/// <param name="NegativeSamples">m, how many codes' worth of push each example gets per step under UMAP's loss; at least 1.</param>
/// <param name="Loss">Which of the two losses.</param>
public sealed record NeighbourhoodTerm(double Weight, int Neighbours, double MinDistance, int NegativeSamples, NeighbourhoodLoss Loss) : LossTerm
{
    /// <summary>The name of the neighbourhood term.</summary>
    public const string TermName = "neighbourhood";

    /// <summary>ε in t = log a + b log(d² + ε).</summary>
    public const double Epsilon = 1e-3;

    /// <summary>The checked weight.</summary>
    public double Weight { get; init; } = double.IsFinite(Weight) && Weight > 0
        ? Weight
        : throw new ArgumentOutOfRangeException(nameof(Weight), Weight, "The neighbourhood weight must be positive and finite.");

    /// <summary>The checked neighbour count.</summary>
    public int Neighbours { get; init; } = Neighbours >= 2
        ? Neighbours
        : throw new ArgumentOutOfRangeException(nameof(Neighbours), Neighbours, "The neighbourhood graph needs at least 2 neighbours per example.");

    /// <summary>The checked minimum distance.</summary>
    public double MinDistance { get; init; } = MinDistance is >= 0 and < 1
        ? MinDistance
        : throw new ArgumentOutOfRangeException(nameof(MinDistance), MinDistance, "The minimum distance must lie in [0, 1).");

    /// <summary>The checked negative sample count.</summary>
    public int NegativeSamples { get; init; } = NegativeSamples >= 1
        ? NegativeSamples
        : throw new ArgumentOutOfRangeException(nameof(NegativeSamples), NegativeSamples, "At least 1 negative sample is needed.");

    /// <summary>The checked loss.</summary>
    public NeighbourhoodLoss Loss { get; init; } = Enum.IsDefined(Loss)
        ? Loss
        : throw new ArgumentOutOfRangeException(nameof(Loss), Loss, "The neighbourhood loss must be NeighbourhoodLoss.Umap or NeighbourhoodLoss.Contrastive.");

    /// <summary>a and b of q(d) = 1 / (1 + a d²ᵇ) for <see cref="MinDistance"/>.</summary>
    public (double A, double B) Curve => CurveParameters.Fit(MinDistance);

    /// <inheritdoc/>
    public override string Name => TermName;

    /// <inheritdoc/>
    public override double WeightAt(int? epoch) => Weight;

    /// <inheritdoc/>
    public override Tensor Compute(LossInputs inputs)
    {
        var neighbourhood = inputs.Neighbourhood
            ?? throw new InvalidOperationException("The neighbourhood term needs the codes of each example's neighbours; the trainer and Evaluate give them.");
        var heads = (inputs.Code.Mean ?? inputs.Code.Z).flatten(1);
        return Loss == NeighbourhoodLoss.Contrastive
            ? InfoNce(heads, neighbourhood, Curve)
            : CrossEntropy(heads, neighbourhood, Curve, NegativeSamples);
    }

    /// <summary>The term's value for codes <paramref name="heads"/> <c>[B, D]</c>, in nats per head.</summary>
    internal static Tensor CrossEntropy(Tensor heads, NeighbourCodes neighbourhood, (double A, double B) curve, int negatives)
    {
        using var scope = NewDisposeScope();
        var (a, b) = curve;
        var attraction = nn.functional.softplus(LogOdds(heads, neighbourhood.Tails, a, b));
        var pushedByEach = nn.functional.softplus(-LogOdds(heads.unsqueeze(1), neighbourhood.Pool.unsqueeze(0), a, b));
        var repulsion = pushedByEach.sum(1) * (negatives / (double)neighbourhood.Pool.shape[0]);
        return (attraction + repulsion).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The contrastive term's value for codes <paramref name="heads"/> <c>[B, D]</c>, in nats per anchor: the anchors are
    /// the pool's rows, the heads and, in training, the tails after them, each partnered with the other end of its edge.
    /// </summary>
    internal static Tensor InfoNce(Tensor heads, NeighbourCodes neighbourhood, (double A, double B) curve)
    {
        using var scope = NewDisposeScope();
        var (a, b) = curve;
        var pool = neighbourhood.Pool;
        long size = pool.shape[0];
        if (size < 2)
        {
            // A lone example in evaluation is its own neighbour, with nothing to be told apart from.
            return zeros([], heads.dtype, heads.device).MoveToOuterDisposeScope();
        }

        var partners = size == heads.shape[0] ? neighbourhood.Tails : cat([neighbourhood.Tails, heads]);

        // log q = −softplus(t); an anchor is no candidate for itself, while its partner is one of the candidates.
        var attraction = nn.functional.softplus(LogOdds(pool, partners, a, b));
        var logSimilarity = -nn.functional.softplus((SquaredDistances(pool) + Epsilon).log() * b + Math.Log(a));
        var candidates = logSimilarity.masked_fill(eye(size, dtype: ScalarType.Bool, device: pool.device), double.NegativeInfinity);
        return (attraction + candidates.logsumexp(1)).mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ‖xᵢ − xⱼ‖² between all rows of <paramref name="x"/> <c>[P, D]</c> as ‖xᵢ‖² + ‖xⱼ‖² − 2 xᵢ·xⱼ: the term's forward
    /// and backward pass at P = 2048 take half the time they take through the [P, P, D] differences, whose memory
    /// traffic, not arithmetic, is the cost. The rows are centred first so that the cancellation loses no more than the
    /// map's own spread allows; rounding below zero is clipped.
    /// </summary>
    private static Tensor SquaredDistances(Tensor x)
    {
        var centred = x - x.mean([0], keepdim: true).detach();
        var norms = centred.square().sum(1);
        return (norms.unsqueeze(1) + norms.unsqueeze(0) - (2 * centred.mm(centred.t()))).clamp_min(0);
    }

    /// <summary>t = log a + b log(d² + ε) between matching rows of <paramref name="x"/> and <paramref name="y"/>, so that q = sigmoid(−t).</summary>
    private static Tensor LogOdds(Tensor x, Tensor y, double a, double b) =>
        ((x - y).square().sum(-1) + Epsilon).log() * b + Math.Log(a);

    /// <inheritdoc/>
    public override string PyTorch(LikelihoodModel likelihood) =>
        throw new NotSupportedException(
            "The PyTorch twin has no neighbourhood term: it needs the k-nearest-neighbour graph of the training data, which the twin's training script does not build. Export the model without [Neighbourhood] to train it in PyTorch, or keep training it here; its weights load in PyTorch either way (SavePyTorch).");
}
