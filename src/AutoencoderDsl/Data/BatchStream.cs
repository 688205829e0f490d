using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Data;

/// <summary>A batch of examples and, when they were asked for, their labels; disposing it releases both.</summary>
internal sealed class ExampleBatch(Tensor examples, Tensor? labels) : IDisposable
{
    public Tensor Examples { get; } = examples;

    public Tensor? Labels { get; } = labels;

    public void Dispose()
    {
        Examples.Dispose();
        Labels?.Dispose();
    }
}

/// <summary>
/// Reads a data set's examples in a given order as batches, assembled on background threads at most a fixed number of
/// batches ahead of the reader, so the memory held is a few batches whatever the data set's size. Batches come out in
/// order whichever worker assembled them, so the result does not depend on the number of workers. A worker's exception
/// reaches the reader at the batch it belongs to, naming the example and where it came from; disposing the stream stops
/// the workers and waits for them, so no thread outlives it.
/// </summary>
internal sealed class BatchStream : IDisposable
{
    private readonly torch.utils.data.Dataset dataset;
    private readonly long[]? order;
    private readonly long count;
    private readonly int batchSize;
    private readonly ExampleRules rules;
    private readonly string name;
    private readonly TaskCompletionSource<ExampleBatch>[] slots;
    private readonly SemaphoreSlim free;
    private readonly CancellationTokenSource stop = new();
    private readonly Task[] workers;
    private int claimed = -1;
    private int consumed;
    private bool disposed;

    /// <param name="dataset">The data set; its <c>GetTensor</c> is called from several threads at once.</param>
    /// <param name="order">The examples' indices in the order to read them, or null for 0, 1, 2, …</param>
    /// <param name="batchSize">Examples per batch; the last batch holds the rest.</param>
    /// <param name="rules">What every example must be; checked as it arrives.</param>
    /// <param name="name">The data's name in messages, such as <c>train</c>.</param>
    /// <param name="workers">Threads assembling batches.</param>
    /// <param name="prefetch">Batches assembled or being assembled ahead of the reader, at most; at least <paramref name="workers"/>.</param>
    public BatchStream(torch.utils.data.Dataset dataset, long[]? order, int batchSize, ExampleRules rules, string name, int workers, int prefetch)
    {
        this.dataset = dataset;
        this.order = order;
        count = order?.LongLength ?? dataset.Count;
        this.batchSize = batchSize;
        this.rules = rules;
        this.name = name;
        slots = new TaskCompletionSource<ExampleBatch>[checked((int)((count + batchSize - 1) / batchSize))];
        for (int i = 0; i < slots.Length; i++)
        {
            slots[i] = new TaskCompletionSource<ExampleBatch>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        free = new SemaphoreSlim(Math.Max(prefetch, workers));
        this.workers = Enumerable.Range(0, Math.Min(workers, Math.Max(1, slots.Length)))
            .Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
    }

    /// <summary>The number of batches.</summary>
    public int Batches => slots.Length;

    /// <summary>
    /// The next batch, on the CPU, the caller's to dispose; waits for it unless <paramref name="cancellationToken"/> is
    /// cancelled first. Rethrows the exception that assembling it raised.
    /// </summary>
    public ExampleBatch Next(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (consumed >= slots.Length)
        {
            throw new InvalidOperationException("Every batch of the stream has been read.");
        }

        var task = slots[consumed].Task;
        if (!task.IsCompleted)
        {
            try
            {
                task.Wait(cancellationToken);
            }
            catch (AggregateException)
            {
                // Rethrown unwrapped below.
            }
        }

        consumed++;
        free.Release();
        return task.GetAwaiter().GetResult();
    }

    /// <summary>Stops the workers, waits for them, and releases the batches assembled but not read.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        stop.Cancel();
        try
        {
            Task.WaitAll(workers);
        }
        catch (AggregateException)
        {
            // A worker's failure belongs to its batch, which nobody will read now.
        }

        for (int i = consumed; i < slots.Length; i++)
        {
            if (slots[i].Task.IsCompletedSuccessfully)
            {
                slots[i].Task.Result.Dispose();
            }
        }

        free.Dispose();
        stop.Dispose();
    }

