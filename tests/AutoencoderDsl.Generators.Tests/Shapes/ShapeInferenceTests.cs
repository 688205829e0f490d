using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Shapes;
using ActivationFunction = AutoencoderDsl.Export.ActivationFunction;
using PoolKind = AutoencoderDsl.Export.PoolKind;

namespace AutoencoderDsl.Generators.Tests.Shapes;

/// <summary>Every shape rule, error kind and message of the layers, and the walk through a whole model.</summary>
public sealed class ShapeInferenceTests
{
    [Theory]
    [InlineData(new long[] { 1, 28, 28 }, 32, 4, 2, 1, 1, new long[] { 32, 14, 14 })]
    [InlineData(new long[] { 32, 14, 14 }, 64, 4, 2, 1, 1, new long[] { 64, 7, 7 })]
    [InlineData(new long[] { 3, 10, 12 }, 8, 3, 1, 0, 2, new long[] { 8, 6, 8 })]
    [InlineData(new long[] { 2, 7, 7 }, 4, 3, 2, 0, 1, new long[] { 4, 3, 3 })]
    [InlineData(new long[] { 2, 8, 8 }, 4, 3, 3, 1, 1, new long[] { 4, 3, 3 })]
    [InlineData(new long[] { 1, 3, 3 }, 1, 5, 1, 1, 1, new long[] { 1, 1, 1 })]
    public void Conv2dFollowsLibTorchArithmetic(long[] input, long outChannels, long kernel, long stride, long padding, long dilation, long[] expected) =>
        Assert.Equal(new Shape(expected), Succeeds(new Conv2dLayer(outChannels, kernel, stride, padding, dilation), new Shape(input)));

    [Theory]
    [InlineData(new long[] { 64, 7, 7 }, 32, 4, 2, 1, 0, new long[] { 32, 14, 14 })]
    [InlineData(new long[] { 32, 14, 14 }, 1, 4, 2, 1, 0, new long[] { 1, 28, 28 })]
    [InlineData(new long[] { 4, 3, 5 }, 2, 3, 2, 0, 1, new long[] { 2, 8, 12 })]
    [InlineData(new long[] { 1, 1, 1 }, 1, 1, 1, 0, 0, new long[] { 1, 1, 1 })]
    public void ConvTranspose2dFollowsLibTorchArithmetic(long[] input, long outChannels, long kernel, long stride, long padding, long outputPadding, long[] expected) =>
        Assert.Equal(new Shape(expected), Succeeds(new ConvTranspose2dLayer(outChannels, kernel, stride, padding, outputPadding), new Shape(input)));

    [Theory]
    [InlineData(PoolKind.Max, new long[] { 8, 28, 28 }, 2, 2, new long[] { 8, 14, 14 })]
    [InlineData(PoolKind.Avg, new long[] { 3, 7, 9 }, 3, 2, new long[] { 3, 3, 4 })]
    [InlineData(PoolKind.Max, new long[] { 1, 5, 5 }, 5, 1, new long[] { 1, 1, 1 })]
    [InlineData(PoolKind.Avg, new long[] { 2, 7, 7 }, 2, 2, new long[] { 2, 3, 3 })]
    public void PoolingFloorsLikeLibTorch(PoolKind kind, long[] input, long kernel, long stride, long[] expected) =>
        Assert.Equal(new Shape(expected), Succeeds(new Pool2dLayer(kind, kernel, stride), new Shape(input)));

    [Fact]
    public void FeatureMapLayersKeepOrScaleTheMap()
    {
        Assert.Equal(new Shape(4, 21, 15), Succeeds(new UpsampleLayer(3), new Shape(4, 7, 5)));
        Assert.Equal(new Shape(16, 7, 7), Succeeds(new BatchNorm2dLayer(), new Shape(16, 7, 7)));
        Assert.Equal(new Shape(16, 7, 7), Succeeds(new Dropout2dLayer(0.25), new Shape(16, 7, 7)));
    }

    [Fact]
    public void ReshapeKeepsTheElementCount()
    {
        Assert.Equal(new Shape(3136), Succeeds(Reshape(3136), new Shape(64, 7, 7)));
        Assert.Equal(new Shape(1, 28, 28), Succeeds(Reshape(1, 28, 28), new Shape(784)));
        Assert.Equal(new Shape(2, 12), Succeeds(Reshape(2, 12), new Shape(4, 6)));
    }

