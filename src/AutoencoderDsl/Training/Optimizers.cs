using System;
using System.Collections.Generic;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>Which optimizer <c>Fit</c> trains with, and its settings; <see cref="FitOptions.LearningRate"/> is the step size of each.</summary>
public abstract record OptimizerChoice
{
    /// <summary>The L2 penalty on the weights (decoupled from the gradient for AdamW); finite and at least 0.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Builds the optimizer over <paramref name="parameters"/>.</summary>
    internal abstract TrainingOptimizer Create(IReadOnlyList<Parameter> parameters, double learningRate);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    internal virtual void Validate() => Check.NonNegativeFinite(WeightDecay, nameof(WeightDecay));

    /// <summary>Whether clipping the gradient norm bounds the step: true for SGD, not for the adaptive optimizers, whose steps do not grow with the gradient.</summary>
    internal virtual bool StepScalesWithGradient => false;

    /// <summary>The learning rate this optimizer is commonly run at, for advice after a divergence.</summary>
    internal virtual double UsualLearningRate => 1e-3;
}

/// <summary>
/// Adam (Kingma and Ba), the default: <c>torch.optim.Adam</c>'s update, applied to all parameters at once in one flat
/// buffer.
/// </summary>
public sealed record AdamOptimizer : OptimizerChoice
{
    /// <summary>The decay of the first-moment estimate; in [0, 1).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>The decay of the second-moment estimate; in [0, 1).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to the denominator for numerical stability; positive.</summary>
    public double Epsilon { get; init; } = 1e-8;

    internal override TrainingOptimizer Create(IReadOnlyList<Parameter> parameters, double learningRate) =>
        FlatAdam.TryCreate(parameters, learningRate, Beta1, Beta2, Epsilon, WeightDecay, decoupledDecay: false)
        ?? new LibTorchOptimizer(optim.Adam(parameters, learningRate, Beta1, Beta2, Epsilon, WeightDecay), parameters);

    internal override void Validate()
    {
        base.Validate();
        Check.UnitInterval(Beta1, nameof(Beta1));
        Check.UnitInterval(Beta2, nameof(Beta2));
        Check.PositiveFinite(Epsilon, nameof(Epsilon));
    }
}

/// <summary>
/// AdamW (Loshchilov and Hutter): Adam with weight decay applied to the weights directly, <c>torch.optim.AdamW</c>'s
/// update in one flat buffer like <see cref="AdamOptimizer"/>; decay 0.01 unless set.
/// </summary>
public sealed record AdamWOptimizer : OptimizerChoice
{
    /// <summary>Sets the default decoupled weight decay of 0.01.</summary>
    public AdamWOptimizer() => WeightDecay = 0.01;

    /// <summary>The decay of the first-moment estimate; in [0, 1).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>The decay of the second-moment estimate; in [0, 1).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to the denominator for numerical stability; positive.</summary>
    public double Epsilon { get; init; } = 1e-8;

    internal override TrainingOptimizer Create(IReadOnlyList<Parameter> parameters, double learningRate) =>
        FlatAdam.TryCreate(parameters, learningRate, Beta1, Beta2, Epsilon, WeightDecay, decoupledDecay: true)
        ?? new LibTorchOptimizer(optim.AdamW(parameters, learningRate, Beta1, Beta2, Epsilon, WeightDecay), parameters);

    internal override void Validate()
    {
        base.Validate();
        Check.UnitInterval(Beta1, nameof(Beta1));
        Check.UnitInterval(Beta2, nameof(Beta2));
        Check.PositiveFinite(Epsilon, nameof(Epsilon));
    }
}

/// <summary>Stochastic gradient descent, with momentum and Nesterov's variant when asked: <c>torch.optim.SGD</c>.</summary>
public sealed record SgdOptimizer : OptimizerChoice
{
    /// <summary>The momentum factor; in [0, 1), 0 (plain SGD) unless set.</summary>
    public double Momentum { get; init; }

    /// <summary>Nesterov momentum; needs a positive <see cref="Momentum"/>.</summary>
    public bool Nesterov { get; init; }

    internal override bool StepScalesWithGradient => true;

    internal override double UsualLearningRate => 1e-2;

    internal override TrainingOptimizer Create(IReadOnlyList<Parameter> parameters, double learningRate) =>
        new LibTorchOptimizer(optim.SGD(parameters, learningRate, Momentum, 0, WeightDecay, Nesterov), parameters);

    internal override void Validate()
    {
        base.Validate();
        Check.UnitInterval(Momentum, nameof(Momentum));
        if (Nesterov && Momentum <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Nesterov), Nesterov, "Nesterov momentum needs a positive Momentum, such as 0.9.");
        }
    }
}

/// <summary>RMSprop (Hinton): <c>torch.optim.RMSProp</c>.</summary>
public sealed record RmsPropOptimizer : OptimizerChoice
{
    /// <summary>The decay of the squared-gradient average; in [0, 1).</summary>
    public double Alpha { get; init; } = 0.99;

    /// <summary>Added to the denominator for numerical stability; positive.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>The momentum factor; in [0, 1).</summary>
    public double Momentum { get; init; }

    /// <summary>Normalises by the variance of the gradient rather than its second moment.</summary>
    public bool Centered { get; init; }

    internal override TrainingOptimizer Create(IReadOnlyList<Parameter> parameters, double learningRate) =>
        new LibTorchOptimizer(optim.RMSProp(parameters, learningRate, Alpha, Epsilon, WeightDecay, Momentum, Centered), parameters);

    internal override void Validate()
    {
        base.Validate();
        Check.UnitInterval(Alpha, nameof(Alpha));
        Check.PositiveFinite(Epsilon, nameof(Epsilon));
        Check.UnitInterval(Momentum, nameof(Momentum));
    }
}

/// <summary>The range checks the training settings share; each throws <see cref="ArgumentOutOfRangeException"/> naming the setting.</summary>
internal static class Check
{
    public static void PositiveFinite(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive and finite.");
        }
    }

    public static void NonNegativeFinite(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and at least 0.");
        }
    }

    public static void UnitInterval(double value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must lie in [0, 1).");
        }
    }

    public static void AtLeast(int value, int minimum, string name)
    {
        if (value < minimum)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {minimum}.");
        }
    }
}
