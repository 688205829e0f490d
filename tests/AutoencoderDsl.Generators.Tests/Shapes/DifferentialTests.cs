using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Shapes;
using AutoencoderDsl.Generators.Tests.Infrastructure;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using ActivationFunction = AutoencoderDsl.Export.ActivationFunction;
using PoolKind = AutoencoderDsl.Export.PoolKind;

namespace AutoencoderDsl.Generators.Tests.Shapes;

/// <summary>
/// Shape inference against libtorch itself. Random stacks are built from the very TorchSharp expressions the generator
/// emits (<see cref="Layer.Construct"/>, compiled with Roslyn), run on a batch, and compared layer by layer with what
/// <see cref="ShapeInference"/> predicts: every shape of a valid stack, and the index of the first error of an invalid one.
/// </summary>
public sealed class DifferentialTests(ITestOutputHelper output)
{
    private const int Seed = 20251125;
    private const int StacksPerCategory = 1000;

    /// <summary>Generated models always pass a batch; two sizes, so a batch read as channels cannot pass by coincidence.</summary>
    private static readonly long[] BatchSizes = [2, 3];

    /// <summary>
    /// Valid stacks run in float32, as generated models do. Invalid ones run in float64: for float32, libtorch's oneDNN
    /// kernel aborts the whole process on a transposed convolution with an empty output instead of throwing, while the
    /// reference kernel that float64 takes reports it; every other check is the same for both.
    /// </summary>
    private const ScalarType ValidType = ScalarType.Float32;

    private const ScalarType InvalidType = ScalarType.Float64;

    [Fact]
    public void InferenceAgreesWithLibTorchLayerByLayer()
    {
        var clock = Stopwatch.StartNew();
        var (valid, invalid) = StackSampler.Draw(new Random(Seed), StacksPerCategory);
        var builders = CompileConstructs(valid.Concat(invalid).ToList());
        var compiled = clock.Elapsed;

        List<Verdict> validVerdicts;
        List<Verdict> invalidVerdicts;
        // The tensors are tiny: libtorch's intra-op threads would cost far more than they save.
        int threads = get_num_threads();
        set_num_threads(1);
        try
        {
            using var noGrad = no_grad();
            validVerdicts = valid.Select(sample => CheckValid(sample, builders[sample.Id])).ToList();
            invalidVerdicts = invalid.Select(sample => CheckInvalid(sample, builders[sample.Id])).ToList();
        }
        finally
        {
            set_num_threads(threads);
        }

        var disagreements = validVerdicts.Concat(invalidVerdicts).Where(verdict => verdict.Outcome == Outcome.Disagreed).ToList();
        var policy = invalidVerdicts.Where(verdict => verdict.Outcome == Outcome.PolicyRejected).ToList();
        output.WriteLine(Invariant($"seed {Seed}: {valid.Sum(sample => sample.Layers.Count)} layers in the valid stacks; compiled in {compiled.TotalSeconds:F1} s, all run in {clock.Elapsed.TotalSeconds:F1} s"));
        output.WriteLine(Invariant($"valid stacks: tried {valid.Count}, agreed {Count(validVerdicts, Outcome.Agreed)}, disagreed {Count(validVerdicts, Outcome.Disagreed)}"));
        output.WriteLine(Invariant(
            $"invalid stacks: tried {invalid.Count}, agreed {Count(invalidVerdicts, Outcome.Agreed)}, disagreed {Count(invalidVerdicts, Outcome.Disagreed)}, rejected by DSL policy although libtorch accepts them {policy.Count}"));
        output.WriteLine("layers in the valid stacks: " + Tally(valid.SelectMany(sample => sample.Layers.Select(layer => layer.Name))));
        output.WriteLine("invalid stacks by refused layer: " + Tally(invalid.Select(sample => sample.Layers[^1].Name)));
        output.WriteLine("invalid stacks by error kind: " + Tally(invalid.Select(sample => sample.Error!.Kind.ToString())));
        output.WriteLine("policy rejections: " + Tally(policy.Select(verdict => verdict.Detail)));
        foreach (var disagreement in disagreements.Take(20))
        {
            output.WriteLine(disagreement.Detail);
        }

        Assert.Empty(disagreements);
    }

