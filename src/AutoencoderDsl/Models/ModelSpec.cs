using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Parts;

namespace AutoencoderDsl;

/// <summary>
/// What a declaration fixes about a model, written by the generator from the model's parts and shared by every instance
/// and by the training machinery: the shapes, the latent head, the likelihood, the loss terms and the optional condition
/// and corruption.
/// </summary>
public sealed record ModelSpec
{
    private readonly IReadOnlyList<long> inputShape = [];
    private readonly IReadOnlyList<LossTerm> lossTerms = [];

    /// <summary>The shape of one example, without the batch dimension.</summary>
    public required IReadOnlyList<long> InputShape
    {
        get => inputShape;
        init => inputShape = value is { Count: > 0 } && value.All(dim => dim > 0)
            ? value.ToArray()
            : throw new ArgumentException("The input shape needs one or more positive dimensions.", nameof(InputShape));
    }

    /// <summary>The latent head: the kind of code, its state-dict names and its export forms.</summary>
    public required LatentHead Latent { get; init; }

    /// <summary>The width of the latent code.</summary>
    public int LatentDim => Latent.LatentDim;

    /// <summary>How the decoder's output is scored, and what <c>Decode</c> returns.</summary>
    public required LikelihoodModel Likelihood { get; init; }

    /// <summary>The terms whose weighted sum is the loss; a reconstruction term first.</summary>
    public required IReadOnlyList<LossTerm> LossTerms
    {
        get => lossTerms;
        init
        {
            var terms = value.ToArray();
            if (terms.Length == 0 || terms[0] is not ReconstructionTerm)
            {
                throw new ArgumentException("The loss terms start with a reconstruction term.", nameof(LossTerms));
            }

            var repeated = terms.GroupBy(term => term.Name).FirstOrDefault(group => group.Count() > 1);
            if (repeated is not null || terms.Any(term => term.Name == LossMetrics.TotalName))
            {
                throw new ArgumentException($"Every loss term needs its own name other than '{LossMetrics.TotalName}'; '{repeated?.Key ?? LossMetrics.TotalName}' is taken.", nameof(LossTerms));
            }

            lossTerms = terms;
            Neighbourhood = terms.OfType<NeighbourhoodTerm>().FirstOrDefault();
        }
    }

    /// <summary>The neighbourhood term among <see cref="LossTerms"/>, for which the trainer builds a graph and draws neighbours; null without one.</summary>
    public NeighbourhoodTerm? Neighbourhood { get; private init; }

    /// <summary>The declared encoder's layers, which end in the features the latent heads read.</summary>
    public required IReadOnlyList<Export.Layer> Encoder { get; init; }

    /// <summary>The declared decoder's layers, without a final Sigmoid the likelihood applies itself (<see cref="BernoulliLikelihood.FromLogits"/>).</summary>
    public required IReadOnlyList<Export.Layer> Decoder { get; init; }

    /// <summary>The class condition of a class-conditional model; null otherwise.</summary>
    public ClassCondition? Condition { get; init; }

    /// <summary>The corruption of a denoising model, applied while training; null otherwise.</summary>
    public InputCorruption? Corruption { get; init; }
}
