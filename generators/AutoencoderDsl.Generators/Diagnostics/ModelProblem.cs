using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace AutoencoderDsl.Generators.Diagnostics;

/// <summary>How a code fix repairs a problem; the analyzer decides, because only it knows the shapes.</summary>
public enum FixKind
{
    /// <summary>Add <c>partial</c> to the declaration whose identifier the diagnostic points at.</summary>
    MakePartial,

    /// <summary>Insert <see cref="ProblemFix.Layer"/> into the attribute list right before the anchor attribute.</summary>
    InsertLayerBefore,

    /// <summary>Insert <see cref="ProblemFix.Layer"/> into the attribute list right after the anchor attribute.</summary>
    InsertLayerAfter,

    /// <summary>Replace the anchor attribute with <see cref="ProblemFix.Layer"/>.</summary>
    ReplaceLayer,

    /// <summary>Remove the anchor attribute: a layer, or a part that cannot apply.</summary>
    RemoveAttribute,

    /// <summary>Remove the named attribute argument the anchor points at.</summary>
    RemoveArgument,
}

/// <summary>A repair for a problem: what to do, where (the anchor attribute), and which layer to write, e.g. <c>Unflatten(1, 28, 28)</c>.</summary>
public sealed record ProblemFix(FixKind Kind, Location? Anchor = null, string? Layer = null);

/// <summary>One thing wrong with a model declaration, located at the syntax that causes it.</summary>
public sealed record ModelProblem(DiagnosticDescriptor Descriptor, Location Location, ImmutableArray<string> Arguments, ProblemFix? Fix = null)
{
    /// <summary>Errors stop the generator from emitting the model; warnings do not.</summary>
    public bool IsError => Descriptor.DefaultSeverity == DiagnosticSeverity.Error;

    public Diagnostic ToDiagnostic()
    {
        var properties = ImmutableDictionary<string, string?>.Empty;
        IEnumerable<Location>? additionalLocations = null;
        if (Fix is not null)
        {
            properties = properties.Add(FixProperties.Kind, Fix.Kind.ToString());
            if (Fix.Layer is not null)
            {
                properties = properties.Add(FixProperties.Layer, Fix.Layer);
            }

            if (Fix.Anchor is not null)
            {
                additionalLocations = [Fix.Anchor];
            }
        }

        return Diagnostic.Create(Descriptor, Location, additionalLocations, properties, [.. Arguments]);
    }
}

/// <summary>
/// Keys of the diagnostic properties that tell the code fixes what to do; the anchor attribute, when there is one,
/// is the diagnostic's first additional location.
/// </summary>
public static class FixProperties
{
    public const string Kind = "AutoencoderDsl.Fix";
    public const string Layer = "AutoencoderDsl.FixLayer";
}
