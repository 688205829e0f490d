using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using AutoencoderDsl.Data;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// The public methods over a TorchSharp <see cref="torch.utils.data.Dataset"/>, beside the generated ones over tensors:
/// each example under <c>"data"</c> and, for a class-conditional model or a measurement that needs classes, its class
/// under <c>"label"</c>. Examples are read batch by batch on background threads, so a data set never sits whole in memory
/// unless the result does (a reconstruction of every example, or the raw values PCA compares against).
/// </summary>
public abstract partial class AutoencoderModel
{
    private const string ClassNamesKey = "class_names";

    /// <summary>The longest class name a model file may hold, in characters.</summary>
    private const int MaxClassNameLength = 256;

    /// <summary>
    /// The name of each class of a class-conditional model, in label order, so that a class can be asked for by name
    /// (<c>Sample(16, "A")</c>); set by <c>Fit</c> from a data set that names its classes (an image folder's subfolders),
    /// and saved and loaded with the model. Null when nothing named them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not class-conditional.</exception>
    /// <exception cref="ArgumentException">The names are not one per class, or one is blank or repeated.</exception>
    public IReadOnlyList<string>? ClassNames
    {
        get;
        set
        {
            if (value is not null)
            {
                var condition = RequireCondition();
                RequireClassNames(value, condition.Classes, message => new ArgumentException(message, nameof(value)));
                value = value.ToArray();
            }

            field = value;
        }
    }

    /// <summary>The label of the class named <paramref name="className"/> in <see cref="ClassNames"/>.</summary>
    /// <exception cref="InvalidOperationException">The model's classes have no names.</exception>
    /// <exception cref="ArgumentException">No class has that name.</exception>
    public long ClassIndex(string className)
    {
        ArgumentNullException.ThrowIfNull(className);
        RequireCondition();
        var names = ClassNames ?? throw new InvalidOperationException(
            "This model's classes have no names: it was trained on tensors. Set ClassNames, or train it from a data set that names its classes (an image folder), to ask for a class by name; or give the label's number.");
        int index = names.ToList().IndexOf(className);
        return index >= 0
            ? index
            : throw new ArgumentException($"No class is named '{className}'; the classes are {string.Join(", ", names.Select(name => $"'{name}'"))}.", nameof(className));
    }

    /// <summary>
    /// Trains on the examples of <paramref name="train"/> and returns one summary per epoch. The order is a permutation
    /// drawn from <see cref="FitOptions.Seed"/>, so the same seed gives the same history, bit for bit, as the same
    /// examples in one tensor. A data set that names its classes names this model's (<see cref="ClassNames"/>).
    /// </summary>
    /// <param name="train">The training examples; each under <c>"data"</c>, with its class under <c>"label"</c> for a class-conditional model.</param>
    /// <param name="options">Epochs, batch size, learning rate, seed, data workers and the rest; the defaults when null.</param>
    /// <param name="validation">Examples scored after every epoch; optional.</param>
    /// <param name="progress">Receives a report after every batch and every epoch, on the training thread.</param>
    /// <param name="cancellationToken">Checked before every batch; it also stops the threads reading the data.</param>
    /// <returns>The loss history: the epochs of the run this call continues or resumes, then its own.</returns>
    public TrainingHistory Fit(
        torch.utils.data.Dataset train,
        FitOptions? options = null,
        torch.utils.data.Dataset? validation = null,
        IProgress<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(train);
        var history = Trainer.Fit(this, new TrainingData(train), options ?? new FitOptions(), validation is null ? null : new TrainingData(validation), progress, cancellationToken);
        if (Spec.Condition is not null && (train as IExampleSource)?.ClassNames is { } names)
        {
            ClassNames = names;
        }

        return history;
    }

