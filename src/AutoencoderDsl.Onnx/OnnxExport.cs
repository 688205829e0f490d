using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.Export;
using AutoencoderDsl.IO;
using AutoencoderDsl.Parts;
using Google.Protobuf;
using Onnx;
using static TorchSharp.torch;

namespace AutoencoderDsl.Onnx;

/// <summary>What <see cref="OnnxExport.ExportOnnx"/> wrote.</summary>
/// <param name="Encoder">The encoder: input <c>x</c> (and <c>labels</c>) to <c>mean</c> and <c>log_var</c>, to <c>code</c>, or to a vector-quantized model's Int64 <c>indices</c>.</param>
/// <param name="Decoder">The decoder: input <c>z</c> (and <c>labels</c>), or a vector-quantized model's Int64 <c>indices</c>, to <c>output</c>, what <c>Decode</c> returns.</param>
/// <param name="Autoencoder">The whole model in one graph, described at <see cref="OnnxExport.Autoencoder"/>.</param>
public sealed record OnnxFiles(string Encoder, string Decoder, string Autoencoder);

/// <summary>
/// Exports a model as ONNX graphs (opset 17) that ONNX Runtime runs without libtorch: the encoder, the decoder, and the
/// whole model with its anomaly score, with the batch dimension free. Each graph is built from the generator's
/// description of the declared layers and the model's own weights, so it computes what the model does in evaluation
/// mode: dropout passes everything, batch norms use their running statistics, and a decoder whose final Sigmoid is fused
/// into the loss applies it.
/// </summary>
public static class OnnxExport
{
    /// <summary>The opset the graphs use: every operator they need, and one that ONNX Runtime has long supported.</summary>
    public const int Opset = 17;

    /// <summary>The whole-model graph's metadata entry holding the calibrated threshold (round-trip text), when there is one.</summary>
    public const string ThresholdKey = "anomaly_threshold";

    /// <summary>The whole-model graph's metadata entry saying how the threshold was chosen, e.g. <c>false-positive rate 0.01 on 6000 normal examples</c>.</summary>
    public const string CalibrationKey = "anomaly_calibration";

    /// <summary>The whole-model graph's metadata entry, <c>true</c> or <c>false</c>: whether its score is relative to a perfect reconstruction (<see cref="AnomalyScoring.RelativeToPerfect"/>).</summary>
    public const string RelativeToPerfectKey = "anomaly_relative_to_perfect";

