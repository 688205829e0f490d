using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using AutoencoderDsl.Data;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Tests.Images;
using AutoencoderDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Data;

[Variational(LatentDim = 2)]
[Input(1, 12, 12)]
internal sealed partial class StreamedVae
{
    [Flatten, Dense(32), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(32), ReLU, Dense(144), Sigmoid, Unflatten(1, 12, 12)]
    public partial Sequential Decoder { get; }
}

[Variational(LatentDim = 2)]
[ClassConditional(Classes = 3)]
[Input(1, 12, 12)]
internal sealed partial class StreamedCvae
{
    [Flatten, Dense(32), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(32), ReLU, Dense(144), Sigmoid, Unflatten(1, 12, 12)]
    public partial Sequential Decoder { get; }
}

/// <summary>
/// Examples kept in a tensor but given one at a time, as a data set on disk would give them: it can name each example's
/// "file", fail at a chosen index, go slowly, and it counts the calls that are running.
/// </summary>
internal sealed class ExampleList(Tensor examples, Tensor? labels, IReadOnlyList<string>? classNames = null) : torch.utils.data.Dataset, IExampleSource
{
    private int running;
    private long calls;

    public long? FailAt { get; init; }

    public long? WrongShapeAt { get; init; }

    public TimeSpan Delay { get; init; }

    public int Running => Volatile.Read(ref running);

    public long Calls => Interlocked.Read(ref calls);

    public override long Count => examples.shape[0];

    public string Fingerprint { get; set; } = "list 1";

    public IReadOnlyList<string>? ClassNames => classNames;

    public IReadOnlyList<string> Skipped => [];

    public string? Origin(long index) => $"/data/example-{index}.png";

    public override Dictionary<string, Tensor> GetTensor(long index)
    {
        Interlocked.Increment(ref running);
        Interlocked.Increment(ref calls);
        try
        {
            if (Delay > TimeSpan.Zero)
            {
                Thread.Sleep(Delay);
            }

            if (index == FailAt)
            {
                throw new IOException("the disk said no");
            }

            var entries = new Dictionary<string, Tensor>
            {
                [DataKeys.Data] = index == WrongShapeAt ? zeros(1, 12, 11) : examples[index].clone(),
            };
            if (labels is not null)
            {
                entries[DataKeys.Label] = labels[index].clone();
            }

            return entries;
        }
        finally
        {
            Interlocked.Decrement(ref running);
        }
    }
}

/// <summary>Examples that write themselves into a batch's memory, as image folders and .npy files do, with a NaN or a failure where asked.</summary>
internal sealed class WrittenExamples(Tensor examples, Tensor? labels) : torch.utils.data.Dataset, IExampleSource, IExampleWriter
{
    private readonly float[] values = examples.contiguous().data<float>().ToArray();
    private readonly long[]? classes = labels?.data<long>().ToArray();
    private readonly long size = examples[0].numel();

    public long? NaNAt { get; init; }

    public long? FailAt { get; init; }

    public long? LabelOutOfRangeAt { get; init; }

    public override long Count => examples.shape[0];

    public string Fingerprint => "written";

    public IReadOnlyList<string>? ClassNames => null;

    public IReadOnlyList<string> Skipped => [];

    public IReadOnlyList<long> ExampleShape => examples.shape[1..];

    public bool Labelled => classes is not null;

    public string? Origin(long index) => $"/written/{index}.png";

    /// <summary>How many examples were asked for as tensors: only the few checked before training, when the rest are written.</summary>
    public int TensorsGiven { get; private set; }

    public override Dictionary<string, Tensor> GetTensor(long index)
    {
        TensorsGiven++;
        var example = new float[size];
        Write(index, example);
        var entries = new Dictionary<string, Tensor> { [DataKeys.Data] = tensor(example, ExampleShape.ToArray()) };
        if (classes is not null)
        {
            entries[DataKeys.Label] = tensor(Label(index));
        }

        return entries;
    }

