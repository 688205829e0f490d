using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Parts;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

// The neighbourhood part's side of a run: the graph of the training examples, and each batch's neighbours drawn from it.
internal sealed partial class TrainingRun
{
    /// <summary>The graph and the examples it indexes, for a model with the neighbourhood part; null otherwise.</summary>
    private NeighbourhoodData? neighbourhood;

    /// <summary>
    /// Takes the graph of the training examples: the model's from its last <c>Fit</c> on the same data, else built now
    /// (and kept for the next <c>Fit</c>, unless the data is a split's copy that the run releases).
    /// </summary>
    private void PrepareNeighbourhood()
    {
        if (model.Spec.Neighbourhood is not { } term)
        {
            return;
        }

        neighbourhood = Trainer.CachedNeighbourhood(module, train, term.Neighbours);
        if (neighbourhood is not null)
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        neighbourhood = NeighbourhoodData.Build(train, term.Neighbours, rules, options.Loading, cancellationToken);
        TrainingLog.NeighbourhoodBuilt(log, neighbourhood.Graph.Count, term.Neighbours, clock.Elapsed.TotalSeconds);
        if (!validationIsSplit)
        {
            Trainer.KeepNeighbourhood(module, neighbourhood);
        }
    }

    /// <summary>Releases a graph built for this run alone.</summary>
    private void ReleaseNeighbourhood()
    {
        if (validationIsSplit)
        {
            neighbourhood?.Dispose();
        }
    }

    /// <summary>
    /// A generator for epoch <paramref name="epoch"/>'s neighbour draws, seeded from (Seed, epoch) like the order, so a
    /// resumed run draws the same neighbours; null without the part.
    /// </summary>
    private Generator? NeighbourDraws(int epoch) =>
        neighbourhood is null ? null : new Generator(unchecked((ulong)(options.Seed + epoch) ^ NeighbourSeedMix), CPU);

    /// <summary>Keeps the neighbour draws apart from the order's, which is seeded from the same (Seed, epoch).</summary>
    private const ulong NeighbourSeedMix = 0x4E65_6967_6862_6F75;

    /// <summary>
    /// One graph neighbour of each example of the batch at <paramref name="seen"/> of <paramref name="order"/>, drawn by
    /// edge weight; null without the part.
    /// </summary>
    private NeighbourExamples? NeighboursOf(Tensor? order, long seen, int size, Generator? draws)
    {
        if (neighbourhood is null || draws is null)
        {
            return null;
        }

        var rows = order is null ? arange(seen, seen + size, dtype: ScalarType.Int64) : order.narrow(0, seen, size).cpu();
        var tails = neighbourhood.Graph.Sample(rows, draws);
        var examples = neighbourhood.Examples.index_select(0, tails.to(neighbourhood.Examples.device)).to(device);
        var labels = rules.Labelled ? neighbourhood.Labels?.index_select(0, tails.to(neighbourhood.Labels.device)).to(device) : null;
        return new NeighbourExamples(InPassPrecision(examples), labels);
    }
}

/// <summary>
/// The fuzzy graph of a training set and the examples (with their labels) it indexes, in memory: a data set's examples
/// are read once into a tensor. Kept beside the model so that its next <c>Fit</c> on the same data builds no new graph.
/// </summary>
internal sealed class NeighbourhoodData : IDisposable
{
    private readonly Tensor? heldExamples;
    private readonly string? fingerprint;

    private NeighbourhoodData(Tensor examples, Tensor? labels, bool read, string? fingerprint, NeighbourhoodGraph graph)
    {
        Examples = examples;
        Labels = labels;
        heldExamples = read ? examples : null;
        this.fingerprint = fingerprint;
        Graph = graph;
    }

    /// <summary>The training examples the graph's rows are.</summary>
    public Tensor Examples { get; }

    /// <summary>Their labels, when the data has them.</summary>
    public Tensor? Labels { get; }

    /// <summary>The graph.</summary>
    public NeighbourhoodGraph Graph { get; }

    /// <summary>
    /// Whether this is the graph of <paramref name="train"/> over <paramref name="k"/> neighbours: the same tensor objects
    /// (examples and labels), or a data set with the same fingerprint.
    /// </summary>
    public bool IsFor(TrainingData train, int k) =>
        Graph.K == k && Graph.Count == train.Count
        && (train.Examples is { } examples
            ? ReferenceEquals(examples, Examples) && ReferenceEquals(train.Labels, Labels)
            : fingerprint is not null && train.Source?.Fingerprint == fingerprint);

    /// <summary>Reads <paramref name="train"/> into memory if it is a data set, and builds its graph.</summary>
    public static NeighbourhoodData Build(TrainingData train, int k, ExampleRules rules, DataLoading loading, CancellationToken cancellationToken)
    {
        if (train.Examples is { } examples)
        {
            return new NeighbourhoodData(examples, train.Labels, read: false, fingerprint: null, NeighbourhoodGraph.Build(examples, k));
        }

        var (read, labels) = ReadWhole(train, rules, loading, cancellationToken);
        try
        {
            return new NeighbourhoodData(read, labels, read: true, train.Source?.Fingerprint, NeighbourhoodGraph.Build(read, k));
        }
        catch
        {
            read.Dispose();
            labels?.Dispose();
            throw;
        }
    }

    /// <summary>Every example of a data set, in its order, on the CPU: the graph needs them all, and the draws read any.</summary>
    private static (Tensor Examples, Tensor? Labels) ReadWhole(TrainingData train, ExampleRules rules, DataLoading loading, CancellationToken cancellationToken)
    {
        const int BatchSize = 256;
        var examples = new List<Tensor>();
        var labels = new List<Tensor>();
        try
        {
            using var reader = train.Open(order: null, BatchSize, CPU, rules, "train", loading);
            for (long start = 0; start < train.Count; start += BatchSize)
            {
                var batch = reader.Next((int)Math.Min(BatchSize, train.Count - start), cancellationToken);
                examples.Add(batch.Examples);
                if (batch.Labels is { } batchLabels)
                {
                    labels.Add(batchLabels);
                }
            }

            return (cat(examples), labels.Count == 0 ? null : cat(labels));
        }
        finally
        {
            examples.ForEach(tensor => tensor.Dispose());
            labels.ForEach(tensor => tensor.Dispose());
        }
    }

    public void Dispose()
    {
        Graph.Dispose();

        // Examples read from a data set are this object's; a caller's tensors stay theirs.
        if (heldExamples is not null)
        {
            heldExamples.Dispose();
            Labels?.Dispose();
        }
    }
}