    [Fact]
    public void DenseTakesEveryRankButAFeatureMap()
    {
        Assert.Equal(new Shape(3), Succeeds(new DenseLayer(3), new Shape(10)));
        Assert.Equal(new Shape(4, 3), Succeeds(new DenseLayer(3), new Shape(4, 6)));
        Assert.Equal(new Shape(2, 3, 4, 7), Succeeds(new DenseLayer(7), new Shape(2, 3, 4, 5)));
        Assert.Equal(
            "Dense maps a feature vector, but got the feature map [64, 7, 7], of which it would mix only the last dimension; insert Flatten before it.",
            Fails(new DenseLayer(256), new Shape(64, 7, 7), ShapeErrorKind.WrongRank));
    }

    [Fact]
    public void BatchNormTakesVectorsAndSequencesAndBatchNorm2dTakesMaps()
    {
        Assert.Equal(new Shape(5), Succeeds(new BatchNormLayer(), new Shape(5)));
        Assert.Equal(new Shape(5, 9), Succeeds(new BatchNormLayer(), new Shape(5, 9)));
        Fails(new BatchNormLayer(), new Shape(4, 7, 7), ShapeErrorKind.WrongRank);
        Fails(new BatchNorm2dLayer(), new Shape(16), ShapeErrorKind.WrongRank);
        Fails(new BatchNorm2dLayer(), new Shape(4, 16), ShapeErrorKind.WrongRank);
    }

    public static TheoryData<Layer, long[], string> InvalidArguments => new()
    {
        { new Conv2dLayer(0, 3, 1, 0, 1), [1, 8, 8], "Conv2d needs a positive number of output channels, but got 0." },
        { new Conv2dLayer(4, 0, 1, 0, 1), [1, 8, 8], "Conv2d needs a positive Kernel, but got 0." },
        { new Conv2dLayer(4, 3, 0, 0, 1), [1, 8, 8], "Conv2d needs a positive Stride, but got 0." },
        { new Conv2dLayer(4, 3, 1, -1, 1), [1, 8, 8], "Conv2d needs a non-negative Padding, but got -1." },
        { new Conv2dLayer(4, 3, 1, 0, 0), [1, 8, 8], "Conv2d needs a positive Dilation, but got 0." },
        { new ConvTranspose2dLayer(-2, 3, 1, 0, 0), [1, 8, 8], "ConvTranspose2d needs a positive number of output channels, but got -2." },
        { new ConvTranspose2dLayer(4, 3, 1, 0, -1), [1, 8, 8], "ConvTranspose2d needs a non-negative OutputPadding, but got -1." },
        {
            new ConvTranspose2dLayer(4, 3, 2, 0, 2), [1, 8, 8],
            "ConvTranspose2d needs an OutputPadding smaller than its Stride 2, but got 2; use an OutputPadding of at most 1."
        },
        { new Pool2dLayer(PoolKind.Max, 0, 1), [1, 8, 8], "MaxPool2d needs a positive Kernel, but got 0." },
        { new Pool2dLayer(PoolKind.Avg, 2, 0), [1, 8, 8], "AvgPool2d needs a positive Stride, but got 0." },
        { new UpsampleLayer(0), [1, 8, 8], "Upsample needs a positive Scale, but got 0." },
        { new Dropout2dLayer(1), [1, 8, 8], "Dropout2d needs a probability in [0, 1), but got 1." },
        { new Dropout2dLayer(-0.5), [1, 8, 8], "Dropout2d needs a probability in [0, 1), but got -0.5." },
        { new DropoutLayer(double.NaN), [8], "Dropout needs a probability in [0, 1), but got NaN." },
        { new DenseLayer(0), [8], "Dense needs a positive number of output features, but got 0." },
        { Reshape(), [8], "Reshape needs one or more positive dimensions, but got []." },
        { Reshape(2, 0), [8], "Reshape needs one or more positive dimensions, but got [2, 0]." },
        { new UnflattenLayer(new long[] { -1, 4 }.ToEquatableArray()), [8], "Unflatten needs one or more positive dimensions, but got [-1, 4]." },
    };

    [Theory]
    [MemberData(nameof(InvalidArguments))]
    public void InvalidArgumentsNameTheArgumentAndItsValue(Layer layer, long[] input, string message) =>
        Assert.Equal(message, Fails(layer, new Shape(input), ShapeErrorKind.InvalidArgument));

    /// <summary>Each 2-D layer, and the layer that does its job on a sequence, if any.</summary>
    public static TheoryData<Layer, string?> FeatureMapLayers => new()
    {
        { new Conv2dLayer(4, 3, 1, 0, 1), "Conv1d" },
        { new ConvTranspose2dLayer(4, 3, 1, 0, 0), "ConvTranspose1d" },
        { new Pool2dLayer(PoolKind.Max, 2, 2), "MaxPool1d" },
        { new Pool2dLayer(PoolKind.Avg, 2, 2), "AvgPool1d" },
        { new UpsampleLayer(2), null },
        { new BatchNorm2dLayer(), "BatchNorm1d" },
        { new Dropout2dLayer(0.5), "Dropout" },
    };