    private void Work()
    {
        while (true)
        {
            try
            {
                free.Wait(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            int batch = Interlocked.Increment(ref claimed);
            if (batch >= slots.Length)
            {
                return;
            }

            try
            {
                slots[batch].SetResult(Assemble(batch));
            }
            catch (Exception error)
            {
                slots[batch].SetException(error);
            }
        }
    }

    /// <summary>Reads and checks the examples of batch <paramref name="batch"/> and stacks them.</summary>
    private ExampleBatch Assemble(int batch)
    {
        long start = (long)batch * batchSize;
        int size = (int)Math.Min(batchSize, count - start);
        var indices = new long[size];
        var examples = new List<Tensor>(size);
        var labels = rules.Labelled ? new List<Tensor>(size) : null;
        try
        {
            for (int i = 0; i < size; i++)
            {
                stop.Token.ThrowIfCancellationRequested();
                long index = order?[start + i] ?? start + i;
                indices[i] = index;
                var (example, label) = Read(dataset, index, rules, name);
                examples.Add(example);
                labels?.Add(label!);
            }

            var stacked = new ExampleBatch(stack(examples), labels is null ? null : stack(labels));
            try
            {
                rules.CheckValues(stacked.Examples, indices, dataset, name);
            }
            catch
            {
                stacked.Dispose();
                throw;
            }

            return stacked;
        }
        finally
        {
            examples.ForEach(tensor => tensor.Dispose());
            labels?.ForEach(tensor => tensor.Dispose());
        }
    }

    /// <summary>
    /// Example <paramref name="index"/> of the data set and, when <paramref name="rules"/> want labels, its label, each
    /// checked; any tensors the data set returned beside them are released. A data set's own exception is wrapped with
    /// the example's index and origin.
    /// </summary>
    public static (Tensor Example, Tensor? Label) Read(torch.utils.data.Dataset dataset, long index, ExampleRules rules, string name)
    {
        Dictionary<string, Tensor> entries;
        try
        {
            entries = dataset.GetTensor(index) ?? throw new InvalidDataException("GetTensor returned null.");
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw new InvalidDataException($"Reading {Describe(dataset, index, name)} failed: {error.Message}", error);
        }

        Tensor? example = null, label = null;
        try
        {
            example = entries.GetValueOrDefault(DataKeys.Data)
                ?? throw new InvalidDataException($"{Capitalised(Describe(dataset, index, name))} has no \"{DataKeys.Data}\" entry (it has {Keys(entries)}); a data set gives each example under the key \"{DataKeys.Data}\".");
            if (rules.Labelled)
            {
                label = entries.GetValueOrDefault(DataKeys.Label)
                    ?? throw new InvalidDataException($"{Capitalised(Describe(dataset, index, name))} has no \"{DataKeys.Label}\" entry (it has {Keys(entries)}); {rules.LabelsWanted}, so every example needs its class as an Int64 scalar under the key \"{DataKeys.Label}\".");
            }

            rules.CheckExample(example, label, () => Describe(dataset, index, name));
            return (example, label);
        }
        catch
        {
            example?.Dispose();
            label?.Dispose();
            throw;
        }
        finally
        {
            foreach (var (key, tensor) in entries)
            {
                if (!ReferenceEquals(tensor, example) && !ReferenceEquals(tensor, label))
                {
                    tensor?.Dispose();
                }
            }
        }
    }

    /// <summary>The example named for a message: <c>example 17 of train (/data/cats/x.png)</c>.</summary>
    public static string Describe(torch.utils.data.Dataset dataset, long index, string name)
    {
        var origin = (dataset as IExampleSource)?.Origin(index);
        return origin is null ? $"example {index} of {name}" : $"example {index} of {name} ({origin})";
    }

    private static string Capitalised(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private static string Keys(Dictionary<string, Tensor> entries) =>
        entries.Count == 0 ? "none" : string.Join(", ", entries.Keys.Select(key => $"\"{key}\""));
}