    /// <summary>The mean of each loss term over <paramref name="data"/>, in evaluation mode and without gradients.</summary>
    /// <param name="data">The examples (with labels for a class-conditional model).</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    public LossMetrics Evaluate(torch.utils.data.Dataset data, int batchSize = 256)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        return Trainer.Evaluate(this, new TrainingData(data), batchSize);
    }

    /// <summary>The deterministic code of every example (the posterior mean for a VAE), <c>[N, LatentDim]</c>, computed in batches.</summary>
    /// <param name="data">The examples (with labels for a class-conditional model).</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    public Tensor Embed(torch.utils.data.Dataset data, int batchSize = 256) =>
        Collect(data, nameof(data), batchSize, EmbedBatch);

    /// <summary>The reconstruction of every example, shaped like the input; held whole in memory, so mind a large data set.</summary>
    /// <param name="data">The examples (with labels for a class-conditional model).</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    public Tensor Reconstruct(torch.utils.data.Dataset data, int batchSize = 256) =>
        Collect(data, nameof(data), batchSize, ReconstructBatch);

    /// <summary>The anomaly score of every example, <c>[N]</c> float64 in nats, as the tensor overload computes it; higher is more anomalous.</summary>
    /// <param name="data">The examples (with labels for a class-conditional model).</param>
    /// <param name="scoring">How scores are computed; the negative log-likelihood when null.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    public Tensor AnomalyScore(torch.utils.data.Dataset data, AnomalyScoring? scoring = null, int batchSize = 256) =>
        ScoresOf(data, nameof(data), scoring ?? AnomalyScoring.NegativeLogLikelihood, batchSize);

    /// <summary>Sets <see cref="AnomalyThreshold"/> from the scores of data believed normal, so that at most <paramref name="falsePositiveRate"/> of it is flagged.</summary>
    /// <param name="normal">Examples believed normal, not the training data.</param>
    /// <param name="falsePositiveRate">The share of normal examples allowed above the threshold, in [0, 1).</param>
    /// <param name="scoring">How scores are computed; the negative log-likelihood when null.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    public AnomalyThreshold CalibrateThreshold(torch.utils.data.Dataset normal, double falsePositiveRate = 0.01, AnomalyScoring? scoring = null, int batchSize = 256)
    {
        RequireShare(falsePositiveRate, nameof(falsePositiveRate));
        return CalibrateOn(chosen => ScoresOf(normal, nameof(normal), chosen, batchSize), falsePositiveRate, scoring, FalsePositiveCalibration(falsePositiveRate));
    }

    /// <summary>Sets <see cref="AnomalyThreshold"/> so that it flags the share <paramref name="contamination"/> of data believed to hold that share of anomalies.</summary>
    /// <param name="data">Examples of which a known share is anomalous.</param>
    /// <param name="contamination">The share of the data believed anomalous, in [0, 1).</param>
    /// <param name="scoring">How scores are computed; the negative log-likelihood when null.</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    public AnomalyThreshold CalibrateThresholdByContamination(torch.utils.data.Dataset data, double contamination, AnomalyScoring? scoring = null, int batchSize = 256)
    {
        RequireShare(contamination, nameof(contamination));
        return CalibrateOn(chosen => ScoresOf(data, nameof(data), chosen, batchSize), contamination, scoring, ContaminationCalibration(contamination));
    }

    /// <summary>How well the scores of <paramref name="data"/> separate the examples marked in <paramref name="isAnomalous"/> from the rest, as the tensor overload reports it.</summary>
    /// <param name="data">Labelled test examples, normal and anomalous.</param>
    /// <param name="isAnomalous">The truth, <c>Bool [N]</c>: true for each anomaly, in the data set's order.</param>
    /// <param name="falsePositiveRate">The false-positive rate at which to read the detection rate, in (0, 1].</param>
    /// <param name="scoring">How scores are computed; when null, as the threshold was calibrated (or the negative log-likelihood).</param>
    /// <param name="batchSize">Examples per forward pass.</param>
    public AnomalyReport EvaluateAnomalies(torch.utils.data.Dataset data, Tensor isAnomalous, double falsePositiveRate = 0.01, AnomalyScoring? scoring = null, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(isAnomalous);
        if (isAnomalous.dtype != ScalarType.Bool || isAnomalous.ndim != 1 || isAnomalous.shape[0] != data.Count)
        {
            throw new ArgumentException($"Expected a Bool [{data.Count}] marking each example's truth, but got {isAnomalous.dtype} {Shapes.Format(isAnomalous.shape)}.", nameof(isAnomalous));
        }

        scoring ??= AnomalyThreshold?.Scoring ?? AnomalyScoring.NegativeLogLikelihood;
        using var scores = ScoresOf(data, nameof(data), scoring, batchSize);
        return ReportOn(scores, isAnomalous, scoring, falsePositiveRate);
    }

    /// <summary>
    /// The k-nearest-neighbour accuracies of the codes of <paramref name="test"/> against those of <paramref name="train"/>
    /// and the trustworthiness of the test codes, beside PCA's at the same dimension, with the classes each data set gives
    /// under <c>"label"</c>. PCA and trustworthiness compare raw values, so both data sets are read into memory.
    /// </summary>
    /// <param name="train">Examples whose codes vote, with their classes.</param>
    /// <param name="test">Held-out examples of the same shape, more than 20, with their classes.</param>
    /// <param name="neighbours">k, the neighbours that vote.</param>
    public EmbeddingQuality MeasureEmbedding(torch.utils.data.Dataset train, torch.utils.data.Dataset test, int neighbours = 5)
    {
        if (Spec.Condition is not null)
        {
            throw new InvalidOperationException("A class-conditional model's code is read beside its label, so the neighbours of codes do not measure it; measure an unconditional model.");
        }

        var (trainExamples, trainLabels) = ReadAll(train, nameof(train));
        using (trainExamples)
        using (trainLabels)
        {
            var (testExamples, testLabels) = ReadAll(test, nameof(test));
            using (testExamples)
            using (testLabels)
            {
                return NearestNeighbours.Compare(x => EmbedBatch(x, labels: null), trainExamples, trainLabels, testExamples, testLabels, neighbours);
            }
        }
    }

    /// <summary>Every batch of <paramref name="data"/> in order, checked, with labels for a class-conditional model (or as <paramref name="rules"/> ask); each batch is the caller's to dispose.</summary>
    private protected IEnumerable<ExampleBatch> BatchesOf(torch.utils.data.Dataset data, string name, int batchSize, ExampleRules? rules = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(data, name);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        new TrainingData(data).RequireUsable(this, name);
        var loading = new FitOptions().Loading;
        return Stream(new BatchStream(data, order: null, batchSize, rules ?? TrainingData.Rules(this), name, loading.Workers, loading.Prefetch));

        static IEnumerable<ExampleBatch> Stream(BatchStream stream)
        {
            using (stream)
            {
                for (int batch = 0; batch < stream.Batches; batch++)
                {
                    yield return stream.Next(CancellationToken.None);
                }
            }
        }
    }

    /// <summary>The results of <paramref name="perBatch"/> on every batch of <paramref name="data"/>, joined along the first dimension.</summary>
    private protected Tensor Collect(torch.utils.data.Dataset data, string name, int batchSize, Func<Tensor, Tensor?, Tensor> perBatch)
    {
        var parts = new List<Tensor>();
        try
        {
            foreach (var batch in BatchesOf(data, name, batchSize))
            {
                using (batch)
                {
                    parts.Add(perBatch(batch.Examples, batch.Labels));
                }
            }

            return cat(parts);
        }
        finally
        {
            parts.ForEach(part => part.Dispose());
        }
    }

    /// <summary>The scores of every example of <paramref name="data"/>, with one stream of evaluation draws over all batches, as for a tensor.</summary>
    private Tensor ScoresOf(torch.utils.data.Dataset data, string name, AnomalyScoring scoring, int batchSize) => Call("AnomalyScore", () =>
    {
        if (scoring.ImportanceSamples > 0 && this is not VariationalAutoencoderModule)
        {
            throw new ArgumentException("Importance samples need a variational model; an autoencoder's score is the negative log-likelihood of its reconstruction.", nameof(scoring));
        }

        return Scores(BatchesOf(data, name, batchSize), scoring);
    });

    /// <summary>Every example of <paramref name="data"/> and its label, in memory.</summary>
    private (Tensor Examples, Tensor Labels) ReadAll(torch.utils.data.Dataset data, string name)
    {
        var examples = new List<Tensor>();
        var labels = new List<Tensor>();
        try
        {
            foreach (var batch in BatchesOf(data, name, 1024, new ExampleRules(this, "measuring an embedding compares classes", classes: null)))
            {
                examples.Add(batch.Examples);
                labels.Add(batch.Labels!);
            }

            return (cat(examples), cat(labels));
        }
        finally
        {
            examples.ForEach(tensor => tensor.Dispose());
            labels.ForEach(tensor => tensor.Dispose());
        }
    }

    /// <summary>Writes <see cref="ClassNames"/> into a model file's metadata.</summary>
    private void WriteClassNames(Dictionary<string, string> metadata)
    {
        if (ClassNames is { } names)
        {
            metadata[ClassNamesKey] = JsonSerializer.Serialize(names);
        }
    }

    /// <summary>Reads the class names a model file holds, checked against this model's classes.</summary>
    private void ReadClassNames(ModelExtras extras, string path)
    {
        if (!extras.Metadata.TryGetValue(ClassNamesKey, out var text))
        {
            ClassNames = null;
            return;
        }

        string[]? names;
        try
        {
            names = JsonSerializer.Deserialize<string[]>(text);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"The file '{path}' holds unreadable class names: {error.Message}", error);
        }

        if (Spec.Condition is not { } condition)
        {
            throw new InvalidDataException($"The file '{path}' names classes, but this model is not class-conditional; it belongs to another model.");
        }

        RequireClassNames(names ?? [], condition.Classes, message => new InvalidDataException($"The file '{path}' holds class names that do not fit this model: {message}"));
        ClassNames = names;
    }

    private static void RequireClassNames(IReadOnlyList<string?> names, int classes, Func<string, Exception> error)
    {
        if (names.Count != classes)
        {
            throw error($"expected one name for each of the {classes} classes, but got {names.Count}.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Length > MaxClassNameLength)
            {
                throw error($"every class name must be 1 to {MaxClassNameLength} characters and not blank.");
            }

            if (!seen.Add(name))
            {
                throw error($"the class name '{name}' is given twice.");
            }
        }
    }
}
