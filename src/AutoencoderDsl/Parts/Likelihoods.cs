using System;
using AutoencoderDsl.Export;
using static TorchSharp.torch;

namespace AutoencoderDsl.Parts;

/// <summary>How a model scores its decoder's output against the target, and what <c>Decode</c> returns.</summary>
public abstract record LikelihoodModel
{
    /// <summary>Whether the model learns a log σ that <see cref="NegativeLogLikelihood"/> needs.</summary>
    public virtual bool LearnsScale => false;

    /// <summary>Whether every target value is read as a probability, so data must lie in [0, 1].</summary>
    public virtual bool TargetsAreProbabilities => false;

    /// <summary>What the decoder's raw output is when it is not what <c>Decode</c> returns, for documentation; null when it is.</summary>
    public virtual string? RawOutputNote => null;

    /// <summary>What <c>Decode</c> returns for the decoder's raw output <paramref name="decoded"/>.</summary>
    public virtual Tensor Output(Tensor decoded) => decoded;

    /// <summary><see cref="Output"/> in PyTorch, of the Python expression <paramref name="decoded"/>.</summary>
    public virtual string PyTorchOutput(string decoded) => decoded;

    /// <summary><see cref="Output"/> in ONNX: the value <paramref name="output"/> from the decoder's raw output <paramref name="decoded"/>.</summary>
    public virtual string OnnxOutput(IOnnxGraph graph, string decoded, string output) => graph.Node("Identity", [decoded], output);

    /// <summary><see cref="ElementNegativeLogLikelihood"/> in ONNX, operation for operation.</summary>
    public abstract string OnnxElementNegativeLogLikelihood(IOnnxGraph graph, string decoded, string target);

    /// <summary><see cref="ElementPerfectNegativeLogLikelihood"/> in ONNX.</summary>
    public abstract string OnnxElementPerfectNegativeLogLikelihood(IOnnxGraph graph, string target);

    /// <summary>A float32 scalar constant.</summary>
    private protected static string Scalar(IOnnxGraph graph, float value, string stem) => graph.Constant(stem, [value], []);

    /// <summary>1 − <paramref name="value"/>.</summary>
    private protected static string OneMinus(IOnnxGraph graph, string value) =>
        graph.Node("Sub", [Scalar(graph, 1f, "one"), value], graph.Next(value + "_complement"));

    /// <summary>
    /// <see cref="NegativeLogLikelihood"/> in PyTorch: a Python expression of <c>decoded</c>, <c>target</c> and
    /// <c>self.log_scale</c>, the same formula to the last reduction.
    /// </summary>
    public abstract string PyTorchNegativeLogLikelihood { get; }

    /// <summary>The negative log-likelihood of <paramref name="target"/> per example, averaged over the batch.</summary>
    /// <param name="decoded">The decoder's raw output (logits when the sigmoid is fused).</param>
    /// <param name="target">What the output should reconstruct.</param>
    /// <param name="logScale">The learned log σ when <see cref="LearnsScale"/>; otherwise null.</param>
    public abstract Tensor NegativeLogLikelihood(Tensor decoded, Tensor target, Tensor? logScale);

    /// <summary>
    /// The negative log-likelihood of each element of <paramref name="target"/>, shaped like it, in nats, as a normalised
    /// density: the unit-variance Gaussian includes its constant ½·log 2π here, so sums of it are true log-likelihoods.
    /// </summary>
    public abstract Tensor ElementNegativeLogLikelihood(Tensor decoded, Tensor target, Tensor? logScale);

    /// <summary>The negative log-likelihood of each example, <c>[N]</c>: <see cref="ElementNegativeLogLikelihood"/> summed over an example's elements.</summary>
    public Tensor ExampleNegativeLogLikelihood(Tensor decoded, Tensor target, Tensor? logScale) =>
        ElementNegativeLogLikelihood(decoded, target, logScale).flatten(1).sum(1);

