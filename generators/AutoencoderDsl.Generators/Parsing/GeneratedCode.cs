using Microsoft.CodeAnalysis;

namespace AutoencoderDsl.Generators.Parsing;

/// <summary>
/// Recognises this generator's own output. Analyzers see the compilation with generated code added, the
/// generator sees it without; rules must ignore our output so both reach the same verdict.
/// </summary>
public static class GeneratedCode
{
    // The driver names each generated tree <assembly>/<generator type>/<hint name>.
    private static readonly string Folder = typeof(AutoencoderGenerator).FullName! + "/";

    private static readonly string InnerFolder = "/" + Folder;

    public static bool IsOurs(SyntaxTree? tree)
    {
        var path = tree?.FilePath.Replace('\\', '/');
        return path is not null && (path.Contains(InnerFolder) || path.StartsWith(Folder, System.StringComparison.Ordinal));
    }

    public static bool IsOurs(SyntaxReference reference) => IsOurs(reference.SyntaxTree);

    public static bool IsOurs(Location location) => IsOurs(location.SourceTree);
}