    [Theory]
    [MemberData(nameof(FeatureMapLayers))]
    public void FeatureMapLayersRejectOtherRanksWithTheReshapeThatFixesThem(Layer layer, string? forSequences)
    {
        Assert.Equal(
            $"{layer.Name} takes a feature map [C, H, W], but got the vector [784]; insert Unflatten(C, H, W) before it.",
            Fails(layer, new Shape(784), ShapeErrorKind.WrongRank));
        var sibling = forSequences is null ? string.Empty : $"use {forSequences} for a sequence, or ";
        Assert.Equal(
            $"{layer.Name} takes a feature map [C, H, W], but got [4, 16]; {sibling}insert Reshape(C, H, W) before it.",
            Fails(layer, new Shape(4, 16), ShapeErrorKind.WrongRank));
        Fails(layer, new Shape(1, 4, 16, 16), ShapeErrorKind.WrongRank);
    }

    /// <summary>Each 1-D layer and the layer that does its job on a feature map.</summary>
    public static TheoryData<Layer, string> SequenceLayers => new()
    {
        { new Conv1dLayer(4, 3, 1, 0, 1), "Conv2d" },
        { new ConvTranspose1dLayer(4, 3, 1, 0, 0), "ConvTranspose2d" },
        { new Pool1dLayer(PoolKind.Max, 2, 2), "MaxPool2d" },
        { new Pool1dLayer(PoolKind.Avg, 2, 2), "AvgPool2d" },
    };

    [Theory]
    [MemberData(nameof(SequenceLayers))]
    public void SequenceLayersRejectOtherRanksWithTheReshapeThatFixesThem(Layer layer, string forFeatureMaps)
    {
        Assert.Equal(
            $"{layer.Name} takes a sequence [C, L], but got the vector [64]; insert Unflatten(C, L) before it.",
            Fails(layer, new Shape(64), ShapeErrorKind.WrongRank));
        Assert.Equal(
            $"{layer.Name} takes a sequence [C, L], but got [1, 8, 8]; use {forFeatureMaps} for a feature map, or insert Reshape(C, L) before it.",
            Fails(layer, new Shape(1, 8, 8), ShapeErrorKind.WrongRank));
    }

    [Theory]
    [InlineData(new long[] { 1, 128 }, 16, 5, 1, 2, 1, new long[] { 16, 128 })]
    [InlineData(new long[] { 3, 100 }, 8, 4, 2, 1, 1, new long[] { 8, 50 })]
    [InlineData(new long[] { 2, 20 }, 4, 3, 1, 0, 3, new long[] { 4, 14 })]
    public void Conv1dFollowsLibTorchArithmetic(long[] input, long outChannels, long kernel, long stride, long padding, long dilation, long[] expected) =>
        Assert.Equal(new Shape(expected), Succeeds(new Conv1dLayer(outChannels, kernel, stride, padding, dilation), new Shape(input)));

    [Theory]
    [InlineData(new long[] { 16, 32 }, 8, 4, 2, 1, 0, new long[] { 8, 64 })]
    [InlineData(new long[] { 4, 7 }, 1, 3, 2, 0, 1, new long[] { 1, 16 })]
    public void ConvTranspose1dFollowsLibTorchArithmetic(long[] input, long outChannels, long kernel, long stride, long padding, long outputPadding, long[] expected) =>
        Assert.Equal(new Shape(expected), Succeeds(new ConvTranspose1dLayer(outChannels, kernel, stride, padding, outputPadding), new Shape(input)));

    [Fact]
    public void SequenceLayersPoolAndNormaliseSequences()
    {
        Assert.Equal(new Shape(8, 32), Succeeds(new Pool1dLayer(PoolKind.Max, 2, 2), new Shape(8, 64)));
        Assert.Equal(new Shape(8, 31), Succeeds(new Pool1dLayer(PoolKind.Avg, 4, 2), new Shape(8, 64)));
        Assert.Equal(new Shape(8, 64), Succeeds(new BatchNormLayer(WrittenAs1d: true), new Shape(8, 64)));
        Assert.Equal(
            "Conv1d would output an empty sequence: its window spans 9 steps (Kernel 9) but its input [2, 5] has length 5; use a smaller Kernel, more Padding or less downsampling before it.",
            Fails(new Conv1dLayer(4, 9, 1, 0, 1), new Shape(2, 5), ShapeErrorKind.EmptyOutput));
    }