    private static Verdict CheckValid(Sample sample, Func<int, nn.Module<Tensor, Tensor>> build)
    {
        var run = Execute(sample, build, sample.Layers.Count, BatchSizes[..1], ValidType);
        return run.FailedAt is null && ShapesMatch(sample, run, sample.Layers.Count)
            ? new Verdict(Outcome.Agreed, string.Empty)
            : new Verdict(Outcome.Disagreed, $"valid {sample}: libtorch {run}");
    }

    /// <summary>libtorch must run the layers before the predicted error, with the predicted shapes, and refuse the one at it.</summary>
    private static Verdict CheckInvalid(Sample sample, Func<int, nn.Module<Tensor, Tensor>> build)
    {
        int index = sample.Error!.LayerIndex;
        var run = Execute(sample, build, index + 1, BatchSizes, InvalidType);
        bool prefixMatches = ShapesMatch(sample, run, Math.Min(index, run.Shapes.Count));
        if (prefixMatches && run.FailedAt == index)
        {
            return new Verdict(Outcome.Agreed, string.Empty);
        }

        return prefixMatches && run.FailedAt is null && DslPolicy(sample.Layers[index], sample.InputOf(index)) is string reason
            ? new Verdict(Outcome.PolicyRejected, reason)
            : new Verdict(Outcome.Disagreed, $"invalid {sample}: libtorch {run}");
    }

    /// <summary>
    /// Where the DSL knowingly refuses what libtorch runs, and why; null for any other refusal. These are the only
    /// refusals of a layer that libtorch accepts that do not count as disagreements.
    /// </summary>
    private static string? DslPolicy(Layer layer, Shape input) => layer switch
    {
        DenseLayer { OutFeatures: 0 } => "zero output features (libtorch allows empty tensors)",
        DenseLayer when input.Rank == 3 => "Dense on a feature map (libtorch maps its last dimension)",
        Pool2dLayer when input.Rank == 2 => "pooling on [C, L] (libtorch reads [N, C, L] as one unbatched map)",
        SlidingConvolutionLayer { SpatialRank: 1 } or TransposedConvolutionLayer { SpatialRank: 1 } or Pool1dLayer when input.Rank == 1
            => "a 1-D layer on a vector (libtorch reads [N, F] as one unbatched sequence)",
        Dropout2dLayer when input.Rank != 3 => "Dropout2d off a feature map (libtorch only warns)",
        DropoutLayer { P: 1 } or Dropout2dLayer { P: 1 } => "probability 1 (libtorch zeroes everything)",
        _ => null,
    };

    private static bool ShapesMatch(Sample sample, LibTorchRun run, int count) =>
        run.Shapes.Count >= count
        && Enumerable.Range(0, count).All(index =>
            run.BatchSizes.Select((batch, position) => run.Shapes[index][position].SequenceEqual(sample.Predicted[index].Dims.Prepend(batch))).All(match => match));

    /// <summary>
    /// Builds the first <paramref name="count"/> layers and runs a random batch of each size through them, up to the
    /// first layer that libtorch refuses, to build or to run, for any of the sizes.
    /// </summary>
    private static LibTorchRun Execute(Sample sample, Func<int, nn.Module<Tensor, Tensor>> build, int count, long[] batchSizes, ScalarType type)
    {
        using var scope = NewDisposeScope();
        var run = new LibTorchRun(batchSizes);
        var batches = batchSizes.Select(batch => rand([batch, .. sample.Input.Dims], type)).ToArray();
        for (int index = 0; index < count; index++)
        {
            try
            {
                using var layer = build(index).to(type);
                batches = batches.Select(batch => layer.forward(batch)).ToArray();
            }
            catch (Exception error) when (IsLibTorchError(error))
            {
                run.Fail(index, error);
                break;
            }

            run.Shapes.Add(batches.Select(batch => batch.shape).ToArray());
        }

        return run;
    }

    /// <summary>What TorchSharp throws for libtorch's errors and for its own argument checks.</summary>
    private static bool IsLibTorchError(Exception error) => error is ArgumentException or System.Runtime.InteropServices.ExternalException;

