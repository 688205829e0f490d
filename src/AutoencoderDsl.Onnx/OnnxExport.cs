using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AutoencoderDsl.Export;
using AutoencoderDsl.IO;
using AutoencoderDsl.Parts;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace AutoencoderDsl.Onnx;

/// <summary>What <see cref="OnnxExport.ExportOnnx"/> wrote.</summary>
/// <param name="Encoder">The encoder: input <c>x</c> (and <c>labels</c>) to <c>mean</c> and <c>log_var</c>, or to <c>code</c>.</param>
/// <param name="Decoder">The decoder: input <c>z</c> (and <c>labels</c>) to <c>output</c>, what <c>Decode</c> returns.</param>
public sealed record OnnxFiles(string Encoder, string Decoder);

/// <summary>
/// Exports a model as two ONNX graphs (opset 17) that ONNX Runtime runs without libtorch: the encoder and the decoder,
/// with the batch dimension free. Each graph is built from the generator's description of the declared layers and the
/// model's own weights, so it computes what the model does in evaluation mode: dropout passes everything, batch norms
/// use their running statistics, and a decoder whose final Sigmoid is fused into the loss applies it.
/// </summary>
public static class OnnxExport
{
    /// <summary>The opset the graphs use: every operator they need, and one that ONNX Runtime has long supported.</summary>
    public const int Opset = 17;

    /// <summary>Writes <c>encoder.onnx</c> and <c>decoder.onnx</c> to <paramref name="folder"/>, atomically, creating it.</summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX form; the message names it and its position.</exception>
    public static OnnxFiles ExportOnnx(this AutoencoderModel model, string folder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var (encoder, decoder) = (Encoder(model), Decoder(model));
        Directory.CreateDirectory(folder);
        var files = new OnnxFiles(Path.Combine(folder, "encoder.onnx"), Path.Combine(folder, "decoder.onnx"));
        AtomicFile.Write(files.Encoder, encoder.WriteTo);
        AtomicFile.Write(files.Decoder, decoder.WriteTo);
        return files;
    }

    /// <summary>The encoder graph.</summary>
    public static ModelProto Encoder(AutoencoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var spec = model.Spec;
        var graph = new GraphBuilder(model, "encoder");
        var x = graph.Input("x", spec.InputShape);
        var features = graph.Stack(spec.Encoder, x, spec.InputShape, "encoder");
        features = graph.Condition(features);
        if (spec.Variational)
        {
            graph.Output(graph.Linear(features, "mean", "mean"), spec.LatentDim);
            graph.Output(graph.Linear(features, "log_var", "log_var"), spec.LatentDim);
        }
        else
        {
            var code = graph.Linear(features, "code", spec.SquashedCode ? "code_linear" : "code");
            graph.Output(spec.SquashedCode ? graph.Node("Sigmoid", [code], "code") : code, spec.LatentDim);
        }

        return graph.Model($"{model.GetName()} encoder");
    }

    /// <summary>The decoder graph.</summary>
    public static ModelProto Decoder(AutoencoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var spec = model.Spec;
        var graph = new GraphBuilder(model, "decoder");
        var z = graph.Condition(graph.Input("z", [spec.LatentDim]));
        long width = spec.LatentDim + (spec.Condition?.Classes ?? 0);
        var raw = graph.Stack(spec.Decoder, z, [width], "decoder");
        var output = spec.Likelihood is BernoulliLikelihood { FromLogits: true } ? graph.Node("Sigmoid", [raw], "output") : graph.Node("Identity", [raw], "output");
        graph.Output(output, [.. spec.InputShape]);
        return graph.Model($"{model.GetName()} decoder");
    }

    /// <summary>Builds one graph: nodes named after the layers they come from, initialisers from the model's state dict.</summary>
    private sealed class GraphBuilder(AutoencoderModel model, string part)
    {
        private readonly GraphProto graph = new() { Name = part };
        private readonly Dictionary<string, Tensor> state = model.state_dict();
        private int counter;

        public string Input(string name, IReadOnlyList<long> example)
        {
            graph.Input.Add(Value(name, TensorProto.Types.DataType.Float, example));
            return name;
        }

