using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// A data set to train or evaluate on: examples in one tensor (with the labels of a class-conditional model), or a
/// TorchSharp <see cref="torch.utils.data.Dataset"/> read batch by batch on background threads, so that it never has to
/// sit whole in memory. Both give the same batches in the same order.
/// </summary>
public sealed class TrainingData
{
    /// <summary>Examples held in memory.</summary>
    /// <param name="examples">The examples, <c>[N, ...InputShape]</c>.</param>
    /// <param name="labels">The class of every example, <c>Int64 [N]</c>, for a class-conditional model; null otherwise.</param>
    public TrainingData(Tensor examples, Tensor? labels = null)
    {
        Examples = examples ?? throw new ArgumentNullException(nameof(examples));
        Labels = labels;
    }

    /// <summary>Examples read from <paramref name="dataset"/> as they are needed.</summary>
    /// <param name="dataset">
    /// Gives each example under the key <c>"data"</c> (<see cref="DataKeys.Data"/>), shaped like the model's input, and its
    /// class under <c>"label"</c> (<see cref="DataKeys.Label"/>), read only when a class-conditional model or a
    /// measurement needs it. Its <c>GetTensor</c> is called from several threads at once.
    /// </param>
    public TrainingData(torch.utils.data.Dataset dataset)
    {
        Dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
    }

    /// <summary>The examples in memory; null when they come from <see cref="Dataset"/>.</summary>
    public Tensor? Examples { get; }

    /// <summary>The labels in memory; null without labels or when the examples come from <see cref="Dataset"/>.</summary>
    public Tensor? Labels { get; }

    /// <summary>The data set the examples are read from; null when they are in memory.</summary>
    public torch.utils.data.Dataset? Dataset { get; }

    /// <summary>The number of examples.</summary>
    public long Count => Examples?.shape[0] ?? Dataset!.Count;

    /// <summary>Where the data comes from, for a checkpoint's signature.</summary>
    internal IExampleSource? Source => Dataset as IExampleSource;

    /// <summary>
    /// Checks the data before any work: the input shape, at least one example, the labels of a class-conditional model,
    /// the parameters' element type, finite values and [0, 1] for a Bernoulli model. A tensor is checked whole; a data
    /// set's first examples are read and checked here, and every later one as its batch arrives.
    /// </summary>
    internal void RequireUsable(ITrainableAutoencoder model, string name)
    {
        if (Examples is not null)
        {
            RequireTensors(model, name);
            return;
        }

        if (Dataset!.Count <= 0)
        {
            throw new ArgumentException($"The data set {name} holds no examples; expected at least one.", name);
        }

        if (model.Spec.Condition is { } condition && Source?.ClassNames is { } names && names.Count != condition.Classes)
        {
            throw new ArgumentException(
                $"The model is conditioned on {condition.Classes} classes but the data set {name} has {names.Count} ({Listed(names)}); declare [ClassConditional({names.Count})] or give a data set of {condition.Classes} classes.",
                name);
        }

        var rules = Rules(model);
        long first = Math.Min(Dataset.Count, FirstChecked);
        var examples = new List<Tensor>();
        try
        {
            for (long index = 0; index < first; index++)
            {
                var (example, label) = BatchStream.Read(Dataset, index, rules, name);
                examples.Add(example);
                label?.Dispose();
            }

            using var batch = stack(examples);
            rules.CheckValues(batch, Enumerable.Range(0, examples.Count).Select(i => (long)i).ToArray(), Dataset, name);
        }
        finally
        {
            examples.ForEach(example => example.Dispose());
        }
    }

    /// <summary>How many examples of a data set are read and checked before any work.</summary>
    private const int FirstChecked = 16;

    /// <summary>What each example of this data must be for <paramref name="model"/>: labels are read for a class-conditional one.</summary>
    internal static ExampleRules Rules(ITrainableAutoencoder model) =>
        model.Spec.Condition is { } condition
            ? new ExampleRules(model, "the model is class-conditional", condition.Classes)
            : new ExampleRules(model, labelsWanted: null, classes: null);

    /// <summary>
    /// Opens the batches of one pass: the examples in <paramref name="order"/> (a permutation, or null for their own
    /// order), on <paramref name="device"/>.
    /// </summary>
    internal IBatchReader Open(Tensor? order, int batchSize, Device device, ExampleRules rules, string name, DataLoading loading) =>
        Examples is not null
            ? new TensorReader(Examples, rules.Labelled ? Labels : null, order, device)
            : new StreamReader(new BatchStream(Dataset!, order?.cpu().data<long>().ToArray(), batchSize, rules, name, loading.Workers, loading.Prefetch), device);

