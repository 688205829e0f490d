using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Export;
using AutoencoderDsl.Parts;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using OrtTensors = Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = TorchSharp.torch.Tensor;

namespace AutoencoderDsl.Tests.Interop;

/// <summary>The quantizer's ONNX lowering run by ONNX Runtime against the quantizer run by TorchSharp.</summary>
public sealed class VectorQuantizerOnnxTests(ITestOutputHelper output)
{
    public static TheoryData<long[]> Layouts => new() { new long[] { 9, 4 }, new long[] { 5, 4, 7 }, new long[] { 3, 4, 6, 5 } };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void OnnxRuntimeChoosesTheSameCodesAndGivesTheSameVectors(long[] shape)
    {
        using var scope = NewDisposeScope();
        manual_seed(30);
        using var vq = new VectorQuantizer(codes: 16, width: 4);
        var z = randn(shape, generator: new Generator(31)) * 0.1;
        var graph = new Graph(vq.state_dict().ToDictionary(pair => "quantizer." + pair.Key, pair => pair.Value));

        var (indices, quantized) = VectorQuantizer.Onnx(graph, "z", "quantizer", spatialRank: shape.Length - 2);
        using var session = new InferenceSession(graph.Model(indices, quantized).ToByteArray());
        var input = NamedOnnxValue.CreateFromTensor("z", new OrtTensors.DenseTensor<float>(z.data<float>().ToArray(), shape.Select(dim => (int)dim).ToArray()));
        using var results = session.Run([input]);

        var onnxIndices = results.Single(result => result.Name == "indices").AsTensor<long>();
        var onnxQuantized = results.Single(result => result.Name == "quantized").AsTensor<float>();
        var expectedIndices = vq.Encode(z);
        var expected = vq.Lookup(expectedIndices).detach();
        Assert.Equal(expectedIndices.shape, onnxIndices.Dimensions.ToArray().Select(dim => (long)dim));
        Assert.Equal(expected.shape, onnxQuantized.Dimensions.ToArray().Select(dim => (long)dim));
        long differentCodes = expectedIndices.data<long>().ToArray().Zip(onnxIndices.ToArray()).Count(pair => pair.First != pair.Second);
        double worst = expected.data<float>().ToArray().Zip(onnxQuantized.ToArray()).Max(pair => Math.Abs(pair.First - pair.Second));
        output.WriteLine($"[{string.Join(", ", shape)}]: {differentCodes} of {expectedIndices.numel()} codes differ, quantised values differ by at most {worst:E2}");
        Assert.Equal(0, differentCodes);
        Assert.Equal(0, worst);
    }

    /// <summary>A bare <see cref="IOnnxGraph"/> over ONNX's messages, as the exporter's builder is, for one part alone.</summary>
    private sealed class Graph(IReadOnlyDictionary<string, Tensor> state) : IOnnxGraph
    {
        private readonly GraphProto graph = new() { Name = "quantizer" };
        private readonly HashSet<string> initializers = [];
        private int counter;

        public ModelProto Model(string indices, string quantized)
        {
            graph.Input.Add(Value("z", TensorProto.Types.DataType.Float));
            Node("Identity", [indices], "indices");
            Node("Identity", [quantized], "quantized");
            graph.Output.Add(Value("indices", TensorProto.Types.DataType.Int64));
            graph.Output.Add(Value("quantized", TensorProto.Types.DataType.Float));
            var model = new ModelProto { IrVersion = 8, ProducerName = "AutoencoderDsl.Tests", Graph = graph };
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
            return model;
        }

        public string Next(string stem) => $"{stem.Replace('.', '_')}_{counter++}";

        public string Node(string op, IReadOnlyList<string> inputs, string output, params OnnxAttribute[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = output };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            foreach (var attribute in attributes)
            {
                var proto = new AttributeProto { Name = attribute.Name };
                switch (attribute.Value)
                {
                    case long value:
                        (proto.Type, proto.I) = (AttributeProto.Types.AttributeType.Int, value);
                        break;
                    case long[] values:
                        proto.Type = AttributeProto.Types.AttributeType.Ints;
                        proto.Ints.AddRange(values);
                        break;
                    default:
                        throw new NotSupportedException($"The test's graph writes no {attribute.Value.GetType().Name} attributes ({attribute.Name}).");
                }

                node.Attribute.Add(proto);
            }

            graph.Node.Add(node);
            return output;
        }

        public string Initializer(string stateName)
        {
            if (initializers.Add(stateName))
            {
                var values = state[stateName];
                var proto = new TensorProto { Name = stateName, DataType = (int)TensorProto.Types.DataType.Float };
                proto.FloatData.AddRange(values.detach().contiguous().data<float>().ToArray());
                proto.Dims.AddRange(values.shape);
                graph.Initializer.Add(proto);
            }

            return stateName;
        }

        public string Constant(string stem, float[] values, long[] dims)
        {
            var proto = new TensorProto { Name = Next(stem), DataType = (int)TensorProto.Types.DataType.Float };
            proto.FloatData.AddRange(values);
            proto.Dims.AddRange(dims);
            graph.Initializer.Add(proto);
            return proto.Name;
        }

        public string Constant(string stem, long[] values, long[] dims)
        {
            var proto = new TensorProto { Name = Next(stem), DataType = (int)TensorProto.Types.DataType.Int64 };
            proto.Int64Data.AddRange(values);
            proto.Dims.AddRange(dims);
            graph.Initializer.Add(proto);
            return proto.Name;
        }

        private static ValueInfoProto Value(string name, TensorProto.Types.DataType type) =>
            new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } } };
    }
}
