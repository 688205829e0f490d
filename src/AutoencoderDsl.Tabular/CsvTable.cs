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

    /// <summary>
    /// The decimal separator of the numbers: <c>'.'</c> (the default) or <c>','</c>. Numbers are otherwise read in the
    /// invariant culture, with no thousands separators, so <c>1,5</c> is refused rather than read as 15 unless this is <c>','</c>.
    /// </summary>
    public char DecimalSeparator { get; init; } = '.';
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
    /// Two columns share a name, a column asked for is missing, or a row is malformed: a field that is not a finite number,
    /// a row with more or fewer fields than the header, or broken quoting. The message names the file, the line and the column.
    /// </exception>
    /// <exception cref="ArgumentException">The decimal separator is neither '.' nor ',', or is the field separator.</exception>
    public static CsvTable Read(string path, CsvTableOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new CsvTableOptions();
        if (options.DecimalSeparator is not ('.' or ','))
        {
            throw new ArgumentException($"The decimal separator must be '.' or ',', but got '{options.DecimalSeparator}'.", nameof(options));
        }

        if (options.Separator == options.DecimalSeparator)
        {
            throw new ArgumentException($"The field separator and the decimal separator are both '{options.DecimalSeparator}'; choose another field separator, such as ';'.", nameof(options));
        }

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
            TrimWhitespace = true,
            Separator = options.Separator,
        };
        using var reader = CsvReader.FromFile(path, readerOptions);
        var headers = reader.Headers.ToArray();
        if (headers.Length == 0)
        {
            throw new InvalidDataException($"'{path}' is empty: it needs a header row naming its columns.");
        }

        if (reader.Separator == options.DecimalSeparator)
        {
            throw new InvalidDataException($"'{path}' separates its fields with '{reader.Separator}', the decimal separator asked for; set CsvTableOptions.Separator to its field separator.");
        }

        // One pass over the header, so that a file with a huge header costs time in proportion to it.
        var columnOf = new Dictionary<string, int>(headers.Length, StringComparer.Ordinal);
        for (int column = 0; column < headers.Length; column++)
        {
            if (!columnOf.TryAdd(headers[column], column))
            {
                throw new InvalidDataException($"'{path}' has two columns named '{headers[column]}' (columns {columnOf[headers[column]] + 1} and {column + 1}); rename one so that each name says which column it is.");
            }
        }

        int IndexOf(string name) => columnOf.TryGetValue(name, out int index)
            ? index
            : throw new InvalidDataException($"'{path}' has no column '{name}'; its columns are {Listed(headers)}.");

        int? labelIndex = options.LabelColumn is { } labelColumn ? IndexOf(labelColumn) : null;
        var featureIndices = options.FeatureColumns?.Select(IndexOf).ToArray() ?? Enumerable.Range(0, headers.Length).Where(index => index != labelIndex).ToArray();
        if (featureIndices.Length == 0)
        {
            throw new InvalidDataException($"'{path}' has no feature columns besides the label '{options.LabelColumn}'.");
        }

        var numbers = NumberFormat(options.DecimalSeparator);
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
                values.Add(ParseNumber(reader, column, headers, path, numbers));
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

        var labelNames = SortedDistinct(labelTexts, numbers);
        var indexOfLabel = labelNames.Select((name, index) => (name, index)).ToDictionary(pair => pair.name, pair => (long)pair.index);
        var features = tensor(values.ToArray(), [values.Count / featureIndices.Length, featureIndices.Length]);
        var labels = labelIndex is null ? null : tensor(labelTexts.Select(text => indexOfLabel[text]).ToArray(), [labelTexts.Count]);
        return new CsvTable(features, labels, featureIndices.Select(index => headers[index]).ToArray(), labelNames);
    }

    /// <summary>A sign, a decimal separator and an exponent, but no thousands separators, so that <c>1,5</c> never reads as 15.</summary>
    private const NumberStyles Numbers = NumberStyles.Float;

    /// <summary>The invariant culture's numbers with the decimal separator asked for.</summary>
    private static NumberFormatInfo NumberFormat(char decimalSeparator)
    {
        var format = (NumberFormatInfo)NumberFormatInfo.InvariantInfo.Clone();
        format.NumberDecimalSeparator = decimalSeparator.ToString();
        return format;
    }

    private static float ParseNumber(CsvReader reader, int column, string[] headers, string path, NumberFormatInfo numbers)
    {
        if (float.TryParse(reader.GetSpan(column), Numbers, numbers, out float value) && float.IsFinite(value))
        {
            return value;
        }

        var text = reader.GetString(column);
        var found = text.Length == 0 ? "an empty field"
            : float.TryParse(text, Numbers, numbers, out _) ? $"'{text}', which is not finite"
            : numbers.NumberDecimalSeparator == "." && float.TryParse(text, Numbers, NumberFormat(','), out _) ? $"'{text}' (numbers have '.' as the decimal separator and no thousands separators; if ',' is the decimal separator here, set CsvTableOptions.DecimalSeparator = ',')"
            : $"'{text}'";
        throw new InvalidDataException($"'{path}', line {reader.LineNumber}, column {column + 1} ('{headers[column]}'): expected a number but found {found}.");
    }

    /// <summary>The distinct labels, numerically sorted when every one is a number (so 2 comes before 10), ordinally otherwise.</summary>
    private static string[] SortedDistinct(List<string> labels, NumberFormatInfo numbers)
    {
        var distinct = labels.Distinct().ToArray();
        return distinct.All(label => double.TryParse(label, Numbers, numbers, out _))
            ? distinct.OrderBy(label => double.Parse(label, Numbers, numbers)).ToArray()
            : distinct.OrderBy(label => label, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The first names, quoted, and how many there are in all when that is more; a huge header makes no huge message.</summary>
    private static string Listed(string[] names)
    {
        const int Shown = 20;
        var listed = string.Join(", ", names.Take(Shown).Select(name => $"'{name}'"));
        return names.Length <= Shown ? listed : $"{listed}, … ({names.Length} in all)";
    }

    private static string FirstSentence(string message) => message.Split('.', 2)[0];
}