    /// <summary>
    /// Compiles every sample's <see cref="Layer.Construct"/> expressions, under the same <c>using static</c> as
    /// generated code, into one method per sample that builds its i-th layer.
    /// </summary>
    private static Dictionary<int, Func<int, nn.Module<Tensor, Tensor>>> CompileConstructs(IReadOnlyList<Sample> samples)
    {
        var source = new StringBuilder("using static global::TorchSharp.torch;\n\npublic static class Stacks\n{\n");
        foreach (var sample in samples)
        {
            source.Append(CultureInfo.InvariantCulture, $"    public static nn.Module<Tensor, Tensor> S{sample.Id}(int layer) => layer switch\n    {{\n");
            int count = sample.Error?.LayerIndex + 1 ?? sample.Layers.Count;
            for (int index = 0; index < count; index++)
            {
                source.Append(CultureInfo.InvariantCulture, $"        {index} => {sample.Layers[index].Construct(sample.InputOf(index))},\n");
            }

            source.Append("        _ => throw new global::System.ArgumentOutOfRangeException(nameof(layer)),\n    };\n");
        }

        source.Append("}\n");
        using var image = new MemoryStream();
        var emitted = TestCompilation.Create(source.ToString()).Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Take(10)));
        var stacks = Assembly.Load(image.ToArray()).GetType("Stacks")!;
        return samples.ToDictionary(
            sample => sample.Id,
            sample => stacks.GetMethod($"S{sample.Id}")!.CreateDelegate<Func<int, nn.Module<Tensor, Tensor>>>());
    }

    private static int Count(List<Verdict> verdicts, Outcome outcome) => verdicts.Count(verdict => verdict.Outcome == outcome);

    private static string Tally(IEnumerable<string> items) =>
        string.Join(", ", items.GroupBy(item => item, StringComparer.Ordinal).OrderBy(group => group.Key, StringComparer.Ordinal).Select(group => Invariant($"{group.Key} {group.Count()}")));

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    private enum Outcome { Agreed, PolicyRejected, Disagreed }

    /// <summary>How one stack came out; the detail is the policy's reason or what disagreed.</summary>
    private sealed record Verdict(Outcome Outcome, string Detail);

    /// <summary>What libtorch made of a stack: the shapes after each layer for each batch size, and the first layer it refused.</summary>
    private sealed class LibTorchRun(long[] batchSizes)
    {
        public long[] BatchSizes { get; } = batchSizes;

        public List<long[][]> Shapes { get; } = [];

        public int? FailedAt { get; private set; }

        public string? Failure { get; private set; }

        public void Fail(int index, Exception error)
        {
            FailedAt = index;
            Failure = error.GetType().Name + ": " + error.Message.Split('\n')[0];
        }

        public override string ToString() =>
            (FailedAt is int index ? Invariant($"fails at {index} ({Failure})") : "runs")
            + " after " + string.Join(" ", Shapes.Select(shapes => string.Join("/", shapes.Select(shape => Literals.List(shape)))));
    }
}

/// <summary>A stack and what inference says of it: the shape after every layer up to the first error, if any.</summary>
internal sealed record Sample(int Id, Shape Input, IReadOnlyList<Layer> Layers, IReadOnlyList<Shape> Predicted, ShapeError? Error)
{
    public Shape InputOf(int index) => index == 0 ? Input : Predicted[index - 1];

    public override string ToString() =>
        $"#{Id} {Input} → " + string.Join(" → ", Layers.Select((layer, index) =>
            $"{layer.Construct(InputOf(index))} {(index < Predicted.Count ? Predicted[index].ToString() : "✗ " + Error?.Kind)}"));
}

/// <summary>
/// Draws random stacks the way people write them, mostly layers that suit the current rank with realistic arguments,
/// and sometimes anything at all: a wrong rank, an oversized window, a reshape that does not add up, a bad argument.
/// A candidate that inference accepts extends a valid stack; one it refuses, after that stack's prefix, is an invalid stack.
/// </summary>
internal static class StackSampler
{
    private enum Kind
    {
        Conv, ConvTranspose, MaxPool, AvgPool, Upsample, BatchNorm2d, Dropout2d, Reshape, Dense, Flatten, Unflatten, Activation, Dropout, BatchNorm,
        Conv1d, ConvTranspose1d, MaxPool1d, AvgPool1d, BatchNorm1d, ResidualBlock2d, ResidualBlock1d,
    }

    private static readonly Kind[] MapKinds = [Kind.Conv, Kind.Conv, Kind.ConvTranspose, Kind.ConvTranspose, Kind.MaxPool, Kind.AvgPool, Kind.Upsample, Kind.BatchNorm2d, Kind.Dropout2d, Kind.Activation, Kind.Flatten, Kind.Reshape, Kind.ResidualBlock2d];

