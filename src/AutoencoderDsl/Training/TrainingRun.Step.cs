using System;
using System.Linq;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

// One training step, as pytorch/examples' vae/main.py takes it in train(); the pieces it calls and a reader may skip
// are named for what they do: InPassPrecision (TrainingRun.MixedPrecision.cs), RecordOnDevice and RecordOrDiverge
// (TrainingRun.Divergence.cs).
internal sealed partial class TrainingRun
{
    /// <summary>
    /// One optimizer step on the batch starting at <paramref name="seen"/> of <paramref name="order"/>: the batch on the
    /// training device and through <see cref="FitOptions.Corrupt"/> (with its graph neighbours, for the neighbourhood
    /// part), the loss, backward, clipping, the step, the terms recorded. Its temporaries are released with its scope.
    /// </summary>
    private void TrainBatch(int epoch, int batch, TrainingOptimizer optimizer, IBatchReader reader, TermAccumulator terms, long seen, Tensor? order, Generator? neighbourDraws)
    {
        using var scope = NewDisposeScope();
        optimizer.LearningRate = RateOf(epoch, batch - 1);
        int size = (int)Math.Min(options.BatchSize, Examples - seen);
        using var examples = reader.Next(size, cancellationToken);
        var clean = examples.Examples;
        var input = Corrupted(options.Corrupt, clean);
        var loss = model.ComputeLoss(InPassPrecision(input), clean, examples.Labels, NeighboursOf(order, seen, size, neighbourDraws));
        optimizer.ZeroGrad();
        loss.Total.backward();
        ClipGradients();

        // A non-finite gradient under a finite loss would step the parameters to NaN unseen, so both are checked
        // before the step, and read together.
        var gradientsFinite = options.CheckGradients ? optimizer.GradientsFinite() : null;
        if (terms.Deferred)
        {
            optimizer.Step(RecordOnDevice(terms, loss, size, batch, gradientsFinite));
        }
        else
        {
            RecordOrDiverge(terms, loss, size, epoch, batch, gradientsFinite, optimizer);
            optimizer.Step();
        }
    }

    /// <summary>Scales the gradients of the parameters the passes ran on down to <see cref="FitOptions.MaxGradientNorm"/>, when one is set.</summary>
    private void ClipGradients()
    {
        if (options.MaxGradientNorm is double maxNorm)
        {
            nn.utils.clip_grad_norm_(passParameters, maxNorm);
        }
    }

    /// <summary>The batch through <see cref="FitOptions.Corrupt"/>, which must keep its shape and element type.</summary>
    internal static Tensor Corrupted(Func<Tensor, Tensor>? corrupt, Tensor clean)
    {
        if (corrupt is null)
        {
            return clean;
        }

        var corrupted = corrupt(clean) ?? throw new ArgumentException("FitOptions.Corrupt returned null; return the corrupted batch.", "options");
        if (!corrupted.shape.SequenceEqual(clean.shape) || corrupted.dtype != clean.dtype)
        {
            throw new ArgumentException(
                $"FitOptions.Corrupt must return a batch like its input, {clean.dtype} {Shapes.Format(clean.shape)}, but returned {corrupted.dtype} {Shapes.Format(corrupted.shape)}.",
                "options");
        }

        return corrupted;
    }
}