    /// <summary>Writes <c>encoder.onnx</c>, <c>decoder.onnx</c> and <c>autoencoder.onnx</c> to <paramref name="folder"/>, atomically, creating it.</summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX form; the message names it and its position.</exception>
    public static OnnxFiles ExportOnnx(this AutoencoderModel model, string folder)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var (encoder, decoder, whole) = (Encoder(model), Decoder(model), Autoencoder(model));
        Directory.CreateDirectory(folder);
        var files = new OnnxFiles(Path.Combine(folder, "encoder.onnx"), Path.Combine(folder, "decoder.onnx"), Path.Combine(folder, "autoencoder.onnx"));
        AtomicFile.Write(files.Encoder, encoder.WriteTo);
        AtomicFile.Write(files.Decoder, decoder.WriteTo);
        AtomicFile.Write(files.Autoencoder, whole.WriteTo);
        return files;
    }

    /// <summary>The encoder graph.</summary>
    public static ModelProto Encoder(AutoencoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var spec = model.Spec;
        var graph = new GraphBuilder(model, "encoder");
        foreach (var output in spec.Latent.OnnxEncode(graph, Features(graph, graph.Input(new OnnxValue("x", OnnxElementType.Float, spec.InputShape)))))
        {
            graph.Output(output);
        }

        return graph.Model($"{model.GetName()} encoder");
    }

    /// <summary>The decoder graph.</summary>
    public static ModelProto Decoder(AutoencoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = new GraphBuilder(model, "decoder");
        var latent = model.Spec.Latent;
        var (_, output) = Decode(graph, latent.OnnxDecode(graph, graph.Input(latent.OnnxDecoderInput)), "output");
        graph.Output(output, [.. model.Spec.InputShape]);
        return graph.Model($"{model.GetName()} decoder");
    }

    /// <summary>
    /// The whole model in one graph, for pipelines that want every figure of an example in one pass: input <c>x</c> (and
    /// <c>labels</c>) to <c>code</c>, what <c>Embed</c> gives (a VAE's posterior mean, a vector-quantized model's chosen codes flattened), and <c>reconstruction</c>, what
    /// <c>Reconstruct</c> gives. An autoencoder's graph also gives <c>anomaly_score</c> <c>[N]</c>, what
    /// <c>AnomalyScore</c> gives with the calibrated threshold's scoring (the default without one), and once a threshold
    /// is calibrated, <c>is_anomaly</c> <c>[N]</c> (Bool), what <c>IsAnomaly</c> gives; the threshold and how it was chosen
    /// are in the model's metadata (<see cref="ThresholdKey"/>, <see cref="CalibrationKey"/>, <see cref="RelativeToPerfectKey"/>).
    /// A VAE's graph has no score: its −ELBO averages random posterior draws, which a graph of its own could not repeat.
    /// </summary>
    public static ModelProto Autoencoder(AutoencoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var spec = model.Spec;
        var graph = new GraphBuilder(model, "autoencoder");
        var x = graph.Input(new OnnxValue("x", OnnxElementType.Float, spec.InputShape));
        var (code, decoderInput) = spec.Latent.OnnxEmbed(graph, Features(graph, x), "code");
        graph.Output(code);
        var (raw, reconstruction) = Decode(graph, decoderInput, "reconstruction");
        graph.Output(reconstruction, [.. spec.InputShape]);
        var metadata = new Dictionary<string, string>();
        if (spec.Latent.ScoresItsReconstruction)
        {
            var threshold = model.AnomalyThreshold;
            var scoring = threshold?.Scoring ?? AnomalyScoring.NegativeLogLikelihood;
            var score = Score(graph, raw, x, scoring);
            graph.Output(graph.Node("Cast", [score], "anomaly_score", GraphBuilder.Int("to", (long)TensorProto.Types.DataType.Float)), TensorProto.Types.DataType.Float);
            metadata[RelativeToPerfectKey] = scoring.RelativeToPerfect ? "true" : "false";
            if (threshold is not null)
            {
                graph.Output(graph.Node("Greater", [score, graph.Constant("threshold", [threshold.Value])], "is_anomaly"), TensorProto.Types.DataType.Bool);
                metadata[ThresholdKey] = threshold.Value.ToString("R", CultureInfo.InvariantCulture);
                metadata[CalibrationKey] = threshold.Calibration;
            }
        }

        return graph.Model($"{model.GetName()}, the whole model", metadata);
    }

    /// <summary>The encoder's features of <paramref name="x"/>, joined with the condition of a conditional model: what the latent head reads.</summary>
    private static string Features(GraphBuilder graph, string x) => graph.Condition(graph.Stack(graph.Spec.Encoder, x, "encoder"));

    /// <summary>The decoder into <paramref name="graph"/>: its raw output (logits when the sigmoid is fused) and what <c>Decode</c> gives, named <paramref name="outputName"/>.</summary>
    private static (string Raw, string Output) Decode(GraphBuilder graph, string z, string outputName)
    {
        var spec = graph.Spec;
        var raw = graph.Stack(spec.Decoder, graph.Condition(z), "decoder");
        return (raw, spec.Likelihood.OnnxOutput(graph, raw, outputName));
    }

    /// <summary>
    /// Each example's score, <c>[N]</c> float64, as an autoencoder's <c>AnomalyScore</c> computes it: the likelihood's
    /// negative log-likelihood of each element of <paramref name="x"/> under the decoder's raw output, summed over the
    /// example in float32, then (when <paramref name="scoring"/> asks) less the same sum for a perfect reconstruction.
    /// </summary>
    private static string Score(GraphBuilder graph, string raw, string x, AnomalyScoring scoring)
    {
        var likelihood = graph.Spec.Likelihood;
        var score = graph.ExampleSum(likelihood.OnnxElementNegativeLogLikelihood(graph, raw, x), "nll");
        return scoring.RelativeToPerfect
            ? graph.Node("Sub", [score, graph.ExampleSum(likelihood.OnnxElementPerfectNegativeLogLikelihood(graph, x), "perfect_nll")], "score_excess")
            : score;
    }

    /// <summary>Builds one graph: nodes named after the layers they come from, initialisers from the model's state dict.</summary>
    private sealed class GraphBuilder(AutoencoderModel model, string part) : IOnnxGraph
    {
        private readonly GraphProto graph = new() { Name = part };
        private readonly Dictionary<string, Tensor> state = model.state_dict();
        private readonly HashSet<string> initializers = [];
        private string? oneHotLabels;
        private int counter;

        public ModelSpec Spec => model.Spec;

        /// <summary>A parameter or buffer of the model, by its state-dict name.</summary>
        public Tensor State(string name) => state[name];

        public string Input(OnnxValue input)
        {
            graph.Input.Add(Value(input.Name, (TensorProto.Types.DataType)input.ElementType, input.Example));
            return input.Name;
        }

        public void Output(OnnxValue output) => graph.Output.Add(Value(output.Name, (TensorProto.Types.DataType)output.ElementType, output.Example));

        public void Output(string name, params long[] example) =>
            graph.Output.Add(Value(name, TensorProto.Types.DataType.Float, example));

        /// <summary>An output of one value per example, <c>[N]</c>.</summary>
        public void Output(string name, TensorProto.Types.DataType type) => graph.Output.Add(Value(name, type, []));

        /// <summary>The one-hot labels joined to <paramref name="value"/>'s features, for a conditional model.</summary>
        public string Condition(string value)
        {
            if (model.Spec.Condition is not { } condition)
            {
                return value;
            }

            // A graph with both encoder and decoder takes the labels once and joins the same one-hot to both.
            if (oneHotLabels is null)
            {
                var labels = new ValueInfoProto { Name = "labels", Type = TensorType(TensorProto.Types.DataType.Int64, [Batch()]) };
                graph.Input.Add(labels);
                var depth = Constant("classes", [condition.Classes], [1]);
                var values = Constant("one_hot_values", [0f, 1f], [2]);
                oneHotLabels = Node("OneHot", ["labels", depth, values], "labels_one_hot", Int("axis", -1));
            }

            return Node("Concat", [value, oneHotLabels], Next("joined"), Int("axis", 1));
        }

        /// <summary>Every layer of a stack in order, each adding its own form.</summary>
        public string Stack(IReadOnlyList<Layer> layers, string input, string stack)
        {
            var value = input;
            foreach (var layer in layers)
            {
                value = layer.Onnx(this, value, $"{stack}.{layer.Index}")
                    ?? throw new NotSupportedException($"ONNX export has no form for the {stack} layer at position {layer.Index}, {layer.Name}; leave it out of the model to export it, or export to PyTorch instead.");
            }

            return value;
        }

        public ModelProto Model(string description, IReadOnlyDictionary<string, string>? metadata = null)
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
            foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
            {
                result.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
            }

            return result;
        }

        string IOnnxGraph.Node(string op, IReadOnlyList<string> inputs, string output, params OnnxAttribute[] attributes) =>
            Node(op, inputs, output, attributes.Select(Proto).ToArray());

        string IOnnxGraph.Initializer(string stateName) =>
            state.TryGetValue(stateName, out var tensor)
                ? Initializer(stateName, tensor)
                : throw new InvalidOperationException($"A layer's ONNX form asked for '{stateName}', which is not in the model's state dict; the layer's description does not match the module the model built.");

        string IOnnxGraph.Constant(string stem, float[] values, long[] dims) => Constant(Next(stem), values, dims);

        string IOnnxGraph.Constant(string stem, long[] values, long[] dims) => Constant(Next(stem), values, dims);

        public string Node(string op, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = output };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            node.Attribute.AddRange(attributes);
            graph.Node.Add(node);
            return output;
        }

        public string Next(string stem) => $"{stem.Replace('.', '_')}_{counter++}";

        /// <summary>A float64 constant of one value per example's comparison.</summary>
        public string Constant(string name, double[] values)
        {
            var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Double };
            proto.DoubleData.AddRange(values);
            graph.Initializer.Add(proto);
            return name;
        }

        /// <summary>The sum over each example's elements, in float32 as the model sums them, then widened to float64: <c>[N]</c>.</summary>
        public string ExampleSum(string value, string stem)
        {
            var flat = Node("Flatten", [value], Next(stem + "_flat"), Int("axis", 1));
            var sum = Node("ReduceSum", [flat, Constant(Next(stem + "_axes"), [1L], [1])], Next(stem + "_sum"), Int("keepdims", 0));
            return Node("Cast", [sum], Next(stem + "_wide"), Int("to", (long)TensorProto.Types.DataType.Double));
        }

        /// <summary>A tensor of the model's as a float32 initialiser; the same name given twice is stored once.</summary>
        public string Initializer(string name, Tensor tensor)
        {
            if (!initializers.Add(name))
            {
                return name;
            }

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

        private static TensorShapeProto.Types.Dimension Batch() => new() { DimParam = "N" };

        private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, IReadOnlyList<long> example) =>
            new() { Name = name, Type = TensorType(type, [Batch(), .. example.Select(dim => new TensorShapeProto.Types.Dimension { DimValue = dim })]) };

        private static TypeProto TensorType(TensorProto.Types.DataType type, TensorShapeProto.Types.Dimension[] dims)
        {
            var shape = new TensorShapeProto();
            shape.Dim.AddRange(dims);
            return new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } };
        }

        private static AttributeProto Proto(OnnxAttribute attribute) => attribute.Value switch
        {
            long value => Int(attribute.Name, value),
            float value => Float(attribute.Name, value),
            string value => Text(attribute.Name, value),
            long[] values => Ints(attribute.Name, values),
            _ => throw new NotSupportedException($"ONNX attribute '{attribute.Name}' holds a {attribute.Value.GetType().Name}, which the exporter cannot write."),
        };

        public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

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
