using System;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Evaluation;

/// <summary>How a reference classifier judges generated examples against the classes they were asked to be.</summary>
/// <param name="Accuracy">The share of samples the classifier assigns to the class they were generated for.</param>
/// <param name="ConfidentShare">The share it assigns to some class with probability at least the confidence threshold.</param>
/// <param name="ConfidentAccuracy">The share it assigns to the intended class with probability at least the threshold.</param>
/// <param name="PerClassAccuracy">The accuracy of the samples of each intended class; NaN for a class with none.</param>
public sealed record SampleAgreement(double Accuracy, double ConfidentShare, double ConfidentAccuracy, double[] PerClassAccuracy);

/// <summary>
/// A plain classifier trained on real labelled examples (a two-layer perceptron on the flattened input), used as a judge
/// of generated data: a conditional model's samples of class c should be classified as c, and good samples are
/// classified with confidence. It is deliberately small, so it trains in seconds; report its accuracy on held-out real
/// data beside any judgement it makes.
/// </summary>
public sealed class ReferenceClassifier : IDisposable
{
    private readonly Sequential network;

    private ReferenceClassifier(Sequential network, int classes)
    {
        this.network = network;
        Classes = classes;
    }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>Trains a classifier on <paramref name="examples"/> <c>[N, ...]</c> and their <paramref name="labels"/> <c>Int64 [N]</c>.</summary>
    /// <param name="examples">Real examples, as a model sees them.</param>
    /// <param name="labels">The class of each, in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes.</param>
    /// <param name="epochs">Passes over the data; at least 1.</param>
    /// <param name="seed">Seeds the initial weights and the order of the examples.</param>
    public static ReferenceClassifier Train(Tensor examples, Tensor labels, int classes, int epochs = 5, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        var condition = new Parts.ClassCondition(classes);
        if (examples.ndim < 2 || !is_floating_point(examples))
        {
            throw new ArgumentException($"Expected floating-point examples [N, ...] but got {examples.dtype} {Shapes.Format(examples.shape)}.", nameof(examples));
        }

        condition.RequireLabels(labels, examples.shape[0], nameof(labels));
        long features = examples.shape.Skip(1).Aggregate(1L, (product, dim) => product * dim);
        torch.manual_seed(seed);
        var network = nn.Sequential(
            ("flatten", nn.Flatten()),
            ("hidden", nn.Linear(features, 512)),
            ("relu", nn.ReLU()),
            ("dropout", nn.Dropout(0.2)),
            ("logits", nn.Linear(512, classes)));
        using var optimizer = optim.Adam(network.parameters(), lr: 1e-3);
        using var shuffler = new Generator((ulong)seed, CPU);
        long count = examples.shape[0];
        const int BatchSize = 128;
        network.train();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            using var order = randperm(count, generator: shuffler);
            for (long start = 0; start < count; start += BatchSize)
            {
                using var scope = NewDisposeScope();
                var rows = order.narrow(0, start, Math.Min(BatchSize, count - start));
                var loss = nn.functional.cross_entropy(network.forward(examples.index_select(0, rows)), labels.index_select(0, rows));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            }
        }

        network.eval();
        return new ReferenceClassifier(network, classes);
    }

    /// <summary>The probability of each class for each example: <c>[N, Classes]</c>.</summary>
    public Tensor Probabilities(Tensor examples)
    {
        ArgumentNullException.ThrowIfNull(examples);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return network.forward(examples).softmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>The share of <paramref name="examples"/> classified as their <paramref name="labels"/>.</summary>
    public double Accuracy(Tensor examples, Tensor labels)
    {
        new Parts.ClassCondition(Classes).RequireLabels(labels, examples.shape[0], nameof(labels));
        using var scope = NewDisposeScope();
        return Probabilities(examples).argmax(1).eq(labels).to(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>Judges <paramref name="samples"/>, each generated for the class in <paramref name="intended"/>.</summary>
    /// <param name="samples">Generated examples <c>[N, ...]</c>.</param>
    /// <param name="intended">The class each was generated for, <c>Int64 [N]</c>.</param>
    /// <param name="confidence">The probability above which a judgement counts as confident.</param>
    public SampleAgreement Assess(Tensor samples, Tensor intended, double confidence = 0.9)
    {
        ArgumentNullException.ThrowIfNull(samples);
        new Parts.ClassCondition(Classes).RequireLabels(intended, samples.shape[0], nameof(intended));
        using var scope = NewDisposeScope();
        var probabilities = Probabilities(samples);
        var (best, predicted) = probabilities.max(1);
        var correct = predicted.eq(intended);
        var confident = best.ge(confidence);
        double Share(Tensor flags) => flags.to(ScalarType.Float64).mean().item<double>();
        var perClass = Enumerable.Range(0, Classes).Select(label =>
        {
            var ofClass = intended.eq(label);
            long asked = ofClass.sum().item<long>();
            return asked == 0 ? double.NaN : correct.logical_and(ofClass).sum().item<long>() / (double)asked;
        }).ToArray();
        return new SampleAgreement(Share(correct), Share(confident), Share(correct.logical_and(confident)), perClass);
    }

    /// <summary>
    /// The share of <paramref name="samples"/> it assigns to some class with probability at least
    /// <paramref name="confidence"/>: how many samples of a model without a condition look like a real example of
    /// anything, rather than a blend of several.
    /// </summary>
    public double ConfidentShare(Tensor samples, double confidence = 0.9)
    {
        ArgumentNullException.ThrowIfNull(samples);
        using var scope = NewDisposeScope();
        return Probabilities(samples).max(1).values.ge(confidence).to(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>Releases the network.</summary>
    public void Dispose() => network.Dispose();
}