    [Fact]
    public void WindowsLargerThanTheMapGiveEmptyOutputs()
    {
        Assert.Equal(
            "Conv2d would output an empty map: its window spans 5 pixels (Kernel 5) but its input [1, 2, 2] is 2 × 2, 4 × 4 with Padding 1; use a smaller Kernel, more Padding or less downsampling before it.",
            Fails(new Conv2dLayer(4, 5, 1, 1, 1), new Shape(1, 2, 2), ShapeErrorKind.EmptyOutput));
        Assert.Equal(
            "Conv2d would output an empty map: its window spans 7 pixels (Kernel 3, Dilation 3) but its input [1, 9, 6] is 9 × 6; use a smaller Kernel, more Padding or less downsampling before it.",
            Fails(new Conv2dLayer(4, 3, 1, 0, 3), new Shape(1, 9, 6), ShapeErrorKind.EmptyOutput));
        Assert.Equal(
            "MaxPool2d would output an empty map: its window spans 4 pixels (Kernel 4) but its input [2, 3, 8] is 3 × 8; use a smaller Kernel or less downsampling before it.",
            Fails(new Pool2dLayer(PoolKind.Max, 4, 4), new Shape(2, 3, 8), ShapeErrorKind.EmptyOutput));
        Assert.Equal(
            "ConvTranspose2d would output an empty map (-1 × 1) from its input [1, 1, 2], because Padding 1 trims more than the kernel adds; use a Padding of at most 0.",
            Fails(new ConvTranspose2dLayer(1, 1, 2, 1, 0), new Shape(1, 1, 2), ShapeErrorKind.EmptyOutput));
    }

    [Fact]
    public void ElementCountMismatchesSayWhatProductIsNeeded()
    {
        Assert.Equal(
            "Reshape[1, 28, 27] holds 756 elements but its input [784] has 784; give dimensions whose product is 784.",
            Fails(Reshape(1, 28, 27), new Shape(784), ShapeErrorKind.ElementCountMismatch));
        Assert.Equal(
            "Unflatten[64, 7, 8] holds 3584 elements but its input [3136] has 3136 in its first dimension; give dimensions whose product is 3136.",
            Fails(new UnflattenLayer(new long[] { 64, 7, 8 }.ToEquatableArray()), new Shape(3136), ShapeErrorKind.ElementCountMismatch));
    }

    public static TheoryData<Layer, long[], string> Constructions => new()
    {
        { new Conv2dLayer(32, 4, 2, 1, 1), [1, 28, 28], "global::AutoencoderDsl.Convolutions.Conv2d(1, 32, kernel_size: 4, stride: 2, padding: 1)" },
        { new Conv2dLayer(8, 3, 1, 0, 2), [3, 10, 10], "global::AutoencoderDsl.Convolutions.Conv2d(3, 8, kernel_size: 3, dilation: 2)" },
        { new ConvTranspose2dLayer(1, 4, 2, 1, 0), [32, 14, 14], "global::AutoencoderDsl.Convolutions.ConvTranspose2d(32, 1, kernel_size: 4, stride: 2, padding: 1)" },
        { new ConvTranspose2dLayer(2, 3, 2, 0, 1), [4, 3, 3], "global::AutoencoderDsl.Convolutions.ConvTranspose2d(4, 2, kernel_size: 3, stride: 2, output_padding: 1)" },
        { new Pool2dLayer(PoolKind.Max, 2, 2), [8, 28, 28], "nn.MaxPool2d(kernel_size: 2)" },
        { new Pool2dLayer(PoolKind.Avg, 3, 2), [8, 28, 28], "nn.AvgPool2d(kernel_size: 3, stride: 2)" },
        { new UpsampleLayer(2), [8, 7, 7], "nn.Upsample(scale_factor: [2, 2])" },
        { new BatchNorm2dLayer(), [16, 7, 7], "nn.BatchNorm2d(16)" },
        { new Dropout2dLayer(0.25), [16, 7, 7], "nn.Dropout2d(0.25)" },
        { Reshape(3136), [64, 7, 7], "nn.Flatten()" },
        { Reshape(3000), [64, 7, 7], "nn.Sequential(nn.Flatten(), nn.Unflatten(1, [3000]))" },
        { Reshape(64, 7, 7), [3136], "nn.Unflatten(1, [64, 7, 7])" },
        { Reshape(2, 12), [4, 6], "nn.Sequential(nn.Flatten(), nn.Unflatten(1, [2, 12]))" },
    };