    /// <summary>
    /// The negative log-likelihood of each element of <paramref name="target"/> under a perfect reconstruction, the least
    /// any output can score: the target's own entropy for a Bernoulli model, the normalising constant for a Gaussian. It
    /// depends on the data alone, not on how well the model fits it.
    /// </summary>
    public abstract Tensor ElementPerfectNegativeLogLikelihood(Tensor target, Tensor? logScale);

    /// <summary>
    /// How far each element's negative log-likelihood lies above a perfect reconstruction's (half the unit deviance),
    /// shaped like <paramref name="target"/>: at least 0, and 0 exactly where the output is the target. It says which
    /// elements make an example score badly, free of what every reconstruction of them pays.
    /// </summary>
    public Tensor ElementExcess(Tensor decoded, Tensor target, Tensor? logScale) =>
        (ElementNegativeLogLikelihood(decoded, target, logScale) - ElementPerfectNegativeLogLikelihood(target, logScale)).clamp_min(0);
}

/// <summary>
/// Binary cross-entropy in nats. With <paramref name="FromLogits"/> the generated decoder stops before its final
/// sigmoid, the loss is computed from the logits (stable where probabilities saturate) and <c>Decode</c> applies it.
/// </summary>
/// <param name="FromLogits">Whether the decoder's raw output is logits.</param>
public sealed record BernoulliLikelihood(bool FromLogits) : LikelihoodModel
{
    /// <inheritdoc/>
    public override bool TargetsAreProbabilities => true;

    /// <inheritdoc/>
    public override string? RawOutputNote => FromLogits ? "logits, the final sigmoid fused into the loss" : null;

    /// <inheritdoc/>
    public override Tensor Output(Tensor decoded) => FromLogits ? decoded.sigmoid() : decoded;

    /// <inheritdoc/>
    public override string PyTorchOutput(string decoded) => FromLogits ? $"torch.sigmoid({decoded})" : decoded;

    /// <inheritdoc/>
    public override string OnnxOutput(IOnnxGraph graph, string decoded, string output) =>
        FromLogits ? graph.Node("Sigmoid", [decoded], output) : base.OnnxOutput(graph, decoded, output);

    /// <inheritdoc/>
    public override string OnnxElementNegativeLogLikelihood(IOnnxGraph graph, string decoded, string target)
    {
        if (FromLogits)
        {
            // PyTorch's binary_cross_entropy_with_logits: (1 − t)·l − log σ(l), where −log σ(l) = softplus(−l).
            var linear = graph.Node("Mul", [OneMinus(graph, target), decoded], graph.Next("bce_linear"));
            var softplus = graph.Node("Softplus", [graph.Node("Neg", [decoded], graph.Next("neg_logits"))], graph.Next("softplus"));
            return graph.Node("Add", [linear, softplus], graph.Next("bce"));
        }

        // binary_cross_entropy: −(t·log p + (1 − t)·log(1 − p)), each log clamped at −100 as PyTorch clamps it.
        var hits = graph.Node("Mul", [target, ClampedLog(graph, decoded)], graph.Next("t_log_p"));
        var misses = graph.Node("Mul", [OneMinus(graph, target), ClampedLog(graph, OneMinus(graph, decoded))], graph.Next("u_log_q"));
        return graph.Node("Neg", [graph.Node("Add", [hits, misses], graph.Next("log_likelihood"))], graph.Next("bce"));
    }

    /// <inheritdoc/>
    /// <remarks>The target's entropy, −(xlogy(t, t) + xlogy(1 − t, 1 − t)).</remarks>
    public override string OnnxElementPerfectNegativeLogLikelihood(IOnnxGraph graph, string target)
    {
        var sum = graph.Node("Add", [XLogX(graph, target), XLogX(graph, OneMinus(graph, target))], graph.Next("entropy_sum"));
        return graph.Node("Neg", [sum], graph.Next("entropy"));
    }

    /// <summary>max(log <paramref name="value"/>, −100), the clamp of PyTorch's binary cross-entropy.</summary>
    private static string ClampedLog(IOnnxGraph graph, string value) =>
        graph.Node("Max", [graph.Node("Log", [value], graph.Next(value + "_log")), Scalar(graph, -100f, "log_floor")], graph.Next(value + "_clamped_log"));

