using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// Trains and evaluates any <see cref="ITrainableAutoencoder"/>. Every batch runs in its own dispose scope, so memory
/// stays flat across epochs: only parameters and optimizer state outlive a batch.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> with Adam on mini-batches of <paramref name="train"/> (<c>[N, ...InputShape]</c>)
    /// and returns one summary per epoch. The model's train/eval mode is restored afterwards.
    /// </summary>
    /// <param name="model">The model to train, in place.</param>
    /// <param name="train">The training examples (and the labels of a class-conditional model); batches are moved to the device of the model's parameters.</param>
    /// <param name="options">Epochs, batch size, learning rate, seed, denoising, clipping and checkpointing.</param>
    /// <param name="validation">Examples scored after every epoch, corrupted like the training inputs when denoising; optional.</param>
    /// <param name="progress">Receives a report after every batch and every epoch; optional.</param>
    /// <param name="cancellationToken">Checked before every batch; the last checkpoint stays valid.</param>
    /// <exception cref="TrainingDivergedException">A batch's total loss was not finite.</exception>
    /// <exception cref="OperationCanceledException">Cancellation was requested; the model holds the last completed batch.</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is corrupt or belongs to another architecture.</exception>
    public static TrainingHistory Fit(
        ITrainableAutoencoder model,
        TrainingData train,
        FitOptions options,
        TrainingData? validation,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        RequireExamples(model, train, "train");
        if (validation is not null)
        {
            RequireExamples(model, validation, "validation");
        }

        var module = model.Module;
        var parameters = module.parameters().ToArray();
        if (parameters.Length == 0)
        {
            throw new ArgumentException("The model has no parameters to train.", nameof(model));
        }

        torch.manual_seed(options.Seed);
        using var optimizer = torch.optim.Adam(parameters, lr: options.LearningRate);
        using var shuffler = new Generator(0, CPU);
        var history = new List<EpochSummary>();
        if (options.CheckpointPath is string checkpoint && File.Exists(checkpoint))
        {
            history.AddRange(Checkpoint.Restore(checkpoint, module, optimizer));

            // The checkpoint restores Adam's step size too; the caller's options win, so a run can resume more gently.
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = options.LearningRate;
            }
        }

        var run = new TrainingRun(model, train, options, parameters, optimizer, shuffler, progress, cancellationToken);
        bool wasTraining = module.training;
        try
        {
            for (int epoch = history.Count + 1; epoch <= options.Epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                module.train();
                model.Epoch = epoch;
                LossMetrics trainMetrics;
                try
                {
                    trainMetrics = run.TrainEpoch(epoch, history);
                }
                finally
                {
                    model.Epoch = null;
                }

                var validationMetrics = validation is null ? null : Evaluate(model, validation, options.BatchSize, options.Corrupt);
                var duration = clock.Elapsed;
                var weights = model.Spec.LossTerms.ToDictionary(term => term.Name, term => term.WeightAt(epoch));
                history.Add(new EpochSummary(epoch, trainMetrics, validationMetrics, duration) { LossWeights = weights });
                if (options.CheckpointPath is not null)
                {
                    Checkpoint.Write(options.CheckpointPath, module, optimizer, history);
                }

                progress?.Report(new TrainingProgress(
                    TrainingProgressKind.Epoch, epoch, options.Epochs, run.Batches, run.Batches, trainMetrics, validationMetrics,
                    PerSecond(run.Examples, duration), duration));
            }
        }
        finally
        {
            module.train(wasTraining);
        }

        return new TrainingHistory(history);
    }

    /// <summary>
    /// The mean of each loss term over <paramref name="data"/> (<c>[N, ...InputShape]</c>), weighted by batch size, in
    /// evaluation mode and without gradients; the model's previous mode is restored afterwards.
    /// </summary>
    /// <param name="model">The model to score.</param>
    /// <param name="data">The examples, and the labels of a class-conditional model.</param>
    /// <param name="batchSize">Examples per forward pass; at least 1.</param>
    public static LossMetrics Evaluate(ITrainableAutoencoder model, TrainingData data, int batchSize) =>
        Evaluate(model, data, batchSize, corrupt: null);

    private static LossMetrics Evaluate(ITrainableAutoencoder model, TrainingData data, int batchSize, Func<Tensor, Tensor>? corrupt)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        long count = RequireExamples(model, data, "data");
        var module = model.Module;
        var device = module.parameters().FirstOrDefault()?.device ?? CPU;
        bool wasTraining = module.training;
        module.eval();
        try
        {
            using var noGrad = no_grad();
            var terms = new TermAccumulator();
            for (long start = 0; start < count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long size = Math.Min(batchSize, count - start);
                var clean = SelectBatch(data.Examples, order: null, start, size, device);
                var labels = data.Labels is null ? null : SelectBatch(data.Labels, order: null, start, size, device);
                terms.Add(model.ComputeLoss(corrupt?.Invoke(clean) ?? clean, clean, labels), size);
            }

            return terms.Mean();
        }
        finally
        {
            module.train(wasTraining);
        }
    }

    /// <summary>
    /// Checks the whole data set once against the model's input shape and its labels against its classes, so that no
    /// batch needs checking again.
    /// </summary>
    private static long RequireExamples(ITrainableAutoencoder model, TrainingData data, string parameterName)
    {
        Shapes.RequireBatch(data.Examples, model.Spec.InputShape, parameterName);
        if (data.Examples.shape[0] == 0)
        {
            throw new ArgumentException($"Expected a batch of at least one example but got shape {Shapes.Format(data.Examples.shape)}.", parameterName);
        }

        var labelsName = parameterName + "Labels";
        if (model.Spec.Condition is { } condition)
        {
            condition.RequireLabels(data.Labels, data.Examples.shape[0], labelsName);
        }
        else if (data.Labels is not null)
        {
            throw new ArgumentException("This model is not class-conditional, so it takes no labels; declare [ClassConditional] to condition it.", labelsName);
        }

        return data.Examples.shape[0];
    }

    /// <summary>Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="size"/> of the data, in <paramref name="order"/> when shuffling, on <paramref name="device"/>.</summary>
    private static Tensor SelectBatch(Tensor data, Tensor? order, long start, long size, Device device) =>
        (order is null ? data.narrow(0, start, size) : data.index_select(0, order.narrow(0, start, size))).to(device);

    private static double PerSecond(long examples, TimeSpan elapsed) =>
        elapsed > TimeSpan.Zero ? examples / elapsed.TotalSeconds : 0;

    /// <summary>The state that one <c>Fit</c> call shares across its epochs.</summary>
    private sealed class TrainingRun
    {
        private readonly ITrainableAutoencoder model;
        private readonly TrainingData train;
        private readonly FitOptions options;
        private readonly Parameter[] parameters;
        private readonly OptimizerHelper optimizer;
        private readonly Generator shuffler;
        private readonly IProgress<TrainingProgress>? progress;
        private readonly CancellationToken cancellationToken;
        private readonly Device device;

        public TrainingRun(
            ITrainableAutoencoder model,
            TrainingData train,
            FitOptions options,
            Parameter[] parameters,
            OptimizerHelper optimizer,
            Generator shuffler,
            IProgress<TrainingProgress>? progress,
            CancellationToken cancellationToken)
        {
            this.model = model;
            this.train = train;
            this.options = options;
            this.parameters = parameters;
            this.optimizer = optimizer;
            this.shuffler = shuffler;
            this.progress = progress;
            this.cancellationToken = cancellationToken;
            device = parameters[0].device;
            Examples = train.Examples.shape[0];
            Batches = checked((int)((Examples + options.BatchSize - 1) / options.BatchSize));
        }

        public long Examples { get; }

        public int Batches { get; }

        /// <summary>Trains one epoch (numbered from 1) and returns its mean loss terms; <paramref name="completed"/> names the last checkpoint in a divergence.</summary>
        public LossMetrics TrainEpoch(int epoch, IReadOnlyList<EpochSummary> completed)
        {
            // Seeding per epoch makes the order a function of (Seed, epoch), so a resumed run needs no shuffler state.
            using var order = options.Shuffle ? Permutation(unchecked(options.Seed + epoch)) : null;
            var terms = new TermAccumulator();
            var clock = Stopwatch.StartNew();
            long seen = 0;
            for (int batch = 1; batch <= Batches; batch++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                long size = Math.Min(options.BatchSize, Examples - seen);
                var clean = SelectBatch(train.Examples, order, seen, size, device);
                var labels = train.Labels is null ? null : SelectBatch(train.Labels, order, seen, size, device);
                var loss = model.ComputeLoss(options.Corrupt?.Invoke(clean) ?? clean, clean, labels);
                double total = terms.Add(loss, size);
                if (!double.IsFinite(total))
                {
                    // Thrown before the step, so the parameters and the checkpoint keep the last finite state.
                    bool checkpointed = options.CheckpointPath is not null && completed.Count > 0;
                    throw new TrainingDivergedException(epoch, batch, total, checkpointed ? options.CheckpointPath : null, completed.Count);
                }

                optimizer.zero_grad();
                loss.Total.backward();
                if (options.MaxGradientNorm is double maxNorm)
                {
                    nn.utils.clip_grad_norm_(parameters, maxNorm);
                }

                optimizer.step();
                seen += size;
                progress?.Report(new TrainingProgress(
                    TrainingProgressKind.Batch, epoch, options.Epochs, batch, Batches, terms.Latest(), null,
                    PerSecond(seen, clock.Elapsed), clock.Elapsed));
            }

            return terms.Mean();
        }

        private Tensor Permutation(long seed)
        {
            using var scope = NewDisposeScope();
            shuffler.manual_seed(seed);
            return randperm(Examples, generator: shuffler).to(train.Examples.device).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Reads each loss term of a batch once and keeps their example-weighted sums.</summary>
    private sealed class TermAccumulator
    {
        private string[] names = [];
        private double[] latest = [];
        private double[] sums = [];
        private int totalIndex;
        private long examples;

        /// <summary>Records a batch of <paramref name="size"/> examples and returns its total loss.</summary>
        public double Add(ModelLoss loss, long size)
        {
            var terms = loss.Terms;
            if (examples == 0)
            {
                names = terms.Select(term => term.Key).ToArray();
                totalIndex = Array.IndexOf(names, LossMetrics.TotalName);
                if (totalIndex < 0)
                {
                    throw new InvalidOperationException($"The model's loss has no '{LossMetrics.TotalName}' term.");
                }

                latest = new double[names.Length];
                sums = new double[names.Length];
            }

            for (int i = 0; i < latest.Length; i++)
            {
                latest[i] = terms[i].Value.item<float>();
                sums[i] += latest[i] * size;
            }

            examples += size;
            return latest[totalIndex];
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
}
