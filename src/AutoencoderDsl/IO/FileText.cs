using System.Linq;

namespace AutoencoderDsl.IO;

/// <summary>Text read from a file, made fit to quote in an error message.</summary>
internal static class FileText
{
    /// <summary>At most <paramref name="limit"/> characters of <paramref name="text"/>, control characters shown as '?', so a hostile file cannot flood or garble a message.</summary>
    public static string Printable(string text, int limit) =>
        new(text.Take(limit).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
