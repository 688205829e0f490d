using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CsvHelper;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tabular;

/// <summary>What <see cref="CsvTable.Read"/> reads, and how.</summary>
public sealed record CsvTableOptions
{
    /// <summary>The column that holds each row's class, read into <see cref="CsvTable.Labels"/> and left out of the features; none when null.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The feature columns, in this order; every column but the label when null.</summary>
    public IReadOnlyList<string>? FeatureColumns { get; init; }

    /// <summary>The field separator; detected from the first lines (among , ; tab and |) when null.</summary>
    public char? Separator { get; init; }
}

/// <summary>
/// A table of numbers read from a CSV file with a header row: the features as a float32 tensor <c>[N, F]</c>, ready
/// for a model declared with <c>[Input(F)]</c>, and optionally a label column as class indices. A row that cannot be
/// read is an error naming the file, the line and the column, before any tensor is made.
/// </summary>
public sealed class CsvTable : IDisposable
{
    private CsvTable(Tensor features, Tensor? labels, IReadOnlyList<string> featureNames, IReadOnlyList<string> labelNames)
    {
        Features = features;
        Labels = labels;
        FeatureNames = featureNames;
        LabelNames = labelNames;
    }

    /// <summary>The features, float32 <c>[N, F]</c>.</summary>
    public Tensor Features { get; }

    /// <summary>Each row's class as an index into <see cref="LabelNames"/>, Int64 <c>[N]</c>; null without a label column.</summary>
    public Tensor? Labels { get; }

    /// <summary>The feature columns' names, in the order of <see cref="Features"/>' columns.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The distinct values of the label column, sorted (numerically when they are all numbers); label i is <c>LabelNames[i]</c>.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>The number of rows.</summary>
    public long Rows => Features.shape[0];

    /// <summary>Reads the CSV file at <paramref name="path"/>, which must start with a header row.</summary>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">
    /// A column asked for is missing, or a row is malformed: a field that is not a finite number, a row with more or fewer
    /// fields than the header, or broken quoting. The message names the file, the line and the column.
    /// </exception>
    public static CsvTable Read(string path, CsvTableOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new CsvTableOptions();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The file '{path}' does not exist.", path);
        }

        try
        {
            return ReadRows(path, options);
        }
        catch (CsvFormatException exception)
        {
            throw new InvalidDataException($"'{path}', line {exception.LineNumber}: the row is malformed ({FirstSentence(exception.Message)}).", exception);
        }
    }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Features.Dispose();
        Labels?.Dispose();
    }

    private static CsvTable ReadRows(string path, CsvTableOptions options)
    {
        var readerOptions = new CsvReaderOptions
        {
            HasHeader = true,
            TrackLineNumbers = true,
            MalformedData = CsvMalformedDataHandling.Throw,
            FormatProvider = CultureInfo.InvariantCulture,
            TrimWhitespace = true,
            Separator = options.Separator,
        };
        using var reader = CsvReader.FromFile(path, readerOptions);
        var headers = reader.Headers.ToArray();
        if (headers.Length == 0)
        {
            throw new InvalidDataException($"'{path}' is empty: it needs a header row naming its columns.");
        }

        int IndexOf(string name) => Array.IndexOf(headers, name) is var index and >= 0
            ? index
            : throw new InvalidDataException($"'{path}' has no column '{name}'; its columns are {string.Join(", ", headers.Select(header => $"'{header}'"))}.");

        int? labelIndex = options.LabelColumn is { } labelColumn ? IndexOf(labelColumn) : null;
        var featureIndices = (options.FeatureColumns ?? headers.Where((_, index) => index != labelIndex).ToArray()).Select(IndexOf).ToArray();
        if (featureIndices.Length == 0)
        {
            throw new InvalidDataException($"'{path}' has no feature columns besides the label '{options.LabelColumn}'.");
        }

        var values = new List<float>();
        var labelTexts = new List<string>();
        while (reader.Read())
        {
            if (reader.FieldCount != headers.Length)
            {
                throw new InvalidDataException($"'{path}', line {reader.LineNumber}: expected {headers.Length} fields, as in the header, but found {reader.FieldCount}.");
            }

            foreach (int column in featureIndices)
            {
                values.Add(ParseNumber(reader, column, headers, path));
            }

            if (labelIndex is int label)
            {
                labelTexts.Add(reader.GetString(label));
            }
        }

        if (values.Count == 0)
        {
            throw new InvalidDataException($"'{path}' has a header but no rows.");
        }

        var labelNames = SortedDistinct(labelTexts);
        var indexOfLabel = labelNames.Select((name, index) => (name, index)).ToDictionary(pair => pair.name, pair => (long)pair.index);
        var features = tensor(values.ToArray(), [values.Count / featureIndices.Length, featureIndices.Length]);
        var labels = labelIndex is null ? null : tensor(labelTexts.Select(text => indexOfLabel[text]).ToArray(), [labelTexts.Count]);
        return new CsvTable(features, labels, featureIndices.Select(index => headers[index]).ToArray(), labelNames);
    }

    private static float ParseNumber(CsvReader reader, int column, string[] headers, string path)
    {
        if (reader.TryParse(column, out float value) && float.IsFinite(value))
        {
            return value;
        }

        var text = reader.GetString(column);
        var found = text.Length == 0 ? "an empty field" : float.TryParse(text, CultureInfo.InvariantCulture, out _) ? $"'{text}', which is not finite" : $"'{text}'";
        throw new InvalidDataException($"'{path}', line {reader.LineNumber}, column {column + 1} ('{headers[column]}'): expected a number but found {found}.");
    }

    /// <summary>The distinct labels, numerically sorted when every one is a number (so 2 comes before 10), ordinally otherwise.</summary>
    private static string[] SortedDistinct(List<string> labels)
    {
        var distinct = labels.Distinct().ToArray();
        return distinct.All(label => double.TryParse(label, CultureInfo.InvariantCulture, out _))
            ? distinct.OrderBy(label => double.Parse(label, CultureInfo.InvariantCulture)).ToArray()
            : distinct.OrderBy(label => label, StringComparer.Ordinal).ToArray();
    }

    private static string FirstSentence(string message) => message.Split('.', 2)[0];
}
