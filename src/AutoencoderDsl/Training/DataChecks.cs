using System;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Parts;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// The checks a data set passes once, before any training or evaluation: the parameters' element type, finite values,
/// and for a Bernoulli model values in [0, 1]. Each failure names the data set and how to fix it.
/// </summary>
internal static class DataChecks
{
    public static void RequireUsable(ITrainableAutoencoder model, Tensor examples, string name)
    {
        var expected = model.Module.parameters().First().dtype;
        if (examples.dtype != expected)
        {
            throw new ArgumentException(
                $"{name} holds {examples.dtype} values but the model's parameters are {expected}; convert the data with {name}.to(torch.{TypeName(expected)}).",
                name);
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var finite = examples.isfinite();
        if (!finite.all().item<bool>())
        {
            var bad = finite.logical_not().flatten(1).any(1);
            long first = bad.nonzero()[0, 0].item<long>();
            long count = bad.sum().item<long>();
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{name}[{first}] holds NaN or infinite values ({count} of the {examples.shape[0]} examples do); repair or remove them before training."),
                name);
        }

        if (model.Spec.Likelihood is BernoulliLikelihood)
        {
            double min = examples.min().item<float>(), max = examples.max().item<float>();
            if (min < 0 || max > 1)
            {
                var fix = min >= 0 && max <= 255
                    ? $"pixels of 0 to 255 scale to [0, 1] with {name} / 255"
                    : "scale the data into [0, 1], or declare Likelihood = Likelihood.Gaussian";
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"A Bernoulli model reads every value as a probability, so the data must lie in [0, 1], but {name} ranges from {min:G6} to {max:G6}; {fix}."),
                    name);
            }
        }
    }

    private static string TypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        _ => type.ToString().ToLowerInvariant(),
    };
}
