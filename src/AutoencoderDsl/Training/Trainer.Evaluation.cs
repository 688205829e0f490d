using System;
using System.Linq;
using System.Threading;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

// Scoring a model on data: the public Evaluate, the validation after each epoch, and the split that holds validation data out.
public static partial class Trainer
{
    /// <summary>
    /// The mean of each loss term over <paramref name="data"/>, weighted by batch size, in evaluation mode and without
    /// gradients; the model's previous mode is restored afterwards.
    /// </summary>
    /// <param name="model">The model to score.</param>
    /// <param name="data">The examples, and the labels of a class-conditional model.</param>
    /// <param name="batchSize">Examples per forward pass; at least 1.</param>
    public static LossMetrics Evaluate(ITrainableAutoencoder model, TrainingData data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        data.RequireUsable(model, "data");
        using var use = ExclusiveUse.Enter(model.Module, nameof(Evaluate));
        return NativeErrors.Guard(() => Evaluate(model, data, batchSize, corrupt: null, "data"));
    }

    /// <summary>
    /// <see cref="Evaluate(ITrainableAutoencoder, TrainingData, int)"/> without its checks, for it and for a run's
    /// validation: each batch through <paramref name="corrupt"/>, read with <paramref name="loading"/> (the defaults
    /// when null); <paramref name="name"/> names the data in errors.
    /// </summary>
    internal static LossMetrics Evaluate(ITrainableAutoencoder model, TrainingData data, int batchSize, Func<Tensor, Tensor>? corrupt, string name, DataLoading? loading = null, CancellationToken cancellationToken = default)
    {
        var module = model.Module;
        var device = module.parameters().First().device;
        long count = data.Count;
        bool wasTraining = module.training;
        var globalDraws = model.Draws;
        using var draws = EvaluationDraws(device);
        model.Draws = draws;
        module.eval();
        try
        {
            using var noGrad = no_grad();
            using var terms = new TermAccumulator(device: null);
            using var reader = data.Open(order: null, batchSize, device, TrainingData.Rules(model), name, loading ?? new FitOptions().Loading);
            for (long start = 0; start < count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                int size = (int)Math.Min(batchSize, count - start);
                using var batch = reader.Next(size, cancellationToken);
                terms.Add(model.ComputeLoss(TrainingRun.Corrupted(corrupt, batch.Examples), batch.Examples, batch.Labels), size);
            }

            return terms.Mean();
        }
        finally
        {
            module.train(wasTraining);
            model.Draws = globalDraws;
        }
    }

    /// <summary>
    /// The generator of the posterior draws an evaluation makes, seeded the same way every time, so the same model and
    /// data give the same figures and the caller's global random state does not move.
    /// </summary>
    internal static Generator EvaluationDraws(Device device) => new(EvaluationSeed, device);

    /// <summary>The seed of <see cref="EvaluationDraws"/>.</summary>
    private const ulong EvaluationSeed = 0x5EED;

    /// <summary>How many of <paramref name="count"/> examples a validation split of <paramref name="share"/> holds out: at least one.</summary>
    internal static long HeldOut(long count, double share) => Math.Max(1, (long)Math.Round(count * share));

    /// <summary>Holds out the last <paramref name="share"/> of a seeded permutation of the data as validation data.</summary>
    private static (TrainingData Train, TrainingData Validation) Split(TrainingData data, double share, long seed)
    {
        long count = data.Count;
        long held = HeldOut(count, share);
        if (held >= count)
        {
            throw new ArgumentException($"ValidationSplit {share} of {count} examples leaves none to train on.", "options");
        }

        using var generator = new Generator(unchecked((ulong)seed), CPU);
        using var order = randperm(count, generator: generator);
        using var trainRows = order.narrow(0, 0, count - held);
        using var heldRows = order.narrow(0, count - held, held);
        return (data.Take(trainRows), data.Take(heldRows));
    }
}
