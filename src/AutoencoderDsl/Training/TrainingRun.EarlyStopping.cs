using System.IO;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

// FitOptions.EarlyStopping during a run: when it ends the run, the best epoch's weights it keeps, and the run's end.
internal sealed partial class TrainingRun
{
    private bool StopsEarly() =>
        options.EarlyStopping is { } stopping && history.Count > 0 && stopping.Track(history).Waited >= stopping.Patience;

    /// <summary>Whether early stopping ends the run before another epoch; a continued call trains at least one epoch before it may end it again.</summary>
    private bool StopsBeforeNextEpoch(int resumed) => StopsEarly() && (continuation is null || history.Count > resumed);

    /// <summary>Keeps the model's weights when <paramref name="epoch"/>, just added to the history, is the best so far and early stopping restores the best.</summary>
    private void KeepIfBest(int epoch)
    {
        if (options.EarlyStopping is { RestoreBestWeights: true } early && early.Track(history).BestEpoch == epoch)
        {
            bestWeights = Snapshot(module);
        }
    }

    /// <summary>
    /// After the last epoch: the reason the run stopped (early stopping, where it ended a run that was to complete),
    /// the best epoch, and whether the model was given the best epoch's weights back.
    /// </summary>
    private (TrainingStopReason Stop, int? BestEpoch, bool RestoredBest) EndEarlyStopping(TrainingStopReason stop)
    {
        int? bestEpoch = null;
        bool restoredBest = false;
        if (options.EarlyStopping is { } stopping)
        {
            bestEpoch = stopping.Track(history).BestEpoch;
            if (stop == TrainingStopReason.Completed && StopsEarly())
            {
                stop = TrainingStopReason.EarlyStopping;
                TrainingLog.EarlyStopped(log, history[^1].Epoch, stopping.Patience, history[bestEpoch.Value - 1].Validation!.Total, bestEpoch.Value);
            }

            if (stopping.RestoreBestWeights && bestWeights is not null && bestEpoch != history[^1].Epoch)
            {
                ModelFile.Read(module, bestWeights, "the best epoch's weights");
                restoredBest = true;
                TrainingLog.BestWeightsRestored(log, bestEpoch!.Value);
            }
        }

        return (stop, bestEpoch, restoredBest);
    }

    private static byte[] Snapshot(nn.Module module)
    {
        var image = new MemoryStream();
        ModelFile.Write(module, image);
        return image.ToArray();
    }
}