    /// <summary>xlogy(t, t): t·log t, and 0 where t is 0.</summary>
    private static string XLogX(IOnnxGraph graph, string value)
    {
        var product = graph.Node("Mul", [value, graph.Node("Log", [value], graph.Next(value + "_log"))], graph.Next(value + "_xlogx"));
        var isZero = graph.Node("Equal", [value, Scalar(graph, 0f, "zero")], graph.Next(value + "_is_zero"));
        return graph.Node("Where", [isZero, Scalar(graph, 0f, "zero"), product], graph.Next(value + "_xlogy"));
    }

    /// <inheritdoc/>
    public override string PyTorchNegativeLogLikelihood => FromLogits
        ? "F.binary_cross_entropy_with_logits(decoded, target, reduction=\"sum\") / decoded.shape[0]"
        : "F.binary_cross_entropy(decoded, target, reduction=\"sum\") / decoded.shape[0]";

    /// <inheritdoc/>
    public override Tensor NegativeLogLikelihood(Tensor decoded, Tensor target, Tensor? logScale) =>
        FromLogits ? LossFunctions.BernoulliFromLogits(decoded, target) : LossFunctions.BernoulliFromProbabilities(decoded, target);

    /// <inheritdoc/>
    public override Tensor ElementNegativeLogLikelihood(Tensor decoded, Tensor target, Tensor? logScale) =>
        FromLogits
            ? nn.functional.binary_cross_entropy_with_logits(decoded, target, reduction: nn.Reduction.None)
            : nn.functional.binary_cross_entropy(decoded, target, reduction: nn.Reduction.None);

    /// <inheritdoc/>
    /// <remarks>The target's entropy, −t log t − (1 − t) log(1 − t): 0 for binary targets, log 2 at t = ½.</remarks>
    public override Tensor ElementPerfectNegativeLogLikelihood(Tensor target, Tensor? logScale) =>
        -(xlogy(target, target) + xlogy(1 - target, 1 - target));
}

/// <summary>
/// A Gaussian around the decoder's output. With neither option set, half the squared error (unit variance, without the
/// constant); with <paramref name="Sigma"/>, the full negative log-likelihood in nats under that fixed σ; with
/// <paramref name="LearnedScale"/>, the same under one learned σ shared by every output element.
/// </summary>
/// <param name="Sigma">A fixed standard deviation, or null.</param>
/// <param name="LearnedScale">Whether σ is learned.</param>
public sealed record GaussianLikelihood(double? Sigma = null, bool LearnedScale = false) : LikelihoodModel
{
    /// <summary>Checks the options: at most one of them, and a positive finite σ.</summary>
    public double? Sigma { get; init; } = Sigma is double sigma && (!double.IsFinite(sigma) || sigma <= 0)
        ? throw new ArgumentOutOfRangeException(nameof(Sigma), sigma, "Sigma must be positive and finite.")
        : Sigma is not null && LearnedScale
            ? throw new ArgumentException("Give a fixed Sigma or a learned scale, not both.", nameof(Sigma))
            : Sigma;

    /// <inheritdoc/>
    public override bool LearnsScale => LearnedScale;

    /// <inheritdoc/>
    public override string PyTorchNegativeLogLikelihood =>
        LearnedScale ? "((0.5 * (decoded - target).square() * torch.exp(-2 * self.log_scale)) + self.log_scale + HALF_LOG_TWO_PI).sum() / decoded.shape[0]"
        : Sigma is double sigma ? FormattableString.Invariant($"((decoded - target).square().sum() / (2 * {sigma:R} * {sigma:R} * decoded.shape[0])) + (decoded[0].numel() * (math.log({sigma:R}) + HALF_LOG_TWO_PI))")
        : "0.5 * (decoded - target).square().sum() / decoded.shape[0]";

