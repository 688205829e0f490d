using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Data;
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
        // Two reductions that allocate nothing answer both checks: a NaN makes min and max NaN, and an infinity makes
        // one of them infinite. Only data that fails is searched element by element, for the message.
        double min = examples.min().to(float64).item<double>(), max = examples.max().to(float64).item<double>();
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            var bad = examples.isfinite().logical_not().flatten(1).any(1);
            long first = bad.nonzero()[0, 0].item<long>();
            long count = bad.sum().item<long>();
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{name}[{first}] holds NaN or infinite values ({count} of the {examples.shape[0]} examples do); repair or remove them before training."),
                name);
        }

        if (model.Spec.Likelihood.TargetsAreProbabilities && (min < 0 || max > 1))
        {
            var fix = min >= 0 && max <= 255
                ? $"pixels of 0 to 255 scale to [0, 1] with {name} / 255"
                : "scale the data into [0, 1], or declare Likelihood = Likelihood.Gaussian";
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"A Bernoulli model reads every value as a probability, so the data must lie in [0, 1], but {name} ranges from {min:G6} to {max:G6}; {fix}."),
                name);
        }
    }

    internal static string TypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        _ => type.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// What every example a data set gives must be for a model, checked as each example and each batch arrives: its shape
/// and element type, its label when labels are wanted (an <c>Int64</c> scalar, within the classes when they are
/// counted), finite values, and for a Bernoulli model values in [0, 1]. A failure names the example and its origin.
/// </summary>
internal sealed class ExampleRules
{
    private readonly IReadOnlyList<long> shape;
    private readonly ScalarType type;
    private readonly bool bernoulli;
    private readonly int? classes;

    /// <param name="model">The model whose input the examples are.</param>
    /// <param name="labelsWanted">Why labels are read (<c>the model is class-conditional</c>), or null when they are not.</param>
    /// <param name="classes">The number of classes labels must lie within, when known.</param>
    public ExampleRules(ITrainableAutoencoder model, string? labelsWanted, int? classes)
    {
        shape = model.Spec.InputShape;
        type = model.Module.parameters().First().dtype;
        bernoulli = model.Spec.Likelihood.TargetsAreProbabilities;
        LabelsWanted = labelsWanted;
        this.classes = classes;
    }

    /// <summary>The shape of every example.</summary>
    public IReadOnlyList<long> Shape => shape;

    /// <summary>
    /// <paramref name="dataset"/> as an <see cref="IExampleWriter"/> when batches can be written straight from it: float32
    /// parameters, its example shape the model's, and labels when they are wanted; null otherwise.
    /// </summary>
    public IExampleWriter? Writes(torch.utils.data.Dataset dataset) =>
        dataset is IExampleWriter writer && type == ScalarType.Float32 && writer.ExampleShape.SequenceEqual(shape) && (!Labelled || writer.Labelled)
            ? writer
            : null;

    /// <summary>Whether labels are read with the examples.</summary>
    public bool Labelled => LabelsWanted is not null;

    /// <summary>Why labels are read, for messages.</summary>
    public string? LabelsWanted { get; }

    /// <summary>Checks one example's shape and element type, and its label; <paramref name="describe"/> names it.</summary>
    public void CheckExample(Tensor example, Tensor? label, Func<string> describe)
    {
        if (!example.shape.SequenceEqual(shape))
        {
            throw new ArgumentException($"Expected every example to have the model's input shape {Shapes.Format(shape)}, but {describe()} has shape {Shapes.Format(example.shape)}.");
        }

        if (example.dtype != type)
        {
            throw new ArgumentException($"The model's parameters are {type}, but {describe()} holds {example.dtype} values; give {type} examples (convert with .to(torch.{DataChecks.TypeName(type)})).");
        }

        if (label is null)
        {
            return;
        }

        if (label.dtype != ScalarType.Int64 || label.numel() != 1 || label.ndim > 1)
        {
            throw new ArgumentException($"Expected each label to be an Int64 scalar, but {describe()} has a {label.dtype} {Shapes.Format(label.shape)} label.");
        }

        CheckLabel(label.item<long>(), describe);
    }

    /// <summary>Checks a label's value; <paramref name="describe"/> names its example.</summary>
    public void CheckLabel(long value, Func<string> describe)
    {
        if (!LabelFits(value))
        {
            throw new ArgumentException(
                classes is int known
                    ? $"Every label must lie in [0, {known}), but {describe()} has label {value}."
                    : $"Every label must be a class index of 0 or more, but {describe()} has label {value}.");
        }
    }

    /// <summary>Checks example <paramref name="index"/>'s values in memory, as <see cref="CheckValues(Tensor, long[], torch.utils.data.Dataset, string)"/> does a batch's.</summary>
    public void CheckValues(ReadOnlySpan<float> values, torch.utils.data.Dataset dataset, long index, string name)
    {
        foreach (float value in values)
        {
            // One comparison a value while all is well: NaN fails both bounds, and the infinities fail one.
            if (!(value >= (bernoulli ? 0 : float.MinValue) && value <= (bernoulli ? 1 : float.MaxValue)))
            {
                string problem = float.IsFinite(value) ? OutsideUnit : NotFinite;
                throw new ArgumentException($"{char.ToUpperInvariant(name[0])}{name[1..]}: {BatchStream.Describe(dataset, index, name)} {problem}.", name);
            }
        }
    }

    /// <summary>Whether a label's value is one of the classes.</summary>
    public bool LabelFits(long value) => value >= 0 && (classes is not int count || value < count);

    private const string NotFinite = "holds NaN or infinite values; repair or remove it";

    private const string OutsideUnit = "has values outside [0, 1], which a Bernoulli model reads as probabilities; scale the data into [0, 1] (pixels of 0 to 255: divide by 255), or declare Likelihood = Likelihood.Gaussian";

    /// <summary>Checks a stacked batch's values, naming the first example that fails by its index in <paramref name="indices"/>.</summary>
    public void CheckValues(Tensor batch, long[] indices, torch.utils.data.Dataset dataset, string name)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var flat = batch.flatten(1);
        var bad = flat.isfinite().logical_not().any(1);
        string problem = NotFinite;
        if (bernoulli && !bad.any().item<bool>())
        {
            bad = flat.lt(0).logical_or(flat.gt(1)).any(1);
            problem = OutsideUnit;
        }

        if (bad.any().item<bool>())
        {
            long first = bad.nonzero()[0, 0].item<long>();
            throw new ArgumentException($"{char.ToUpperInvariant(name[0])}{name[1..]}: {BatchStream.Describe(dataset, indices[first], name)} {problem}.", name);
        }
    }
}
