using System.Collections.Generic;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Parsing;
using AutoencoderDsl.Generators.Shapes;

namespace AutoencoderDsl.Generators.Parts;

/// <summary>
/// Step 2 of the pipeline: which parts a declaration describes. The model attribute gives the latent head, the
/// likelihood and (for a VAE) the KL term; each part attribute gives one part. A new part is one line here.
/// </summary>
public static class ModelParts
{
    public static EquatableArray<Part> Describe(ModelReading reading)
    {
        var model = reading.Model;
        var likelihood = model?.Likelihood ?? Likelihood.Bernoulli;
        var decoder = ModelReading.LayersOf(reading.Decoder);
        int fusedSigmoid = likelihood == Likelihood.Bernoulli ? ShapeInference.FusableSigmoidIndex(decoder) : -1;
        long latentDim = model?.LatentDim ?? 0;
        var sparse = reading.Part<SparseAttribute>();
        bool sparsityTarget = sparse is { Target: not 0 };

        var parts = new List<Part>
        {
            new CorePart(reading.InputShape ?? EquatableArray<long>.Empty),
            new EncoderPart(ModelReading.LayersOf(reading.Encoder)),
            model switch
            {
                VectorQuantizedAttribute quantized => new VectorQuantizedLatentPart(latentDim, quantized.Codes, quantized.RestartDeadCodes),
                _ when reading.IsVariational => new GaussianLatentPart(latentDim),
                _ => new DeterministicLatentPart(latentDim, SquashedToUnitInterval: sparsityTarget),
            },
            new DecoderPart(decoder, fusedSigmoid),
        };

        if (reading.Part<ClassConditionalAttribute>() is { } conditional)
        {
            parts.Add(new ClassConditioningPart(conditional.Classes));
        }

        if (reading.Part<DenoisingAttribute>() is { } denoising)
        {
            parts.Add(new DenoisingPart(denoising.Noise, denoising.Level, denoising.Min, denoising.Max));
        }

        parts.Add(new ReconstructionPart(likelihood, FromLogits: fusedSigmoid >= 0, Sigma: model is { Sigma: not 0 } ? model.Sigma : null, LearnedScale: model?.LearnedVariance == true));

        if (reading.IsVariational)
        {
            var variational = model as VariationalAttribute ?? new VariationalAttribute();
            parts.Add(new KlPart(variational.Beta, variational.KlWarmupEpochs));
        }

        if (model is VectorQuantizedAttribute { Commitment: var commitment })
        {
            parts.Add(new QuantizationPart(commitment));
        }

        if (sparse is not null)
        {
            parts.Add(sparsityTarget ? new SparsityPart(sparse.Weight, sparse.Target) : new SparsityPart(sparse.L1, Target: null));
        }

        if (reading.Part<NeighbourhoodAttribute>() is { } neighbourhood)
        {
            parts.Add(new NeighbourhoodPart(neighbourhood.Weight, neighbourhood.Neighbours, neighbourhood.MinDistance, neighbourhood.NegativeSamples, neighbourhood.Loss));
        }

        return parts.ToEquatableArray();
    }
}
