using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AutoencoderDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// <c>Fit</c>'s flat Adam as it stepped before the fused kernel, kept to measure against it: the same flat buffers,
/// gathering and device-side skip flag, with the update as seven element-wise kernels (the bias corrections folded
/// into two scalars). Adam without weight decay, the benchmarks' setting.
/// </summary>
internal sealed record SevenKernelAdam : OptimizerChoice
{
    internal override TrainingOptimizer Create(IReadOnlyList<Parameter> parameters, double learningRate) => new Optimizer(parameters.ToArray(), learningRate);

    private sealed class Optimizer : TrainingOptimizer
    {
        private const long Alignment = 64;
        private const double Beta1 = 0.9;
        private const double Beta2 = 0.999;
        private const double Epsilon = 1e-8;

        private readonly Parameter[] parameters;
        private readonly Tensor[] gradientViews;
        private readonly Tensor weights;
        private readonly Tensor gradients;
        private readonly Tensor firstMoment;
        private readonly Tensor secondMoment;
        private readonly Tensor denominator;
        private long steps;
        private bool gathered;

        public Optimizer(Parameter[] parameters, double learningRate)
        {
            this.parameters = parameters;
            LearningRate = learningRate;
            var offsets = new long[parameters.Length];
            long count = 0;
            for (int i = 0; i < parameters.Length; i++)
            {
                offsets[i] = count;
                count += (parameters[i].numel() + Alignment - 1) / Alignment * Alignment;
            }

            var first = parameters[0];
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            weights = zeros(count, first.dtype, first.device).MoveToOuterDisposeScope();
            gradients = zeros(count, first.dtype, first.device).MoveToOuterDisposeScope();
            firstMoment = zeros(count, first.dtype, first.device).MoveToOuterDisposeScope();
            secondMoment = zeros(count, first.dtype, first.device).MoveToOuterDisposeScope();
            denominator = empty(count, first.dtype, first.device).MoveToOuterDisposeScope();
            gradientViews = new Tensor[parameters.Length];
            for (int i = 0; i < parameters.Length; i++)
            {
                var parameter = parameters[i];
                var weightView = weights.narrow(0, offsets[i], parameter.numel()).view(parameter.shape);
                weightView.copy_(parameter);
                parameter.set_(weightView);
                parameter.grad = null;
                gradientViews[i] = gradients.narrow(0, offsets[i], parameter.numel()).view(parameter.shape).MoveToOuterDisposeScope();
            }
        }

        public override double LearningRate { get; set; }

        public override bool SkipsOnDevice => true;

        public override void ZeroGrad()
        {
            gathered = false;
            foreach (var parameter in parameters)
            {
                parameter.grad = null;
            }
        }

        public override Tensor GradientsFinite()
        {
            Gather();
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return Finite(gradients).MoveToOuterDisposeScope();
        }

        public override void Step() => Update(null);

        public override void Step(Tensor apply) => Update(apply);

        private void Gather()
        {
            gathered = true;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            for (int i = 0; i < parameters.Length; i++)
            {
                if (parameters[i].grad is { } gradient)
                {
                    gradientViews[i].copy_(gradient);
                }
                else
                {
                    gradientViews[i].zero_();
                }
            }
        }

        private void Update(Tensor? apply)
        {
            if (!gathered)
            {
                Gather();
            }

            gathered = false;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            steps++;
            var applied = apply?.to(weights.dtype);
            if (apply is not null)
            {
                gradients.masked_fill_(apply.logical_not(), 0);
            }

            // Scalars held past the native calls that read them (TorchSharp 0.107 frees implicit ones in its finalizer).
            using var keep2 = Beta2.ToScalar();
            using var decay2 = (1 - Beta2).ToScalar();
            _ = applied is null ? firstMoment.lerp_(gradients, 1 - Beta1) : firstMoment.lerp_(gradients, applied * (1 - Beta1));
            _ = applied is null ? secondMoment.mul_(keep2) : secondMoment.mul_(1 - (applied * (1 - Beta2)));
            secondMoment.addcmul_(gradients, gradients, value: decay2);
            double root2 = Math.Sqrt(1 - Math.Pow(Beta2, steps));
            using var offset = (Epsilon * root2).ToScalar();
            using var step = (-LearningRate / (1 - Math.Pow(Beta1, steps)) * root2).ToScalar();
            denominator.copy_(secondMoment).sqrt_().add_(offset);
            if (applied is not null)
            {
                denominator.div_(applied);
            }

            weights.addcdiv_(firstMoment, denominator, value: step);
        }

        public override void Save(BinaryWriter writer)
        {
            writer.Write(steps);
            firstMoment.Save(writer);
            secondMoment.Save(writer);
        }

        public override void Load(BinaryReader reader)
        {
            steps = reader.ReadInt64();
            using var noGrad = no_grad();
            firstMoment.Load(reader);
            secondMoment.Load(reader);
        }

        public override void Dispose()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            foreach (var parameter in parameters)
            {
                parameter.set_(parameter.detach().clone());
            }

            foreach (var view in gradientViews)
            {
                view.Dispose();
            }

            weights.Dispose();
            gradients.Dispose();
            firstMoment.Dispose();
            secondMoment.Dispose();
            denominator.Dispose();
        }
    }
}
