using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Parts;

/// <summary>
/// Conditions a model on a class label: the one-hot label is joined to the encoder's features before the latent heads
/// and to the code before the decoder.
/// </summary>
/// <param name="Classes">The number of classes; at least 2.</param>
public sealed record ClassCondition(int Classes)
{
    /// <summary>The checked number of classes.</summary>
    public int Classes { get; init; } = Classes >= 2
        ? Classes
        : throw new ArgumentOutOfRangeException(nameof(Classes), Classes, "A class condition needs at least 2 classes.");

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming <paramref name="parameterName"/> unless <paramref name="labels"/>
    /// is an <c>Int64</c> tensor <c>[count]</c> with every value in [0, <see cref="Classes"/>).
    /// </summary>
    public void RequireLabels(Tensor? labels, long count, string parameterName)
    {
        if (labels is null)
        {
            throw new ArgumentNullException(parameterName, $"This model is conditioned on {Classes} classes, so every call needs the labels.");
        }

        if (labels.dtype != ScalarType.Int64 || labels.ndim != 1 || labels.shape[0] != count)
        {
            throw new ArgumentException(
                $"Expected labels of type Int64 and shape [{count}] but got {labels.dtype} {Shapes.Format(labels.shape)}"
                + (labels.dtype == ScalarType.Int64 ? "." : "; convert them with .to(torch.int64)."),
                parameterName);
        }

        RequireRange(labels, parameterName);
    }

    /// <summary>Throws unless <paramref name="label"/> is one of the classes.</summary>
    public void RequireLabel(long label, string parameterName)
    {
        if (label < 0 || label >= Classes)
        {
            throw new ArgumentOutOfRangeException(parameterName, label, $"A label must lie in [0, {Classes}), but got {label}.");
        }
    }

    /// <summary>The one-hot rows of <paramref name="labels"/> (already checked), as <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public Tensor OneHot(Tensor labels, ScalarType dtype, Device device) =>
        nn.functional.one_hot(labels.to(device), Classes).to(dtype);

    private void RequireRange(Tensor labels, string parameterName)
    {
        if (labels.numel() == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        var outside = (labels < 0).logical_or(labels >= Classes).nonzero();
        if (outside.shape[0] > 0)
        {
            long index = outside[0, 0].item<long>();
            long value = labels[index].item<long>();
            throw new ArgumentException(
                $"Every label must lie in [0, {Classes}), but labels[{index}] is {value}"
                + (outside.shape[0] > 1 ? $" ({outside.shape[0]} labels are out of range)." : "."),
                parameterName);
        }
    }
}
