using System.Collections.Generic;

namespace AutoencoderDsl.Training;

/// <summary>
/// Stops training when the validation loss has not improved by <see cref="MinDelta"/> for <see cref="Patience"/>
/// epochs, and, with <see cref="RestoreBestWeights"/>, leaves the model with the parameters of its best epoch.
/// Needs validation data (or <see cref="FitOptions.ValidationSplit"/>).
/// </summary>
/// <param name="Patience">Epochs without improvement before stopping; at least 1.</param>
/// <param name="MinDelta">The least decrease of the validation total, in nats, that counts as an improvement; at least 0.</param>
/// <param name="RestoreBestWeights">Whether the model ends with its best epoch's parameters rather than its last.</param>
public sealed record EarlyStopping(int Patience = 5, double MinDelta = 0, bool RestoreBestWeights = true)
{
    internal void Validate()
    {
        Check.AtLeast(Patience, 1, nameof(Patience));
        Check.NonNegativeFinite(MinDelta, nameof(MinDelta));
    }

    /// <summary>The best epoch so far and how many epochs have passed without improving on it.</summary>
    internal (int BestEpoch, int Waited) Track(IReadOnlyList<EpochSummary> history)
    {
        double best = double.PositiveInfinity;
        int bestEpoch = 0, waited = 0;
        foreach (var epoch in history)
        {
            double loss = epoch.Validation!.Total;
            if (loss < best - MinDelta)
            {
                best = loss;
                bestEpoch = epoch.Epoch;
                waited = 0;
            }
            else
            {
                waited++;
            }
        }

        return (bestEpoch, waited);
    }
}