    private static readonly Kind[] SequenceKinds = [Kind.Conv1d, Kind.Conv1d, Kind.ConvTranspose1d, Kind.ConvTranspose1d, Kind.MaxPool1d, Kind.AvgPool1d, Kind.BatchNorm1d, Kind.Activation, Kind.Dropout, Kind.Flatten, Kind.Reshape, Kind.ResidualBlock1d];

    private static readonly Kind[] VectorKinds = [Kind.Dense, Kind.Dense, Kind.Activation, Kind.Dropout, Kind.BatchNorm, Kind.Unflatten, Kind.Reshape, Kind.Flatten];

    private static readonly Kind[] AllKinds = Enum.GetValues<Kind>();

    public static (List<Sample> Valid, List<Sample> Invalid) Draw(Random random, int perCategory)
    {
        var valid = new List<Sample>();
        var invalid = new List<Sample>();
        int id = 0;
        while (valid.Count < perCategory || invalid.Count < perCategory)
        {
            var input = RandomInput(random);
            var layers = new List<Layer>();
            List<Layer>? refused = null;
            var current = input;
            int length = random.Next(1, 11);
            for (int attempt = 0; attempt < 4 * length && layers.Count < length; attempt++)
            {
                var candidate = Propose(random, current);
                if (candidate.Apply(current).Output is { } next)
                {
                    layers.Add(candidate);
                    current = next;
                }
                else if (refused is null || random.Next(2) == 0)
                {
                    refused = [.. layers, candidate];
                }
            }

            if (valid.Count < perCategory && layers.Count > 0)
            {
                valid.Add(Infer(id++, input, layers));
            }

            if (invalid.Count < perCategory && refused is not null)
            {
                invalid.Add(Infer(id++, input, refused));
            }
        }

        Assert.All(valid, sample => Assert.Null(sample.Error));
        Assert.All(invalid, sample => Assert.Equal(sample.Layers.Count - 1, sample.Error?.LayerIndex));
        return (valid, invalid);
    }

    /// <summary>Runs the component under test: the stack as an encoder, whose shapes and first error are what is compared.</summary>
    private static Sample Infer(int id, Shape input, IReadOnlyList<Layer> layers)
    {
        var result = ShapeInference.Run(new Architecture(input.Dims, layers.ToEquatableArray(), 1, EquatableArray<Layer>.Empty));
        return new Sample(id, input, layers, result.EncoderShapes.ToList(), result.Error is { Part: ModelPart.Encoder } error ? error : null);
    }

    private static Shape RandomInput(Random random) => random.Next(10) switch
    {
        < 4 => new Shape(random.Next(1, 4), random.Next(4, 33), random.Next(4, 33)),
        < 7 => new Shape(random.Next(1, 65)),
        _ => new Shape(random.Next(1, 5), random.Next(2, 49)),
    };