    /// <summary>The examples at <paramref name="rows"/> (a CPU <c>Int64</c> tensor): copied for a tensor, a view for a data set.</summary>
    internal TrainingData Take(Tensor rows) =>
        Examples is not null
            ? new TrainingData(Examples.index_select(0, rows.to(Examples.device)), Labels?.index_select(0, rows.to(Labels.device)))
            : new TrainingData(new SubsetDataset(Dataset!, rows.data<long>().ToArray()));

    /// <summary>Releases what <see cref="Take"/> made; the caller's own tensors and data set stay theirs.</summary>
    internal void ReleaseCopy()
    {
        Examples?.Dispose();
        Labels?.Dispose();
        Dataset?.Dispose();
    }

    private void RequireTensors(ITrainableAutoencoder model, string parameterName)
    {
        Shapes.RequireBatch(Examples!, model.Spec.InputShape, parameterName);
        if (Examples!.shape[0] == 0)
        {
            throw new ArgumentException($"Expected a batch of at least one example but got shape {Shapes.Format(Examples.shape)}.", parameterName);
        }

        var labelsName = parameterName + "Labels";
        if (model.Spec.Condition is { } condition)
        {
            condition.RequireLabels(Labels, Examples.shape[0], labelsName);
        }
        else if (Labels is not null)
        {
            throw new ArgumentException("This model is not class-conditional, so it takes no labels; declare [ClassConditional] to condition it.", labelsName);
        }

        DataChecks.RequireUsable(model, Examples, parameterName);
    }

    private static string Listed(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(5)) + (names.Count > 5 ? $", … {names.Count - 5} more" : string.Empty);

    /// <summary>Rows of tensors in memory, checked once before the run.</summary>
    private sealed class TensorReader(Tensor examples, Tensor? labels, Tensor? order, Device device) : IBatchReader
    {
        private long start;

        public ExampleBatch Next(int size, CancellationToken cancellationToken)
        {
            var batch = new ExampleBatch(Select(examples, size), labels is null ? null : Select(labels, size));
            start += size;
            return batch;
        }

        public void Dispose()
        {
        }

        private Tensor Select(Tensor data, long size) =>
            (order is null ? data.narrow(0, start, size) : data.index_select(0, order.narrow(0, start, size))).to(device);
    }

    /// <summary>Batches assembled on background threads, moved to the device as they are taken.</summary>
    private sealed class StreamReader(BatchStream stream, Device device) : IBatchReader
    {
        public ExampleBatch Next(int size, CancellationToken cancellationToken)
        {
            var batch = stream.Next(cancellationToken);
            if (device.type == DeviceType.CPU)
            {
                return batch;
            }

            using (batch)
            {
                return new ExampleBatch(batch.Examples.to(device), batch.Labels?.to(device));
            }
        }

        public void Dispose() => stream.Dispose();
    }

    /// <summary>Some examples of a data set, by index: a held-out split.</summary>
    private sealed class SubsetDataset(torch.utils.data.Dataset parent, long[] indices) : torch.utils.data.Dataset, IExampleSource
    {
        public override long Count => indices.LongLength;

        public string Fingerprint => $"{indices.LongLength} examples chosen from {(parent as IExampleSource)?.Fingerprint ?? "a data set"}";

        public IReadOnlyList<string>? ClassNames => (parent as IExampleSource)?.ClassNames;

        public IReadOnlyList<string> Skipped => (parent as IExampleSource)?.Skipped ?? [];

        public override Dictionary<string, Tensor> GetTensor(long index) => parent.GetTensor(indices[index]);

        public string? Origin(long index) => (parent as IExampleSource)?.Origin(indices[index]) ?? $"example {indices[index]} of the data set";
    }
}

/// <summary>The batches of one pass over a data set, in order.</summary>
internal interface IBatchReader : IDisposable
{
    /// <summary>The next <paramref name="size"/> examples; the caller disposes the batch.</summary>
    ExampleBatch Next(int size, CancellationToken cancellationToken);
}

/// <summary>How a data set is read: <paramref name="Workers"/> threads, at most <paramref name="Prefetch"/> batches ahead.</summary>
internal readonly record struct DataLoading(int Workers, int Prefetch);
