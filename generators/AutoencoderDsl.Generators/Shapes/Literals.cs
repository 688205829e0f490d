using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AutoencoderDsl.Generators.Shapes;

/// <summary>Numbers as C# source: invariant culture, round-trippable, and never a bare <c>NaN</c> or <c>∞</c>.</summary>
public static class Literals
{
    public static string Of(double value) =>
        double.IsNaN(value) ? "double.NaN"
        : double.IsPositiveInfinity(value) ? "double.PositiveInfinity"
        : double.IsNegativeInfinity(value) ? "double.NegativeInfinity"
        : value.ToString("R", CultureInfo.InvariantCulture);

    public static string Of(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Dimensions as a C# collection and as messages and docs show a shape, e.g. <c>[1, 28, 28]</c>; a
    /// <paramref name="leading"/> name goes first, as <c>N</c> does in a batch's <c>[N, 1, 28, 28]</c>.
    /// </summary>
    public static string List(IReadOnlyList<long> values, string? leading = null)
    {
        var text = new StringBuilder("[", 2 + (values.Count * 6));
        if (leading is not null)
        {
            text.Append(leading);
        }

        for (int index = 0; index < values.Count; index++)
        {
            if (index > 0 || leading is not null)
            {
                text.Append(", ");
            }

            text.Append(Of(values[index]));
        }

        return text.Append(']').ToString();
    }
}