    private static Layer Propose(Random random, Shape current)
    {
        var kinds = random.Next(4) > 0 ? (current.Rank switch { 3 => MapKinds, 2 => SequenceKinds, _ => VectorKinds }) : AllKinds;
        bool small = current.Rank switch { 3 => Math.Max(current[1], current[2]) <= 16, 2 => current[1] <= 64, _ => true };
        var kind = kinds[random.Next(kinds.Length)];
        if (!small && kind is Kind.ConvTranspose or Kind.Upsample or Kind.ConvTranspose1d)
        {
            kind = kind == Kind.ConvTranspose1d ? Kind.Conv1d : Kind.Conv;
        }

        return kind switch
        {
            Kind.Conv => new Conv2dLayer(
                Argument(random, 1, 6), Argument(random, 1, 5), Argument(random, 1, 3), Argument(random, 0, 2), Argument(random, 1, random.Next(4) == 0 ? 3 : 1)),
            Kind.ConvTranspose => ConvTranspose(random),
            Kind.MaxPool or Kind.AvgPool => Pool(random, kind == Kind.MaxPool ? PoolKind.Max : PoolKind.Avg),
            Kind.Upsample => new UpsampleLayer(Argument(random, 1, 3)),
            Kind.BatchNorm2d => new BatchNorm2dLayer(),
            Kind.Dropout2d => new Dropout2dLayer(Probability(random)),
            Kind.Reshape => new ReshapeLayer(Dimensions(random, current.Size, random.Next(1, 4))),
            Kind.Dense => new DenseLayer(Argument(random, 1, 48)),
            Kind.Flatten => new FlattenLayer(),
            Kind.Unflatten => new UnflattenLayer(Dimensions(random, current[0], random.Next(2, 4))),
            Kind.Activation => Activation(random),
            Kind.Dropout => new DropoutLayer(Probability(random)),
            Kind.BatchNorm => new BatchNormLayer(),
            Kind.Conv1d => new Conv1dLayer(
                Argument(random, 1, 6), Argument(random, 1, 7), Argument(random, 1, 3), Argument(random, 0, 3), Argument(random, 1, random.Next(4) == 0 ? 3 : 1)),
            Kind.ConvTranspose1d => ConvTranspose1d(random),
            Kind.MaxPool1d or Kind.AvgPool1d => Pool1d(random, kind == Kind.MaxPool1d ? PoolKind.Max : PoolKind.Avg),
            Kind.BatchNorm1d => new BatchNormLayer(WrittenAs1d: true),
            Kind.ResidualBlock2d => new ResidualBlock2dLayer(Argument(random, 1, 6)),
            Kind.ResidualBlock1d => new ResidualBlock1dLayer(Argument(random, 1, 6)),
            _ => throw new UnreachableException(),
        };
    }

    /// <summary>An OutputPadding up to the stride, so that it is sometimes one too many.</summary>
    private static ConvTranspose2dLayer ConvTranspose(Random random)
    {
        long stride = Argument(random, 1, 3);
        return new ConvTranspose2dLayer(Argument(random, 1, 6), Argument(random, 1, 4), stride, Argument(random, 0, 3), Argument(random, 0, Math.Max(stride, 1)));
    }

    private static ConvTranspose1dLayer ConvTranspose1d(Random random)
    {
        long stride = Argument(random, 1, 3);
        return new ConvTranspose1dLayer(Argument(random, 1, 6), Argument(random, 1, 5), stride, Argument(random, 0, 3), Argument(random, 0, Math.Max(stride, 1)));
    }

    private static Pool1dLayer Pool1d(Random random, PoolKind kind)
    {
        long kernel = Argument(random, 1, 5);
        return new Pool1dLayer(kind, kernel, random.Next(2) == 0 ? kernel : Argument(random, 1, 3));
    }

    private static Pool2dLayer Pool(Random random, PoolKind kind)
    {
        long kernel = Argument(random, 1, 4);
        return new Pool2dLayer(kind, kernel, random.Next(2) == 0 ? kernel : Argument(random, 1, 3));
    }

    private static ActivationLayer Activation(Random random)
    {
        var kind = (ActivationFunction)random.Next(Enum.GetValues<ActivationFunction>().Length);
        return new ActivationLayer(kind, kind == ActivationFunction.LeakyReLU ? 0.2 : 0);
    }

    /// <summary>Usually a value in [min, max]; one time in 40 one of the two values just below the valid range.</summary>
    private static long Argument(Random random, long min, long max) =>
        random.Next(40) == 0 ? min - 1 - random.Next(2) : random.NextInt64(min, max + 1);

    private static double Probability(Random random) =>
        random.Next(20) == 0 ? new[] { -0.1, 1, 1.5 }[random.Next(3)] : new[] { 0, 0.1, 0.5, 0.9 }[random.Next(4)];

    /// <summary>Usually a factorisation of <paramref name="size"/> into <paramref name="rank"/> dimensions; sometimes random ones.</summary>
    private static EquatableArray<long> Dimensions(Random random, long size, int rank)
    {
        if (random.Next(4) == 0)
        {
            return Enumerable.Range(0, rank).Select(_ => random.NextInt64(1, 9)).ToEquatableArray();
        }

        var dims = new List<long>();
        long rest = size;
        for (int index = 1; index < rank; index++)
        {
            var divisors = Enumerable.Range(1, (int)Math.Min(rest, 64)).Where(divisor => rest % divisor == 0).ToList();
            long dim = divisors[random.Next(divisors.Count)];
            dims.Add(dim);
            rest /= dim;
        }

        dims.Add(rest);
        return dims.ToEquatableArray();
    }
}
