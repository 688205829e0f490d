using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using AutoencoderDsl.Onnx;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using Onnx;

namespace AutoencoderDsl.MLNet;

/// <summary>
/// Adds an autoencoder's figures of each example to an ML.NET data view, from its whole-model ONNX graph run by ONNX
/// Runtime: <see cref="EmbeddingColumn"/>, <see cref="ReconstructionColumn"/>, and for an autoencoder (not a VAE)
/// <see cref="AnomalyScoreColumn"/> and, once its threshold is calibrated, <see cref="IsAnomalyColumn"/>. Nothing is
/// learned in <see cref="Fit"/>: it checks the input column and readies the graph.
/// </summary>
public sealed class AutoencoderEstimator : IEstimator<ITransformer>
{
    /// <summary>The code of each example, what <c>Embed</c> gives (a VAE's posterior mean): a vector of <see cref="EmbeddingSize"/> <see cref="float"/>.</summary>
    public const string EmbeddingColumn = "Embedding";

    /// <summary>The reconstruction of each example, what <c>Reconstruct</c> gives: a vector of <see cref="InputSize"/> <see cref="float"/>, in the input's element order.</summary>
    public const string ReconstructionColumn = "Reconstruction";

    /// <summary>Each example's anomaly score in nats, what <c>AnomalyScore</c> gives with the threshold's scoring: a <see cref="float"/>.</summary>
    public const string AnomalyScoreColumn = "AnomalyScore";

    /// <summary>Whether the score is above the calibrated threshold, what <c>IsAnomaly</c> gives: a <see cref="bool"/>.</summary>
    public const string IsAnomalyColumn = "IsAnomaly";

    private readonly IEstimator<ITransformer> pipeline;
    private readonly string source;
    private readonly long[] inputShape;

    internal AutoencoderEstimator(TransformsCatalog catalog, ModelProto graph, string inputColumnName, string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        this.source = source;
        InputColumnName = inputColumnName;
        var inputs = graph.Graph?.Input.ToDictionary(value => value.Name) ?? [];
        var outputs = graph.Graph?.Output.ToDictionary(value => value.Name) ?? [];
        if (!inputs.TryGetValue("x", out var x) || !outputs.TryGetValue("code", out var code) || !outputs.ContainsKey("reconstruction"))
        {
            throw new InvalidDataException($"'{source}' is not the whole-model graph of an AutoencoderDsl model (an input x, outputs code and reconstruction); it has inputs [{string.Join(", ", inputs.Keys)}] and outputs [{string.Join(", ", outputs.Keys)}]. Use the autoencoder.onnx that ExportOnnx writes.");
        }

        if (inputs.ContainsKey("labels"))
        {
            throw new NotSupportedException($"'{source}' is a class-conditional model, whose graph also takes each example's label; the ML.NET transform takes unconditional models only. Run its ONNX graphs with ONNX Runtime directly.");
        }

        inputShape = ExampleShape(x);
        InputSize = checked((int)inputShape.Aggregate(1L, (product, dim) => product * dim));
        EmbeddingSize = checked((int)ExampleShape(code).Aggregate(1L, (product, dim) => product * dim));
        HasAnomalyScore = outputs.ContainsKey("anomaly_score");
        var metadata = graph.MetadataProps.ToDictionary(entry => entry.Key, entry => entry.Value);
        if (outputs.ContainsKey("is_anomaly"))
        {
            Threshold = metadata.TryGetValue(OnnxExport.ThresholdKey, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold)
                ? threshold
                : throw new InvalidDataException($"'{source}' flags anomalies but its metadata holds no readable {OnnxExport.ThresholdKey} ('{text}'); export the model again.");
        }

        Calibration = metadata.GetValueOrDefault(OnnxExport.CalibrationKey);

        var columns = new List<(string Graph, string Column)> { ("code", EmbeddingColumn), ("reconstruction", ReconstructionColumn) };
        if (HasAnomalyScore)
        {
            columns.Add(("anomaly_score", AnomalyScoreColumn));
        }

        if (Threshold is not null)
        {
            columns.Add(("is_anomaly", IsAnomalyColumn));
        }

        OutputColumns = [.. columns.Select(column => column.Column)];

        // The graph reads the column under its own name, which must name nothing else in it.
        var taken = graph.Graph!.Node.SelectMany(node => node.Output).Concat(graph.Graph.Initializer.Select(initializer => initializer.Name)).Concat(OutputColumns);
        if (inputColumnName != "x" && taken.Contains(inputColumnName))
        {
            throw new ArgumentException($"The input column '{inputColumnName}' has the name of a value inside the autoencoder's graph or of a column it adds; load the features under another name, e.g. \"Features\", or copy them there with mlContext.Transforms.CopyColumns.", nameof(inputColumnName));
        }

        using var named = new MemoryStream(Renamed(graph, inputColumnName, columns).ToByteArray());
        IEstimator<ITransformer> chain = catalog.ApplyOnnxModel(OutputColumns.ToArray(), [inputColumnName], named);

        // ONNX Runtime gives a vector of one value per example; ML.NET's scorers and evaluators want scalars.
        if (HasAnomalyScore)
        {
            chain = chain.Append(catalog.CustomMapping(new AnomalyScoreMapping().GetMapping(), AnomalyScoreMapping.ContractName));
        }

        if (Threshold is not null)
        {
            chain = chain.Append(catalog.CustomMapping(new IsAnomalyMapping().GetMapping(), IsAnomalyMapping.ContractName));
        }

        pipeline = chain;
    }

