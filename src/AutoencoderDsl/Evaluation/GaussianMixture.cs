using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Evaluation;

/// <summary>
/// A mixture of Gaussians with full covariances, fitted by expectation-maximisation in libtorch. Fitted on the codes a
/// VAE gives its training data, it samples where the data's codes are, rather than from the prior N(0, I), which the
/// codes need not fill (Pythae's <c>GaussianMixtureSampler</c> does the same with scikit-learn).
/// </summary>
public sealed class GaussianMixture : IDisposable
{
    /// <summary>Added to every covariance's diagonal, so a component that collapses onto a few points stays invertible.</summary>
    public const double Regularisation = 1e-6;

    internal GaussianMixture(Tensor weights, Tensor means, Tensor covariances)
    {
        // It owns its tensors and disposes them itself, so no dispose scope of the caller's may free them under it.
        Weights = weights.DetachFromDisposeScope();
        Means = means.DetachFromDisposeScope();
        Covariances = covariances.DetachFromDisposeScope();
    }

    /// <summary>The components' weights, <c>[K]</c>, summing to 1 (float64).</summary>
    public Tensor Weights { get; }

    /// <summary>The components' means, <c>[K, D]</c> (float64).</summary>
    public Tensor Means { get; }

    /// <summary>The components' covariances, <c>[K, D, D]</c> (float64).</summary>
    public Tensor Covariances { get; }

    /// <summary>The number of components.</summary>
    public int Components => (int)Weights.shape[0];

    /// <summary>The dimension of the points.</summary>
    public int Dimensions => (int)Means.shape[1];

