using System;
using System.Linq;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

// A batch whose loss or gradients are not finite, or an epoch that ends with a parameter that is not: caught, rolled
// back to the epoch's start (EpochStart), and told with what to try.
internal sealed partial class TrainingRun
{
    /// <summary>
    /// Records the batch's terms on the device and returns whether its total and gradients are finite, as a flag there
    /// that the optimizer skips the step on; the epoch reads the first batch that was not when it reads the terms.
    /// </summary>
    private Tensor RecordOnDevice(TermAccumulator terms, ModelLoss loss, int size, int batch, Tensor? gradientsFinite)
    {
        var finite = terms.AddOnDevice(loss, size, batch, gradientsFinite);
        // The first batch's loss is read once a run, for the advice a divergence gives.
        firstBatchLoss ??= loss.Total.item<float>();
        return finite;
    }

    /// <summary>Records the batch's terms, read on the host, and throws <see cref="Diverged"/>'s exception when its total or gradients are not finite.</summary>
    private void RecordOrDiverge(TermAccumulator terms, ModelLoss loss, int size, int epoch, int batch, Tensor? gradientsFinite, TrainingOptimizer optimizer)
    {
        var (total, finite) = terms.Add(loss, size, gradientsFinite);
        firstBatchLoss ??= total;
        if (!finite)
        {
            throw Diverged(epoch, batch, total, optimizer);
        }
    }

    /// <summary>
    /// Returns the model and optimizer to the epoch's start, and the exception that says why and what to do: the
    /// batch's total loss was not finite, or its gradient was not (the total is finite), or after the epoch's last
    /// step the parameter or buffer <paramref name="nonFinite"/> was not.
    /// </summary>
    private TrainingDivergedException Diverged(int epoch, int batch, double total, TrainingOptimizer optimizer, string? nonFinite = null)
    {
        // The rollback restores the float32 model, whose parameters are the masters.
        ToMasters(optimizer);
        epochStart.Restore(module, optimizer);
        var diverged = new TrainingDivergedException(new DivergenceFacts(
            epoch,
            batch,
            total,
            RateOf(epoch, batch - 1),
            options.Optimizer.UsualLearningRate,
            options.Optimizer.StepScalesWithGradient,
            history.Count > 0 ? options.CheckpointPath : null,
            firstBatchLoss,
            history.Count > 0 ? history[^1].Train.Total : null,
            nonFinite));
        TrainingLog.Diverged(log, epoch, batch, total, RateOf(epoch, batch - 1), diverged.Message);
        return diverged;
    }

    /// <summary>The name of the first parameter or floating-point buffer (a running statistic) holding a NaN or an infinity, read in one transfer; null when all are finite.</summary>
    private static string? FirstNonFinite(nn.Module module)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var named = module.named_parameters().Select(parameter => (parameter.name, Value: (Tensor)parameter.parameter))
            .Concat(module.named_buffers().Where(buffer => is_floating_point(buffer.buffer)).Select(buffer => (buffer.name, Value: buffer.buffer)))
            .ToArray();
        var finite = stack(named.Select(entry => entry.Value.isfinite().all()).ToArray()).cpu().data<bool>().ToArray();
        int first = Array.IndexOf(finite, false);
        return first < 0 ? null : named[first].name;
    }
}
