using System;
using System.Linq;
using AutoencoderDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;

namespace AutoencoderDsl.CodeFixes;

/// <summary>Reads the fix the analyzer chose from a diagnostic's properties (see <see cref="FixProperties"/>).</summary>
internal static class FixData
{
    public static FixKind? KindOf(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(FixProperties.Kind, out var kind) && Enum.TryParse<FixKind>(kind, out var parsed) ? parsed : null;

    public static bool Is(Diagnostic diagnostic, FixKind kind) => KindOf(diagnostic) == kind;

    public static string? LayerOf(Diagnostic diagnostic) =>
        diagnostic.Properties.TryGetValue(FixProperties.Layer, out var layer) ? layer : null;

    public static Location? AnchorOf(Diagnostic diagnostic) => diagnostic.AdditionalLocations.FirstOrDefault();
}