        public void Output(string name, params long[] example) =>
            graph.Output.Add(Value(name, TensorProto.Types.DataType.Float, example));

        /// <summary>The one-hot labels joined to <paramref name="value"/>'s features, for a conditional model.</summary>
        public string Condition(string value)
        {
            if (model.Spec.Condition is not { } condition)
            {
                return value;
            }

            var labels = new ValueInfoProto { Name = "labels", Type = TensorType(TensorProto.Types.DataType.Int64, [Batch()]) };
            graph.Input.Add(labels);
            var depth = Constant("classes", [condition.Classes], [1]);
            var values = Constant("one_hot_values", [0f, 1f], [2]);
            var oneHot = Node("OneHot", ["labels", depth, values], "labels_one_hot", Int("axis", -1));
            return Node("Concat", [value, oneHot], Next("joined"), Int("axis", 1));
        }

        /// <summary>A head or Dense layer: x · Wᵀ + b, on the last dimension at any rank.</summary>
        public string Linear(string input, string prefix, string output)
        {
            var weight = state[prefix + ".weight"];
            var transposed = Initializer(prefix + ".weight_t", weight.t());
            var product = Node("MatMul", [input, transposed], Next(prefix + "_matmul"));
            return Node("Add", [product, Initializer(prefix + ".bias", state[prefix + ".bias"])], output);
        }

        /// <summary>Every layer of a stack in order; <paramref name="shape"/> is one example's shape on the way in.</summary>
        public string Stack(IReadOnlyList<Layer> layers, string input, IReadOnlyList<long> shape, string stack)
        {
            var value = input;
            foreach (var layer in layers)
            {
                var prefix = $"{stack}.{layer.Index}";
                value = layer switch
                {
                    Export.Linear => Linear(value, prefix, Next(prefix)),
                    Activation activation => Activate(activation, value, prefix),
                    Dropout => value,
                    BatchNorm => Node(
                        "BatchNormalization",
                        [value, Initializer(prefix + ".weight", state[prefix + ".weight"]), Initializer(prefix + ".bias", state[prefix + ".bias"]),
                         Initializer(prefix + ".running_mean", state[prefix + ".running_mean"]), Initializer(prefix + ".running_var", state[prefix + ".running_var"])],
                        Next(prefix),
                        Float("epsilon", (float)BatchNorm.Epsilon)),
                    Export.Flatten => Node("Flatten", [value], Next(prefix), Int("axis", 1)),
                    Reshape reshape => Node("Reshape", [value, Constant(prefix + ".shape", reshape.Dims.Prepend(-1L).ToArray(), [reshape.Dims.Count + 1])], Next(prefix)),
                    Convolution conv => Node(
                        "Conv",
                        [value, Initializer(prefix + ".weight", state[prefix + ".weight"]), Initializer(prefix + ".bias", state[prefix + ".bias"])],
                        Next(prefix),
                        Ints("kernel_shape", Repeat(conv.Kernel, conv.SpatialRank)),
                        Ints("strides", Repeat(conv.Stride, conv.SpatialRank)),
                        Ints("pads", Repeat(conv.Padding, 2 * conv.SpatialRank)),
                        Ints("dilations", Repeat(conv.Dilation, conv.SpatialRank))),
                    TransposedConvolution transposed => Node(
                        "ConvTranspose",
                        [value, Initializer(prefix + ".weight", state[prefix + ".weight"]), Initializer(prefix + ".bias", state[prefix + ".bias"])],
                        Next(prefix),
                        Ints("kernel_shape", Repeat(transposed.Kernel, transposed.SpatialRank)),
                        Ints("strides", Repeat(transposed.Stride, transposed.SpatialRank)),
                        Ints("pads", Repeat(transposed.Padding, 2 * transposed.SpatialRank)),
                        Ints("output_padding", Repeat(transposed.OutputPadding, transposed.SpatialRank))),
                    Pool pool => Node(
                        pool.Max ? "MaxPool" : "AveragePool",
                        [value],
                        Next(prefix),
                        Ints("kernel_shape", Repeat(pool.Kernel, pool.SpatialRank)),
                        Ints("strides", Repeat(pool.Stride, pool.SpatialRank))),
                    Upsample upsample => Node(
                        "Resize",
                        [value, "", Constant(prefix + ".scales", new[] { 1f, 1f, upsample.Scale, upsample.Scale }, [4])],
                        Next(prefix),
                        Text("mode", "nearest"),
                        Text("coordinate_transformation_mode", "asymmetric"),
                        Text("nearest_mode", "floor")),
                    _ => throw new NotSupportedException($"ONNX export has no form for the {stack} layer at position {layer.Index}, {layer.Name}; leave it out of the model to export it, or export to PyTorch instead."),
                };
            }

            return value;
        }

