using System;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>A data set to train or evaluate on: the examples and, for a class-conditional model, their labels.</summary>
/// <param name="Examples">The examples, <c>[N, ...InputShape]</c>.</param>
/// <param name="Labels">The class of every example, <c>Int64 [N]</c>, for a class-conditional model; null otherwise.</param>
public sealed record TrainingData(Tensor Examples, Tensor? Labels = null)
{
    /// <summary>The checked examples.</summary>
    public Tensor Examples { get; init; } = Examples ?? throw new ArgumentNullException(nameof(Examples));
}