    [Theory]
    [MemberData(nameof(Constructions))]
    public void ConstructWritesIdiomaticTorchSharp(Layer layer, long[] input, string expected) =>
        Assert.Equal(expected, layer.Construct(new Shape(input)));

    [Fact]
    public void InferenceWalksTheConvolutionalBetaVae()
    {
        var architecture = new Architecture(
            new long[] { 1, 28, 28 }.ToEquatableArray(),
            Stack(
                new Conv2dLayer(32, 4, 2, 1, 1), Relu, new Conv2dLayer(64, 4, 2, 1, 1), Relu, new FlattenLayer(), new DenseLayer(256), Relu),
            16,
            Stack(
                new DenseLayer(256), Relu, new DenseLayer(64 * 7 * 7), Relu, new UnflattenLayer(new long[] { 64, 7, 7 }.ToEquatableArray()),
                new ConvTranspose2dLayer(32, 4, 2, 1, 0), Relu, new ConvTranspose2dLayer(1, 4, 2, 1, 0), new ActivationLayer(ActivationFunction.Sigmoid)));

        var result = ShapeInference.Run(architecture);

        Assert.Null(result.Error);
        Assert.Equal(
            ["[32, 14, 14]", "[32, 14, 14]", "[64, 7, 7]", "[64, 7, 7]", "[3136]", "[256]", "[256]"],
            result.EncoderShapes.Select(shape => shape.ToString()));
        Assert.Equal(
            ["[256]", "[256]", "[3136]", "[3136]", "[64, 7, 7]", "[32, 14, 14]", "[32, 14, 14]", "[1, 28, 28]", "[1, 28, 28]"],
            result.DecoderShapes.Select(shape => shape.ToString()));
        Assert.Equal(8, ShapeInference.FusableSigmoidIndex(architecture.Decoder));
    }

    [Fact]
    public void InferenceReportsTheFirstBrokenLayer()
    {
        var denseOnMap = ShapeInference.Run(new Architecture(
            new long[] { 1, 8, 8 }.ToEquatableArray(),
            Stack(new Conv2dLayer(4, 3, 1, 0, 1), Relu, new DenseLayer(10), new Conv2dLayer(4, 30, 1, 0, 1)),
            2,
            Stack(new DenseLayer(64), Reshape(1, 8, 8))));
        var badReshape = ShapeInference.Run(new Architecture(
            new long[] { 1, 8, 8 }.ToEquatableArray(),
            Stack(new FlattenLayer()),
            2,
            Stack(new DenseLayer(16), Reshape(4, 4, 4))));

        Assert.Equal(ModelPart.Encoder, denseOnMap.Error!.Part);
        Assert.Equal(2, denseOnMap.Error.LayerIndex);
        Assert.Equal(ShapeErrorKind.WrongRank, denseOnMap.Error.Kind);
        Assert.Equal(["[4, 6, 6]", "[4, 6, 6]"], denseOnMap.EncoderShapes.Select(shape => shape.ToString()));
        Assert.Equal(new ShapeError(ModelPart.Decoder, 1, ShapeErrorKind.ElementCountMismatch, "Reshape[4, 4, 4] holds 64 elements but its input [16] has 16; give dimensions whose product is 16."), badReshape.Error);
    }

    [Fact]
    public void UpsampleAndReshapeMayFollowAFusedSigmoid()
    {
        var decoder = Stack(new DenseLayer(16), Reshape(1, 4, 4), new ActivationLayer(ActivationFunction.Sigmoid), new UpsampleLayer(2), Reshape(64));

        Assert.Equal(2, ShapeInference.FusableSigmoidIndex(decoder));
        Assert.Equal(-1, ShapeInference.FusableSigmoidIndex(Stack(new ActivationLayer(ActivationFunction.Sigmoid), new Pool2dLayer(PoolKind.Avg, 2, 2))));
    }

    private static Layer Relu => new ActivationLayer(ActivationFunction.ReLU);

    private static ReshapeLayer Reshape(params long[] dims) => new(dims.ToEquatableArray());

    private static EquatableArray<Layer> Stack(params Layer[] layers) => layers.ToEquatableArray();

    private static Shape Succeeds(Layer layer, Shape input)
    {
        var outcome = layer.Apply(input);
        Assert.Null(outcome.Error);
        return outcome.Output!;
    }

    private static string Fails(Layer layer, Shape input, ShapeErrorKind kind)
    {
        var outcome = layer.Apply(input);
        Assert.Null(outcome.Output);
        Assert.Equal(kind, outcome.ErrorKind);
        return outcome.Error!;
    }
}