    public void Write(long index, Span<float> destination)
    {
        if (index == FailAt)
        {
            throw new IOException("unreadable");
        }

        values.AsSpan((int)(index * size), (int)size).CopyTo(destination);
        if (index == NaNAt)
        {
            destination[5] = float.NaN;
        }
    }

    public long Label(long index) => index == LabelOutOfRangeAt ? 7 : classes![index];
}

/// <summary>Training and inference from a TorchSharp data set, streamed on worker threads, against the same examples in one tensor.</summary>
public sealed class DatasetTrainingTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 2)]
    public void ADataSetGivesTheSameHistoryAndParametersAsTheSameExamplesInOneTensor(int workers, int prefetch)
    {
        using var data = Images(300, seed: 4);
        var options = new FitOptions { Epochs = 3, BatchSize = 32, Seed = 7, ValidationSplit = 0.2, DataWorkers = workers, PrefetchBatches = prefetch };

        using var fromTensor = new StreamedVae(seed: 1);
        var tensorHistory = Describe(fromTensor.Fit(data, options));
        using var fromDataset = new StreamedVae(seed: 1);
        using var dataset = new ExampleList(data, labels: null);
        var datasetHistory = Describe(fromDataset.Fit(dataset, options));

        Assert.Equal(tensorHistory, datasetHistory);
        AssertSameParameters(fromTensor, fromDataset);
    }

    [Fact]
    public void ExamplesWrittenStraightIntoTheBatchGiveTheSameHistoryAndAreCheckedOneByOne()
    {
        using var data = Images(200, seed: 14);
        using var labels = arange(200, dtype: int64).remainder(3);
        var options = new FitOptions { Epochs = 2, BatchSize = 32, Seed = 6, Shuffle = true };
        using var fromTensor = new StreamedCvae(seed: 5);
        var expected = Describe(fromTensor.Fit(data, labels, options));
        using var fromWriter = new StreamedCvae(seed: 5);
        var written = new WrittenExamples(data, labels);
        Assert.Equal(expected, Describe(fromWriter.Fit(written, options)));
        AssertSameParameters(fromTensor, fromWriter);
        Assert.Equal(16, written.TensorsGiven);

        using var model = new StreamedCvae(seed: 5);
        var nan = Assert.Throws<ArgumentException>(() => model.Fit(new WrittenExamples(data, labels) { NaNAt = 120 }, options with { Shuffle = false }));
        Assert.Contains("example 120 of train (/written/120.png) holds NaN or infinite values", nan.Message);
        var label = Assert.Throws<ArgumentException>(() => model.Fit(new WrittenExamples(data, labels) { LabelOutOfRangeAt = 130 }, options));
        Assert.Contains("must lie in [0, 3), but example 130 of train (/written/130.png) has label 7", label.Message);
        var failed = Assert.Throws<InvalidDataException>(() => model.Fit(new WrittenExamples(data, labels) { FailAt = 140 }, options));
        Assert.Contains("Reading example 140 of train (/written/140.png) failed: unreadable", failed.Message);
    }

    [Fact]
    public void AClassConditionalModelReadsLabelsFromTheDataSetAndKeepsItsClassNamesThroughSaveAndLoad()
    {
        using var data = Images(240, seed: 5);
        using var labels = arange(240, dtype: int64).remainder(3);
        var options = new FitOptions { Epochs = 2, BatchSize = 40, Seed = 3 };
        using var fromTensor = new StreamedCvae(seed: 2);
        var tensorHistory = Describe(fromTensor.Fit(data, labels, options));
        using var fromDataset = new StreamedCvae(seed: 2);
        using var dataset = new ExampleList(data, labels, ["circle", "square", "cross"]);
        Assert.Equal(tensorHistory, Describe(fromDataset.Fit(dataset, options)));
        Assert.Null(fromTensor.ClassNames);
        Assert.Equal(["circle", "square", "cross"], fromDataset.ClassNames);

        using var folder = new TemporaryFolder();
        fromDataset.Save(folder.File("cvae.safetensors"));
        using var loaded = StreamedCvae.Load(folder.File("cvae.safetensors"));
        Assert.Equal(["circle", "square", "cross"], loaded.ClassNames);
        using var byName = loaded.Sample(4, "cross", new Generator(9, CPU));
        using var byNumber = loaded.Sample(4, 2, new Generator(9, CPU));
        Assert.True(byName.equal(byNumber).all().item<bool>());

        var unknown = Assert.Throws<ArgumentException>(() => loaded.Sample(4, "triangle"));
        Assert.Contains("'circle', 'square', 'cross'", unknown.Message);
        var unnamed = Assert.Throws<InvalidOperationException>(() => fromTensor.Sample(4, "cross"));
        Assert.Contains("no names", unnamed.Message);
    }

    [Fact]
    public void ADataSetOfOtherClassesThanTheModelsIsRefusedBeforeTraining()
    {
        using var data = Images(20, seed: 5);
        using var labels = zeros(20, dtype: int64);
        using var model = new StreamedCvae(seed: 2);
        using var dataset = new ExampleList(data, labels, ["a", "b"]);
        var error = Assert.Throws<ArgumentException>(() => model.Fit(dataset, new FitOptions { Epochs = 1 }));
        Assert.Contains("conditioned on 3 classes but the data set train has 2 (a, b)", error.Message);
    }

    [Fact]
    public void AnExampleOfTheWrongShapeIsNamedWithItsFileBeforeTrainingOrWhenItsBatchArrives()
    {
        using var data = Images(200, seed: 6);
        using var early = new ExampleList(data, labels: null) { WrongShapeAt = 3 };
        using var model = new StreamedVae(seed: 1);
        var before = Assert.Throws<ArgumentException>(() => model.Fit(early, new FitOptions { Epochs = 1 }));
        Assert.Contains("example 3 of train (/data/example-3.png) has shape [1, 12, 11]", before.Message);
        Assert.Contains("[1, 12, 12]", before.Message);

        using var late = new ExampleList(data, labels: null) { WrongShapeAt = 150 };
        var during = Assert.Throws<ArgumentException>(() => model.Fit(late, new FitOptions { Epochs = 1, Shuffle = false, BatchSize = 50 }));
        Assert.Contains("example 150 of train (/data/example-150.png)", during.Message);
    }

    [Fact]
    public void AWorkersExceptionReachesTheCallerWithTheExamplesIndexAndFile()
    {
        using var data = Images(200, seed: 6);
        using var dataset = new ExampleList(data, labels: null) { FailAt = 123 };
        using var model = new StreamedVae(seed: 1);
        var error = Assert.Throws<InvalidDataException>(() => model.Fit(dataset, new FitOptions { Epochs = 1, BatchSize = 16, DataWorkers = 2 }));
        Assert.Contains("example 123 of train (/data/example-123.png)", error.Message);
        Assert.Contains("the disk said no", error.Message);
        Assert.IsType<IOException>(error.InnerException);
        WaitUntilQuiet(dataset);
    }

    [Fact]
    public void CancellingMidEpochStopsTheWorkersAndLeavesNoReadRunning()
    {
        using var data = Images(400, seed: 8);
        using var dataset = new ExampleList(data, labels: null) { Delay = TimeSpan.FromMilliseconds(2) };
        using var model = new StreamedVae(seed: 1);
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress<TrainingProgress>(report =>
        {
            if (report.Kind == TrainingProgressKind.Batch && report.Batch == 3)
            {
                cancel.Cancel();
            }
        });

        Assert.Throws<TrainingCanceledException>(() => model.Fit(dataset, new FitOptions { Epochs = 2, BatchSize = 16, DataWorkers = 3, PrefetchBatches = 6 }, progress: progress, cancellationToken: cancel.Token));

        // Fit returns only after its workers have stopped: nothing is reading, and nothing reads later.
        Assert.Equal(0, dataset.Running);
        long calls = dataset.Calls;
        Thread.Sleep(200);
        Assert.Equal(calls, dataset.Calls);
        Assert.True(calls < 400, $"the workers read {calls} examples of an epoch of 400 after cancelling at the third batch");
    }

    [Fact]
    public void TrainingFromADataSetResumesFromItsCheckpointAndRefusesAnotherDataSet()
    {
        using var folder = new TemporaryFolder();
        using var data = Images(160, seed: 9);
        var options = new FitOptions { Epochs = 2, BatchSize = 32, Seed = 4, CheckpointPath = folder.File("run.ckpt") };
        using var dataset = new ExampleList(data, labels: null);

        using var whole = new StreamedVae(seed: 1);
        var straight = Describe(whole.Fit(dataset, options with { CheckpointPath = folder.File("straight.ckpt"), Epochs = 3 }));

        using var first = new StreamedVae(seed: 1);
        first.Fit(dataset, options);
        using var resumed = new StreamedVae(seed: 1);
        var history = resumed.Fit(dataset, options with { Epochs = 3 });
        Assert.Equal(2, history.ResumedEpochs);
        Assert.Equal(straight, Describe(history));
        AssertSameParameters(whole, resumed);

        dataset.Fingerprint = "list 2";
        using var other = new StreamedVae(seed: 1);
        var refused = Assert.Throws<ArgumentException>(() => other.Fit(dataset, options with { Epochs = 4 }));
        Assert.Contains("training data 160 examples, list 1 in the checkpoint, 160 examples, list 2 now", refused.Message);
    }

    [Fact]
    public void TrainingFromAnImageFolderResumesFromItsCheckpointAndATouchedFileIsAnotherDataSet()
    {
        using var folder = new TemporaryFolder();
        string images = Path.Combine(folder.Path, "images");
        for (int i = 0; i < 48; i++)
        {
            string kind = i % 2 == 0 ? "even" : "odd";
            Directory.CreateDirectory(Path.Combine(images, kind));
            ImageFiles.Write(Path.Combine(images, kind, $"{i:D2}.png"), ImageFiles.Grey(12, 12, (x, y) => (byte)((x * (i % 5)) + (y * 9) + i)));
        }

        var options = new FitOptions { Epochs = 2, BatchSize = 16, Seed = 4, CheckpointPath = folder.File("run.ckpt") };
        using (var data = AutoencoderDsl.Images.ImageFolder.Open(images, StreamedVae.InputShape, new AutoencoderDsl.Images.ImageFolderOptions { CacheFolder = folder.File("cache") }))
        {
            using var straight = new StreamedVae(seed: 1);
            var expected = Describe(straight.Fit(data, options with { Epochs = 3, CheckpointPath = folder.File("straight.ckpt") }));
            using var first = new StreamedVae(seed: 1);
            first.Fit(data, options);
            using var resumed = new StreamedVae(seed: 1);
            var history = resumed.Fit(data, options with { Epochs = 3 });
            Assert.Equal(2, history.ResumedEpochs);
            Assert.Equal(expected, Describe(history));
            AssertSameParameters(straight, resumed);
        }

        File.SetLastWriteTimeUtc(Path.Combine(images, "odd", "07.png"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        using var touched = AutoencoderDsl.Images.ImageFolder.Open(images, StreamedVae.InputShape, new AutoencoderDsl.Images.ImageFolderOptions { CacheFolder = folder.File("cache") });
        using var other = new StreamedVae(seed: 1);
        var refused = Assert.Throws<ArgumentException>(() => other.Fit(touched, options with { Epochs = 4 }));
        Assert.Contains("training data 48 examples", refused.Message);
    }

    [Fact]
    public void InferenceOverADataSetMatchesTheTensorMethods()
    {
        using var data = Images(300, seed: 10);
        using var model = new StreamedVae(seed: 1);
        model.Fit(data, new FitOptions { Epochs = 1, Seed = 1 });
        using var dataset = new ExampleList(data, labels: null);

        using var scores = model.AnomalyScore(data, batchSize: 64);
        using var streamedScores = model.AnomalyScore(dataset, batchSize: 64);
        Assert.True(scores.equal(streamedScores).all().item<bool>(), "the scores of a data set differ from the tensor's");

        using var codes = model.Embed(data);
        using var streamedCodes = model.Embed(dataset, batchSize: 300);
        Assert.True(codes.allclose(streamedCodes, rtol: 1e-5, atol: 1e-6));

        using var reconstruction = model.Reconstruct(data);
        using var streamedReconstruction = model.Reconstruct(dataset, batchSize: 300);
        Assert.True(reconstruction.allclose(streamedReconstruction, rtol: 1e-5, atol: 1e-6));

        Assert.Equal(model.Evaluate(data, batchSize: 50).Total, model.Evaluate(dataset, batchSize: 50).Total);

        var threshold = model.CalibrateThreshold(dataset, 0.1, batchSize: 64);
        Assert.Equal(model.CalibrateThreshold(data, 0.1, batchSize: 64).Value, threshold.Value);

        using var truth = arange(300).lt(30);
        Assert.Equal(model.EvaluateAnomalies(data, truth).RocAuc, model.EvaluateAnomalies(dataset, truth).RocAuc);

        model.FitSampler(dataset, components: 2);
        Assert.NotNull(model.Sampler);
    }

    [Fact]
    public void MeasuringAnEmbeddingReadsTheClassesFromTheDataSets()
    {
        using var data = Images(200, seed: 12);
        using var labels = arange(200, dtype: int64).remainder(2);
        using var model = new StreamedVae(seed: 1);
        using var train = new ExampleList(data[..150], labels[..150]);
        using var test = new ExampleList(data[150..], labels[150..]);
        var quality = model.MeasureEmbedding(train, test, neighbours: 3);
        var expected = model.MeasureEmbedding(data[..150], labels[..150], data[150..], labels[150..], neighbours: 3);
        Assert.Equal(expected, quality);
        Assert.InRange(quality.Code.Trustworthiness10!.Value, 0.5, 1);

        using var unlabelled = new ExampleList(data, labels: null);
        var error = Assert.Throws<InvalidDataException>(() => model.MeasureEmbedding(unlabelled, test));
        Assert.Contains("no \"label\" entry", error.Message);
    }

    private static void WaitUntilQuiet(ExampleList dataset) => Assert.Equal(0, dataset.Running);

    private static List<string> Describe(TrainingHistory history) =>
        history.Epochs
            .SelectMany(epoch => new[] { epoch.Train }.Concat(epoch.Validation is { } v ? [v] : [])
                .SelectMany(metrics => metrics.Terms.Select(term => $"{epoch.Epoch} {term.Key} {term.Value:R}")))
            .ToList();

    private static void AssertSameParameters(nn.Module first, nn.Module second)
    {
        foreach (var (name, value) in first.state_dict())
        {
            Assert.True(value.equal(second.state_dict()[name]).all().item<bool>(), $"parameter {name} differs");
        }
    }

    /// <summary>Blobs on a dark field, values in [0, 1], drawn from a private generator.</summary>
    internal static Tensor Images(long count, long seed)
    {
        using var generator = new Generator((ulong)seed, CPU);
        using var scope = NewDisposeScope();
        var blobs = nn.functional.avg_pool2d(rand([count, 1, 14, 14], generator: generator), 3, stride: 1);
        return ((blobs - 0.35) * 3).clamp(0, 1).MoveToOuterDisposeScope();
    }
}
