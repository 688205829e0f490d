using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// Keeps each loss term's example-weighted sum over an epoch. Read on the host, every batch's terms are read once;
/// deferred (given a device), the sums, the last batch's terms and the first non-finite batch stay on the device
/// until <see cref="Synchronise"/> reads them in one transfer.
/// </summary>
internal sealed class TermAccumulator(Device? device) : IDisposable
{
    private string[] names = [];
    private double[] latest = [];
    private double[] sums = [];
    private int totalIndex;
    private long examples;
    private long deviceExamples;
    private Tensor? deviceSums;
    private Tensor? deviceLatest;

    // The number of the first batch whose total or gradients were not finite (+∞ while there is none), and its total.
    private Tensor? firstBad;
    private Tensor? badTotal;

    public bool Deferred => device is not null;

    /// <summary>
    /// Records a batch of <paramref name="size"/> examples, reading its terms and any <paramref name="gradientsFinite"/>
    /// in one transfer, and returns its total loss and whether both the total and the gradients are finite.
    /// </summary>
    public (double Total, bool Finite) Add(ModelLoss loss, long size, Tensor? gradientsFinite = null)
    {
        Start(loss);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var values = gradientsFinite is null ? Values(loss) : cat([Values(loss), gradientsFinite.to(float64).reshape(1)]);
        var host = values.cpu().data<double>().ToArray();
        for (int i = 0; i < latest.Length; i++)
        {
            latest[i] = host[i];
            sums[i] += latest[i] * size;
        }

        examples += size;
        double total = latest[totalIndex];
        return (total, double.IsFinite(total) && (gradientsFinite is null || host[^1] != 0));
    }

    /// <summary>
    /// Records batch number <paramref name="batch"/> on the device and returns whether its total and its gradients
    /// (<paramref name="gradientsFinite"/>) are finite, as a boolean scalar there.
    /// </summary>
    public Tensor AddOnDevice(ModelLoss loss, long size, int batch, Tensor? gradientsFinite)
    {
        Start(loss);
        if (deviceSums is null)
        {
            // Created inside a batch's dispose scope, they must outlive it: this accumulator disposes them.
            deviceSums = zeros(names.Length, float64, device!).DetachFromDisposeScope();
            deviceLatest = zeros(names.Length, float64, device!).DetachFromDisposeScope();
            firstBad = full(1, double.PositiveInfinity, float64, device!).DetachFromDisposeScope();
            badTotal = zeros(1, float64, device!).DetachFromDisposeScope();
        }

        using var noGrad = no_grad();
        var values = Values(loss);
        deviceSums.add_(values, alpha: size);
        deviceLatest!.copy_(values);
        var total = values.narrow(0, totalIndex, 1);
        var finite = gradientsFinite is null ? total.isfinite() : total.isfinite().logical_and(gradientsFinite);
        var first = finite.logical_not().logical_and(firstBad!.isinf());
        firstBad.copy_(where(first, full_like(firstBad, batch), firstBad));
        badTotal!.copy_(where(first, total, badTotal));
        deviceExamples += size;
        return finite.squeeze();
    }

    /// <summary>The batch's terms in double precision, in <see cref="names"/>' order, on their device.</summary>
    private static Tensor Values(ModelLoss loss) =>
        stack(loss.Terms.Select(term => term.Value.detach().reshape(1)).ToArray()).to(float64).flatten();

    /// <summary>Reads what the device holds; returns the first batch whose total or gradients were not finite, if one was.</summary>
    public (int Batch, double Total)? Synchronise()
    {
        if (deviceSums is null)
        {
            return null;
        }

        using var scope = NewDisposeScope();
        var host = cat([deviceSums, deviceLatest!, firstBad!, badTotal!]).cpu().data<double>().ToArray();
        int count = names.Length;
        Array.Copy(host, 0, sums, 0, count);
        Array.Copy(host, count, latest, 0, count);
        examples = deviceExamples;
        return double.IsFinite(host[2 * count]) ? ((int)host[2 * count], host[(2 * count) + 1]) : null;
    }

    public void Dispose()
    {
        deviceSums?.Dispose();
        deviceLatest?.Dispose();
        firstBad?.Dispose();
        badTotal?.Dispose();
    }

    private void Start(ModelLoss loss)
    {
        if (names.Length == 0)
        {
            names = loss.Terms.Select(term => term.Key).ToArray();
            totalIndex = Array.IndexOf(names, LossMetrics.TotalName);
            latest = new double[names.Length];
            sums = new double[names.Length];
        }
    }

    /// <summary>The terms of the last batch.</summary>
    public LossMetrics Latest() => Metrics(latest, 1);

    /// <summary>The mean of each term per example so far.</summary>
    public LossMetrics Mean() => Metrics(sums, examples);

    private LossMetrics Metrics(double[] values, double divisor)
    {
        var terms = new Dictionary<string, double>(names.Length);
        for (int i = 0; i < names.Length; i++)
        {
            terms[names[i]] = values[i] / divisor;
        }

        return new LossMetrics(terms);
    }
}