    /// <summary>The column of examples the transform reads.</summary>
    public string InputColumnName { get; }

    /// <summary>The elements of one example: the length of the input vector and of <see cref="ReconstructionColumn"/>.</summary>
    public int InputSize { get; }

    /// <summary>The code's dimensions: the length of <see cref="EmbeddingColumn"/>.</summary>
    public int EmbeddingSize { get; }

    /// <summary>Whether the transform adds <see cref="AnomalyScoreColumn"/>: an autoencoder's graph has a score; a VAE's −ELBO averages random draws, which a graph cannot repeat.</summary>
    public bool HasAnomalyScore { get; }

    /// <summary>The calibrated threshold <see cref="IsAnomalyColumn"/> applies, or null when the model had none (and there is no such column).</summary>
    public double? Threshold { get; }

    /// <summary>How the threshold was chosen, e.g. <c>false-positive rate 0.01 on 6000 normal examples</c>; null without one.</summary>
    public string? Calibration { get; }

    /// <summary>The columns the transform adds, in order.</summary>
    public IReadOnlyList<string> OutputColumns { get; }

    /// <summary>Checks the input column and readies the graph; nothing is learned.</summary>
    /// <exception cref="ArgumentException">The input column is missing or not a vector of <see cref="InputSize"/> <see cref="float"/>.</exception>
    public ITransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = input.Schema.GetColumnOrNull(InputColumnName) ?? throw Missing(input.Schema.Select(c => c.Name), nameof(input));
        if (column.Type is not VectorDataViewType { ItemType: var item, Size: var size } || item != NumberDataViewType.Single || size != InputSize)
        {
            throw WrongType($"{column.Type}", nameof(input));
        }

        return pipeline.Fit(input);
    }

    /// <summary>The schema after the transform: the input's columns and <see cref="OutputColumns"/>.</summary>
    /// <exception cref="ArgumentException">The input column is missing or not a known-size vector of <see cref="float"/>.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = inputSchema.Where(c => c.Name == InputColumnName).Cast<SchemaShape.Column?>().LastOrDefault()
            ?? throw Missing(inputSchema.Select(c => c.Name), nameof(inputSchema));

        if (column.Kind != SchemaShape.Column.VectorKind.Vector || column.ItemType != NumberDataViewType.Single)
        {
            throw WrongType(column.Kind == SchemaShape.Column.VectorKind.Scalar ? $"{column.ItemType}" : $"{column.Kind} of {column.ItemType}", nameof(inputSchema));
        }

        return pipeline.GetOutputSchema(inputSchema);
    }

    private ArgumentException Missing(IEnumerable<string> columns, string parameterName) =>
        new($"The autoencoder reads column '{InputColumnName}', which the data does not have (its columns: {string.Join(", ", columns)}). Pass inputColumnName, or load the features under that name.", parameterName);

    private ArgumentException WrongType(string actual, string parameterName) =>
        new($"The autoencoder of '{source}' reads column '{InputColumnName}' as Vector<Single, {InputSize}> (examples of shape [{string.Join(", ", inputShape)}]), but the column is {actual}. "
            + $"Load the features as one vector of {InputSize} Single, e.g. new TextLoader.Column(\"{InputColumnName}\", DataKind.Single, 0, {InputSize - 1}) for the first {InputSize} fields, or join columns with mlContext.Transforms.Concatenate(\"{InputColumnName}\", ...).", parameterName);

    /// <summary>One example's shape: a graph value's dimensions after the free batch dimension.</summary>
    private static long[] ExampleShape(ValueInfoProto value) => [.. value.Type.TensorType.Shape.Dim.Skip(1).Select(dim => dim.DimValue)];

    /// <summary>
    /// The graph with ML.NET's column names: the input is named after the column, each output after its column, by
    /// Identity nodes, so ONNX Runtime reads and writes the columns themselves.
    /// </summary>
    private static ModelProto Renamed(ModelProto original, string inputColumnName, IReadOnlyList<(string Graph, string Column)> columns)
    {
        var model = original.Clone();
        var graph = model.Graph;
        if (inputColumnName != "x")
        {
            graph.Input.Single(value => value.Name == "x").Name = inputColumnName;
            graph.Node.Insert(0, Identity(inputColumnName, "x"));
        }

        var outputs = graph.Output.ToDictionary(value => value.Name);
        graph.Output.Clear();
        foreach (var (name, column) in columns)
        {
            graph.Node.Add(Identity(name, column));
            var output = outputs[name].Clone();
            output.Name = column;
            graph.Output.Add(output);
        }

        return model;
    }

    private static NodeProto Identity(string from, string to)
    {
        var node = new NodeProto { OpType = "Identity", Name = to + "_column" };
        node.Input.Add(from);
        node.Output.Add(to);
        return node;
    }
}