        public ModelProto Model(string description)
        {
            var result = new ModelProto
            {
                IrVersion = 8,
                ProducerName = "AutoencoderDsl",
                ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
                DocString = description,
                Graph = graph,
            };
            result.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
            return result;
        }

        public string Node(string op, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = output };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            node.Attribute.AddRange(attributes);
            graph.Node.Add(node);
            return output;
        }

        private string Activate(Activation activation, string value, string prefix) => activation.Function switch
        {
            ActivationFunction.ReLU => Node("Relu", [value], Next(prefix)),
            ActivationFunction.LeakyReLU => Node("LeakyRelu", [value], Next(prefix), Float("alpha", (float)activation.NegativeSlope)),
            ActivationFunction.Tanh => Node("Tanh", [value], Next(prefix)),
            ActivationFunction.Sigmoid => Node("Sigmoid", [value], Next(prefix)),
            ActivationFunction.SiLU => Node("Mul", [value, Node("Sigmoid", [value], Next(prefix + "_sigmoid"))], Next(prefix)),

            // Opset 17 has no Gelu: x · ½ (1 + erf(x / √2)), the exact form TorchSharp's and PyTorch's default computes.
            ActivationFunction.GELU => Node(
                "Mul",
                [Node("Mul", [value, Constant(prefix + ".half", [0.5f], [])], Next(prefix + "_half")),
                 Node("Add", [Node("Erf", [Node("Div", [value, Constant(prefix + ".sqrt2", [MathF.Sqrt(2)], [])], Next(prefix + "_scaled"))], Next(prefix + "_erf")), Constant(prefix + ".one", [1f], [])], Next(prefix + "_sum"))],
                Next(prefix)),
            _ => throw new NotSupportedException($"ONNX export has no form for the activation {activation.Name} at {prefix}."),
        };

        private string Next(string stem) => $"{stem.Replace('.', '_')}_{counter++}";

        private string Initializer(string name, Tensor tensor)
        {
            using var data = tensor.detach().cpu().contiguous().to(ScalarType.Float32);
            var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(data.bytes) };
            proto.Dims.AddRange(data.shape);
            graph.Initializer.Add(proto);
            return name;
        }

        private string Constant(string name, float[] values, long[] dims)
        {
            var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
            proto.FloatData.AddRange(values);
            proto.Dims.AddRange(dims);
            graph.Initializer.Add(proto);
            return name;
        }

        private string Constant(string name, long[] values, long[] dims)
        {
            var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
            proto.Int64Data.AddRange(values);
            proto.Dims.AddRange(dims);
            graph.Initializer.Add(proto);
            return name;
        }

        private static long[] Repeat(long value, int count) => Enumerable.Repeat(value, count).ToArray();

        private static TensorShapeProto.Types.Dimension Batch() => new() { DimParam = "N" };

        private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, IReadOnlyList<long> example) =>
            new() { Name = name, Type = TensorType(type, [Batch(), .. example.Select(dim => new TensorShapeProto.Types.Dimension { DimValue = dim })]) };

        private static TypeProto TensorType(TensorProto.Types.DataType type, TensorShapeProto.Types.Dimension[] dims)
        {
            var shape = new TensorShapeProto();
            shape.Dim.AddRange(dims);
            return new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } };
        }

        private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        private static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

        private static AttributeProto Text(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

        private static AttributeProto Ints(string name, long[] values)
        {
            var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            attribute.Ints.AddRange(values);
            return attribute;
        }
    }
}
