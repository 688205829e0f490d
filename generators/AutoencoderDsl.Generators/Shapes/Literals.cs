using System.Globalization;

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
}