    /// <inheritdoc/>
    public override string OnnxElementNegativeLogLikelihood(IOnnxGraph graph, string decoded, string target)
    {
        var error = graph.Node("Sub", [decoded, target], graph.Next("error"));
        var squared = graph.Node("Mul", [error, error], graph.Next("squared"));
        if (LearnedScale)
        {
            // ½·e²·exp(−2 log σ) + log σ + ½·log 2π, with the model's learned log σ.
            var logScale = graph.Initializer(StateNames.LogScale);
            var precision = graph.Node("Exp", [graph.Node("Mul", [Scalar(graph, -2f, "minus_two"), logScale], graph.Next("minus_two_log_scale"))], graph.Next("precision"));
            var scaled = graph.Node("Mul", [graph.Node("Mul", [Scalar(graph, 0.5f, "half"), squared], graph.Next("half_squared")), precision], graph.Next("scaled"));
            return graph.Node("Add", [graph.Node("Add", [scaled, logScale], graph.Next("plus_log_scale")), Scalar(graph, (float)LossFunctions.HalfLogTwoPi, "half_log_two_pi")], graph.Next("gaussian_nll"));
        }

        if (Sigma is double sigma)
        {
            var divided = graph.Node("Div", [squared, Scalar(graph, (float)(2 * sigma * sigma), "two_sigma_squared")], graph.Next("divided"));
            return graph.Node("Add", [divided, Scalar(graph, (float)(Math.Log(sigma) + LossFunctions.HalfLogTwoPi), "log_normaliser")], graph.Next("gaussian_nll"));
        }

        var half = graph.Node("Mul", [Scalar(graph, 0.5f, "half"), squared], graph.Next("half_squared"));
        return graph.Node("Add", [half, Scalar(graph, (float)LossFunctions.HalfLogTwoPi, "half_log_two_pi")], graph.Next("gaussian_nll"));
    }

    /// <inheritdoc/>
    /// <remarks>log σ + ½·log 2π for every element, whatever its value.</remarks>
    public override string OnnxElementPerfectNegativeLogLikelihood(IOnnxGraph graph, string target)
    {
        var constant = LearnedScale
            ? graph.Node("Add", [graph.Initializer(StateNames.LogScale), Scalar(graph, (float)LossFunctions.HalfLogTwoPi, "half_log_two_pi")], graph.Next("log_normaliser"))
            : Scalar(graph, (float)((Sigma is double sigma ? Math.Log(sigma) : 0) + LossFunctions.HalfLogTwoPi), "log_normaliser");
        return graph.Node("Expand", [constant, graph.Node("Shape", [target], graph.Next("target_shape"))], graph.Next("perfect_nll"));
    }

    /// <inheritdoc/>
    public override Tensor NegativeLogLikelihood(Tensor decoded, Tensor target, Tensor? logScale) =>
        LearnedScale ? LossFunctions.GaussianNll(decoded, target, logScale ?? throw new InvalidOperationException("A learned Gaussian scale needs its log σ parameter."))
        : Sigma is double sigma ? LossFunctions.GaussianNll(decoded, target, sigma)
        : LossFunctions.Gaussian(decoded, target);

    /// <inheritdoc/>
    public override Tensor ElementNegativeLogLikelihood(Tensor decoded, Tensor target, Tensor? logScale)
    {
        var squared = (decoded - target).square();
        return LearnedScale ? (0.5 * squared * (-2 * logScale!).exp()) + logScale! + LossFunctions.HalfLogTwoPi
            : Sigma is double sigma ? (squared / (2 * sigma * sigma)) + (Math.Log(sigma) + LossFunctions.HalfLogTwoPi)
            : (0.5 * squared) + LossFunctions.HalfLogTwoPi;
    }

    /// <inheritdoc/>
    /// <remarks>log σ + ½·log 2π for every element, whatever its value.</remarks>
    public override Tensor ElementPerfectNegativeLogLikelihood(Tensor target, Tensor? logScale) =>
        LearnedScale ? (logScale! + LossFunctions.HalfLogTwoPi).expand_as(target)
        : full_like(target, (Sigma is double sigma ? Math.Log(sigma) : 0) + LossFunctions.HalfLogTwoPi);
}
