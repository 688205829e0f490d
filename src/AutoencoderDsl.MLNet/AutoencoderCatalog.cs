using System;
using System.IO;
using AutoencoderDsl.Onnx;
using Microsoft.ML;
using Onnx;

namespace AutoencoderDsl.MLNet;

/// <summary>Autoencoders as ML.NET transforms: <c>mlContext.Transforms.Autoencoder(...)</c>.</summary>
public static class AutoencoderCatalog
{
    /// <summary>
    /// A transform over the whole-model graph that <see cref="OnnxExport.ExportOnnx"/> wrote, run by ONNX Runtime: a
    /// deployment needs the exported file alone, neither the model file nor libtorch.
    /// </summary>
    /// <param name="catalog">The context's transforms.</param>
    /// <param name="onnx">The folder <c>ExportOnnx</c> wrote, or its <c>autoencoder.onnx</c>.</param>
    /// <param name="inputColumnName">The column of examples: a known-size vector of <see cref="float"/>, one value per input element.</param>
    /// <exception cref="FileNotFoundException">No <c>autoencoder.onnx</c> at <paramref name="onnx"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a whole-model graph of an AutoencoderDsl model.</exception>
    public static AutoencoderEstimator Autoencoder(this TransformsCatalog catalog, string onnx, string inputColumnName = "Features")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(onnx);
        var path = Directory.Exists(onnx) ? Path.Combine(onnx, "autoencoder.onnx") : onnx;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No whole-model graph at '{path}': pass the folder that model.ExportOnnx(folder) wrote, or the autoencoder.onnx in it (export again with this version if the folder holds only encoder.onnx and decoder.onnx).", path);
        }

        ModelProto graph;
        try
        {
            using var stream = File.OpenRead(path);
            graph = ModelProto.Parser.ParseFrom(stream);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {e.Message}", e);
        }

        return new AutoencoderEstimator(catalog, graph, inputColumnName, path);
    }

    /// <summary>
    /// A transform over <paramref name="model"/>'s whole-model graph, built in memory from its current weights and
    /// calibrated threshold: what <see cref="Autoencoder(TransformsCatalog, string, string)"/> does with the exported file.
    /// </summary>
    /// <param name="catalog">The context's transforms.</param>
    /// <param name="model">A trained model; calibrate its threshold first for an <c>IsAnomaly</c> column.</param>
    /// <param name="inputColumnName">The column of examples: a known-size vector of <see cref="float"/>, one value per input element.</param>
    public static AutoencoderEstimator Autoencoder(this TransformsCatalog catalog, AutoencoderModel model, string inputColumnName = "Features")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        return new AutoencoderEstimator(catalog, OnnxExport.Autoencoder(model), inputColumnName, model.GetName());
    }
}
