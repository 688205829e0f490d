using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Export;
using AutoencoderDsl.Generators.Helpers;

namespace AutoencoderDsl.Generators.Shapes;

/// <summary>
/// The layers the DSL knows: each attribute type of <c>AutoencoderDsl.Abstractions</c>, read into an instance of that
/// very type (so its argument names and defaults are the attribute's own), and the layer record it denotes.
/// </summary>
public static class LayerCatalog
{
    private static readonly Dictionary<Type, Func<LayerAttribute, Layer>> Factories = new()
    {
        [typeof(DenseAttribute)] = Of<DenseAttribute>(dense => new DenseLayer(dense.OutFeatures)),
        [typeof(FlattenAttribute)] = Of<FlattenAttribute>(_ => new FlattenLayer()),
        [typeof(UnflattenAttribute)] = Of<UnflattenAttribute>(unflatten => new UnflattenLayer(Dims(unflatten.Dims))),
        [typeof(ReshapeAttribute)] = Of<ReshapeAttribute>(reshape => new ReshapeLayer(Dims(reshape.Dims))),
        [typeof(ReLUAttribute)] = Of<ReLUAttribute>(_ => new ActivationLayer(ActivationFunction.ReLU)),
        [typeof(LeakyReLUAttribute)] = Of<LeakyReLUAttribute>(leaky => new ActivationLayer(ActivationFunction.LeakyReLU, leaky.NegativeSlope)),
        [typeof(GELUAttribute)] = Of<GELUAttribute>(_ => new ActivationLayer(ActivationFunction.GELU)),
        [typeof(SiLUAttribute)] = Of<SiLUAttribute>(_ => new ActivationLayer(ActivationFunction.SiLU)),
        [typeof(TanhAttribute)] = Of<TanhAttribute>(_ => new ActivationLayer(ActivationFunction.Tanh)),
        [typeof(SigmoidAttribute)] = Of<SigmoidAttribute>(_ => new ActivationLayer(ActivationFunction.Sigmoid)),
        [typeof(DropoutAttribute)] = Of<DropoutAttribute>(dropout => new DropoutLayer(dropout.P)),
        [typeof(BatchNormAttribute)] = Of<BatchNormAttribute>(_ => new BatchNormLayer()),
        [typeof(Conv2dAttribute)] = Of<Conv2dAttribute>(conv => new Conv2dLayer(conv.OutChannels, conv.Kernel, conv.Stride, conv.Padding, conv.Dilation)),
        [typeof(ConvTranspose2dAttribute)] = Of<ConvTranspose2dAttribute>(conv => new ConvTranspose2dLayer(conv.OutChannels, conv.Kernel, conv.Stride, conv.Padding, conv.OutputPadding)),
        [typeof(MaxPool2dAttribute)] = Of<MaxPool2dAttribute>(pool => new Pool2dLayer(PoolKind.Max, pool.Kernel, pool.Stride)),
        [typeof(AvgPool2dAttribute)] = Of<AvgPool2dAttribute>(pool => new Pool2dLayer(PoolKind.Avg, pool.Kernel, pool.Stride)),
        [typeof(UpsampleAttribute)] = Of<UpsampleAttribute>(upsample => new UpsampleLayer(upsample.Scale)),
        [typeof(BatchNorm2dAttribute)] = Of<BatchNorm2dAttribute>(_ => new BatchNorm2dLayer()),
        [typeof(Dropout2dAttribute)] = Of<Dropout2dAttribute>(dropout => new Dropout2dLayer(dropout.P)),
        [typeof(Conv1dAttribute)] = Of<Conv1dAttribute>(conv => new Conv1dLayer(conv.OutChannels, conv.Kernel, conv.Stride, conv.Padding, conv.Dilation)),
        [typeof(ConvTranspose1dAttribute)] = Of<ConvTranspose1dAttribute>(conv => new ConvTranspose1dLayer(conv.OutChannels, conv.Kernel, conv.Stride, conv.Padding, conv.OutputPadding)),
        [typeof(MaxPool1dAttribute)] = Of<MaxPool1dAttribute>(pool => new Pool1dLayer(PoolKind.Max, pool.Kernel, pool.Stride)),
        [typeof(AvgPool1dAttribute)] = Of<AvgPool1dAttribute>(pool => new Pool1dLayer(PoolKind.Avg, pool.Kernel, pool.Stride)),
        [typeof(BatchNorm1dAttribute)] = Of<BatchNorm1dAttribute>(_ => new BatchNormLayer(WrittenAs1d: true)),
        [typeof(ResidualBlock2dAttribute)] = Of<ResidualBlock2dAttribute>(block => new ResidualBlock2dLayer(block.Channels)),
        [typeof(ResidualBlock1dAttribute)] = Of<ResidualBlock1dAttribute>(block => new ResidualBlock1dLayer(block.Channels)),
    };

    /// <summary>Every layer attribute type the catalog knows.</summary>
    public static IEnumerable<Type> AttributeTypes => Factories.Keys;

    /// <summary>Whether <paramref name="attributeType"/> is a layer the catalog knows.</summary>
    public static bool Knows(Type attributeType) => Factories.ContainsKey(attributeType);

    /// <summary>The layer an attribute denotes, or null for an attribute type the catalog does not know.</summary>
    public static Layer? Create(LayerAttribute attribute) =>
        Factories.TryGetValue(attribute.GetType(), out var factory) ? factory(attribute) : null;

    private static Func<LayerAttribute, Layer> Of<TAttribute>(Func<TAttribute, Layer> factory)
        where TAttribute : LayerAttribute => attribute => factory((TAttribute)attribute);

    /// <summary>An attribute's dimensions; a null array (written as <c>null</c>) is no dimensions, which the layer rejects.</summary>
    private static EquatableArray<long> Dims(int[]? dims) => (dims ?? []).Select(dim => (long)dim).ToEquatableArray();
}
