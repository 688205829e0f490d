using System;
using System.Collections.Generic;

namespace AutoencoderDsl.Training;

/// <summary>
/// How the learning rate changes during training: a factor of <see cref="FitOptions.LearningRate"/> for every batch.
/// Each schedule is a function of the epoch, the batch and the history so far, so a resumed run continues it exactly
/// with no state of its own to save. The rate each epoch starts with is in <see cref="EpochSummary.LearningRate"/>.
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>The factor for one batch.</summary>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="batch">The batch of the epoch, from 0.</param>
    /// <param name="batchesPerEpoch">The batches in each epoch.</param>
    /// <param name="epochs">The epochs of the whole run.</param>
    /// <param name="completed">The epochs trained so far, for schedules that react to the validation loss.</param>
    internal abstract double Factor(int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochSummary> completed);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    internal abstract void Validate();
}

/// <summary>Multiplies the rate by <see cref="Gamma"/> every <see cref="StepEpochs"/> epochs, as <c>torch.optim.lr_scheduler.StepLR</c>.</summary>
/// <param name="StepEpochs">How many epochs each rate lasts; at least 1.</param>
/// <param name="Gamma">The factor applied at each step; in (0, 1].</param>
public sealed record StepSchedule(int StepEpochs, double Gamma = 0.1) : LearningRateSchedule
{
    internal override double Factor(int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochSummary> completed) =>
        Math.Pow(Gamma, (epoch - 1) / StepEpochs);

    internal override void Validate()
    {
        Check.AtLeast(StepEpochs, 1, nameof(StepEpochs));
        if (!(Gamma > 0 && Gamma <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Gamma must lie in (0, 1].");
        }
    }
}

/// <summary>
/// A linear warm-up from 0 over <see cref="WarmupEpochs"/>, then cosine annealing to <see cref="MinimumFactor"/> of the
/// rate at the end of the last epoch (Loshchilov and Hutter's schedule, without restarts), updated every batch.
/// </summary>
/// <param name="WarmupEpochs">Epochs of linear warm-up; at least 0.</param>
/// <param name="MinimumFactor">The share of the rate reached at the end; in [0, 1].</param>
public sealed record CosineSchedule(int WarmupEpochs = 0, double MinimumFactor = 0) : LearningRateSchedule
{
    internal override double Factor(int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochSummary> completed)
    {
        double step = ((epoch - 1) * (double)batchesPerEpoch) + batch;
        double warmup = (double)WarmupEpochs * batchesPerEpoch;
        if (step < warmup)
        {
            return (step + 1) / warmup;
        }

        double total = (double)epochs * batchesPerEpoch;
        double progress = total > warmup ? (step - warmup) / (total - warmup) : 1;
        return MinimumFactor + ((1 - MinimumFactor) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }

    internal override void Validate()
    {
        Check.AtLeast(WarmupEpochs, 0, nameof(WarmupEpochs));
        if (!(MinimumFactor >= 0 && MinimumFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumFactor), MinimumFactor, "MinimumFactor must lie in [0, 1].");
        }
    }
}

/// <summary>
/// Smith's one-cycle policy, as <c>torch.optim.lr_scheduler.OneCycleLR</c> with cosine annealing:
/// <see cref="FitOptions.LearningRate"/> is the peak; the rate rises from peak / <see cref="InitialDivisor"/> over the
/// first <see cref="WarmupShare"/> of the batches, then falls to peak / (<see cref="InitialDivisor"/> ·
/// <see cref="FinalDivisor"/>) at the last batch.
/// </summary>
/// <param name="WarmupShare">The share of all batches spent rising; in (0, 1).</param>
/// <param name="InitialDivisor">The peak divided by the starting rate; at least 1.</param>
/// <param name="FinalDivisor">The starting rate divided by the final rate; at least 1.</param>
public sealed record OneCycleSchedule(double WarmupShare = 0.3, double InitialDivisor = 25, double FinalDivisor = 1e4) : LearningRateSchedule
{
    internal override double Factor(int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochSummary> completed)
    {
        double total = ((double)epochs * batchesPerEpoch) - 1;
        double step = ((epoch - 1) * (double)batchesPerEpoch) + batch;
        double rise = WarmupShare * total;
        double start = 1 / InitialDivisor, end = start / FinalDivisor;
        return step <= rise
            ? Anneal(start, 1, rise > 0 ? step / rise : 1)
            : Anneal(1, end, (step - rise) / (total - rise));
    }

    internal override void Validate()
    {
        if (!(WarmupShare > 0 && WarmupShare < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupShare), WarmupShare, "WarmupShare must lie in (0, 1).");
        }

        if (!(InitialDivisor >= 1 && double.IsFinite(InitialDivisor)) || !(FinalDivisor >= 1 && double.IsFinite(FinalDivisor)))
        {
            throw new ArgumentOutOfRangeException(nameof(InitialDivisor), "InitialDivisor and FinalDivisor must be finite and at least 1.");
        }
    }

    private static double Anneal(double from, double to, double progress) => to + ((from - to) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
}

/// <summary>
/// Multiplies the rate by <see cref="Factor"/> whenever the validation loss (the training loss without validation data)
/// has not improved by <see cref="MinDelta"/> for <see cref="Patience"/> epochs, as
/// <c>torch.optim.lr_scheduler.ReduceLROnPlateau</c>, never below <see cref="MinimumFactor"/> of the rate.
/// </summary>
/// <param name="ReductionFactor">The factor applied at each reduction; in (0, 1).</param>
/// <param name="Patience">Epochs without improvement before a reduction; at least 1.</param>
/// <param name="MinDelta">The least decrease in nats that counts as an improvement; at least 0.</param>
/// <param name="MinimumFactor">The smallest share of the rate; in [0, 1].</param>
public sealed record ReduceOnPlateauSchedule(double ReductionFactor = 0.1, int Patience = 5, double MinDelta = 1e-4, double MinimumFactor = 0) : LearningRateSchedule
{
    internal override double Factor(int epoch, int batch, int batchesPerEpoch, int epochs, IReadOnlyList<EpochSummary> completed)
    {
        double factor = 1, best = double.PositiveInfinity;
        int waited = 0;
        foreach (var summary in completed)
        {
            double loss = (summary.Validation ?? summary.Train).Total;
            if (loss < best - MinDelta)
            {
                best = loss;
                waited = 0;
            }
            else if (++waited >= Patience)
            {
                factor = Math.Max(factor * ReductionFactor, MinimumFactor);
                waited = 0;
            }
        }

        return factor;
    }

    internal override void Validate()
    {
        if (!(ReductionFactor > 0 && ReductionFactor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ReductionFactor), ReductionFactor, "ReductionFactor must lie in (0, 1).");
        }

        Check.AtLeast(Patience, 1, nameof(Patience));
        Check.NonNegativeFinite(MinDelta, nameof(MinDelta));
        if (!(MinimumFactor >= 0 && MinimumFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumFactor), MinimumFactor, "MinimumFactor must lie in [0, 1].");
        }
    }
}