    /// <summary>
    /// Fits <paramref name="components"/> Gaussians to <paramref name="points"/> <c>[N, D]</c>: means started at points
    /// drawn with the seed, then EM until the mean log-likelihood gains less than <paramref name="tolerance"/>.
    /// </summary>
    /// <param name="points">The points, at least as many as components.</param>
    /// <param name="components">The number of Gaussians; at least 1.</param>
    /// <param name="iterations">The most EM steps; at least 1.</param>
    /// <param name="tolerance">The gain in mean log-likelihood per point below which EM stops.</param>
    /// <param name="seed">Seeds the starting means.</param>
    /// <param name="logLikelihoods">When given, receives the mean log-likelihood per point after every step.</param>
    public static GaussianMixture Fit(Tensor points, int components, int iterations = 200, double tolerance = 1e-6, long seed = 0, IList<double>? logLikelihoods = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        if (points.ndim != 2 || points.shape[0] < components || !is_floating_point(points))
        {
            throw new ArgumentException($"Expected floating-point points [N, D] with N ≥ {components}, one per component at least, but got {points.dtype} {Shapes.Format(points.shape)}.", nameof(points));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = points.detach().to(ScalarType.Float64);
        long count = x.shape[0], dims = x.shape[1];
        using var generator = new Generator(unchecked((ulong)seed), x.device);
        var means = x.index_select(0, randperm(count, generator: generator, device: x.device).narrow(0, 0, components));
        var centred = x - x.mean([0]);
        var spread = (centred.T.matmul(centred) / count) + (Regularisation * eye(dims, dtype: ScalarType.Float64, device: x.device));
        var covariances = spread.unsqueeze(0).repeat(components, 1, 1);
        var weights = full([components], 1.0 / components, dtype: ScalarType.Float64, device: x.device);
        double previous = double.NegativeInfinity;
        for (int step = 0; step < iterations; step++)
        {
            using var stepScope = NewDisposeScope();
            var logJoint = LogComponentDensities(x, means, covariances) + weights.log();
            var logDensity = logJoint.logsumexp(1, keepdim: true);
            var responsibilities = (logJoint - logDensity).exp();
            var mass = responsibilities.sum(dim: 0) + 1e-12;
            var newMeans = responsibilities.T.matmul(x) / mass.unsqueeze(1);
            var deviations = x.unsqueeze(0) - newMeans.unsqueeze(1);
            var weighted = deviations * responsibilities.T.unsqueeze(2);
            var newCovariances = (weighted.transpose(1, 2).matmul(deviations) / mass.view(-1, 1, 1))
                + (Regularisation * eye(dims, dtype: ScalarType.Float64, device: x.device));
            means = newMeans.MoveToOuterDisposeScope();
            covariances = newCovariances.MoveToOuterDisposeScope();
            weights = (mass / count).MoveToOuterDisposeScope();

            // The likelihood of the parameters this step started from: EM never lowers it.
            double meanLogLikelihood = logDensity.mean().item<double>();
            logLikelihoods?.Add(meanLogLikelihood);
            if (meanLogLikelihood - previous < tolerance)
            {
                break;
            }

            previous = meanLogLikelihood;
        }

        return new GaussianMixture(weights.MoveToOuterDisposeScope(), means.MoveToOuterDisposeScope(), covariances.MoveToOuterDisposeScope());
    }

    /// <summary>The log-density of each point under the mixture, <c>[N]</c>.</summary>
    public Tensor LogDensity(Tensor points)
    {
        using var scope = NewDisposeScope();
        var x = points.detach().to(ScalarType.Float64).to(Means.device);
        return (LogComponentDensities(x, Means, Covariances) + Weights.log()).logsumexp(1).MoveToOuterDisposeScope();
    }

    /// <summary>Draws <paramref name="count"/> points, <c>[count, D]</c> as float64: a component by its weight, then a point from it.</summary>
    public Tensor Sample(long count, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var chosen = multinomial(Weights, count, replacement: true, generator: generator);
        var noise = randn([count, Dimensions, 1], dtype: ScalarType.Float64, generator: generator).to(Means.device);
        var factors = linalg.cholesky(Covariances).index_select(0, chosen);
        return (Means.index_select(0, chosen) + factors.matmul(noise).squeeze(2)).MoveToOuterDisposeScope();
    }

    /// <summary>The tensors a model file carries for it.</summary>
    internal IEnumerable<KeyValuePair<string, Tensor>> Tensors() =>
        [new(nameof(Weights), Weights), new(nameof(Means), Means), new(nameof(Covariances), Covariances)];

    /// <summary>
    /// A mixture of <paramref name="dimensions"/>-dimensional points from copies of the tensors a file carried, each
    /// checked first: float64 and finite, weights that are not negative and sum to 1, and covariances that are symmetric
    /// and positive definite, so that sampling cannot fail later in libtorch.
    /// </summary>
    internal static GaussianMixture FromTensors(IReadOnlyDictionary<string, Tensor> tensors, long dimensions, string path)
    {
        if (!tensors.TryGetValue(nameof(Weights), out var weights) || !tensors.TryGetValue(nameof(Means), out var means) || !tensors.TryGetValue(nameof(Covariances), out var covariances)
            || weights.ndim != 1 || means.ndim != 2 || covariances.ndim != 3 || weights.shape[0] < 1 || means.shape[0] != weights.shape[0] || means.shape[1] != dimensions
            || covariances.shape[0] != weights.shape[0] || covariances.shape[1] != dimensions || covariances.shape[2] != dimensions)
        {
            throw new System.IO.InvalidDataException($"The file '{path}' holds a damaged sampler: it needs weights [K], means [K, {dimensions}] and covariances [K, {dimensions}, {dimensions}].");
        }

        using var scope = NewDisposeScope();
        string? problem =
            new[] { weights, means, covariances }.Any(tensor => tensor.dtype != ScalarType.Float64) ? "its tensors are not float64"
            : !weights.isfinite().all().item<bool>() || !means.isfinite().all().item<bool>() || !covariances.isfinite().all().item<bool>() ? "it holds NaN or infinite values"
            : weights.lt(0).any().item<bool>() || Math.Abs(weights.sum().item<double>() - 1) > 1e-6 ? "its weights are negative or do not sum to 1"
            : !covariances.allclose(covariances.transpose(1, 2)) || linalg.cholesky_ex(covariances).info.ne(0).any().item<bool>() ? "a covariance is not symmetric positive definite"
            : null;
        if (problem is not null)
        {
            throw new System.IO.InvalidDataException($"The file '{path}' holds a damaged sampler: {problem}.");
        }

        return new GaussianMixture(weights.clone(), means.clone(), covariances.clone());
    }

    /// <summary>Releases the parameters.</summary>
    public void Dispose()
    {
        Weights.Dispose();
        Means.Dispose();
        Covariances.Dispose();
    }

    /// <summary>log N(xₙ | μₖ, Σₖ) for every point and component, <c>[N, K]</c>, through each covariance's Cholesky factor.</summary>
    private static Tensor LogComponentDensities(Tensor x, Tensor means, Tensor covariances)
    {
        var factors = linalg.cholesky(covariances);
        var deviations = (x.unsqueeze(0) - means.unsqueeze(1)).transpose(1, 2);
        var whitened = linalg.solve_triangular(factors, deviations, upper: false);
        var mahalanobis = whitened.square().sum(1);
        var logDeterminant = 2 * factors.diagonal(dim1: 1, dim2: 2).log().sum(1);
        long dims = x.shape[1];
        return (-0.5 * (mahalanobis + logDeterminant.unsqueeze(1) + (dims * Math.Log(2 * Math.PI)))).T;
    }
}
