using System.Linq;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Shapes;

namespace AutoencoderDsl.Generators.Parts;

/// <summary>A partial <c>Encoder</c> or <c>Decoder</c> property the generator implements.</summary>
/// <param name="Name">The property name.</param>
/// <param name="Modifiers">Its modifiers as written, which the implementing part must repeat, e.g. <c>public partial</c>.</param>
/// <param name="TypeName">Its fully qualified type.</param>
/// <param name="HasSetter">Whether the declaration has a <c>set</c> or <c>init</c> accessor the implementation must repeat.</param>
/// <param name="SetterIsInit">Whether that accessor is <c>init</c>.</param>
public sealed record StackDeclaration(string Name, string Modifiers, string TypeName, bool HasSetter, bool SetterIsInit);

/// <summary>
/// Everything the emitter needs about one declared model: where the class lives and the parts it is made of. Strings,
/// numbers and equatable arrays only, so the incremental pipeline compares models by value and skips unchanged ones.
/// </summary>
/// <param name="HintName">The generated file's name.</param>
/// <param name="Namespace">The containing namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">Headers of enclosing types, outermost first, e.g. <c>partial class Outer</c>.</param>
/// <param name="TypeHeader">The class's own header without modifiers, e.g. <c>class FashionVae</c>.</param>
/// <param name="ClassName">The class name as used in code.</param>
/// <param name="Parts">The model's parts, in the order they are written: core, encoder, latent head, decoder, then the optional parts and the loss terms.</param>
/// <param name="PartialProperties">The <c>Encoder</c> and <c>Decoder</c> declarations the generator must implement.</param>
/// <param name="Shapes">
/// The shapes inferred once for the declared architecture, which the generated layers and comments state. Null when
/// the declaration has an error an analyzer reports; the emitter then writes only what keeps the user's code compiling
/// (the partial properties' bodies).
/// </param>
public sealed record ModelDescription(
    string HintName,
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string TypeHeader,
    string ClassName,
    EquatableArray<Part> Parts,
    EquatableArray<StackDeclaration> PartialProperties,
    InferenceResult? Shapes)
{
    /// <summary>Whether the whole model is written: only a declaration without errors carries its shapes.</summary>
    public bool IsGeneratable => Shapes is not null;

    /// <summary>
    /// Whether the model's typed public methods are the runtime's, which take no labels: true for every model but a
    /// class-conditional one, whose parts declare each method again with its labels.
    /// </summary>
    public bool InheritsApi => Find<ClassConditioningPart>() is null;

    /// <summary>The part of type <typeparamref name="T"/>, or null when the model has none.</summary>
    public T? Find<T>()
        where T : Part
    {
        // A loop, not OfType: the emitter asks hundreds of times per model, and each LINQ query allocates.
        foreach (var part in Parts.AsSpan())
        {
            if (part is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The architecture the parts declare, for shape inference.</summary>
    public Architecture Architecture => ArchitectureOf(Parts);

    public static Architecture ArchitectureOf(EquatableArray<Part> parts) =>
        new(
            parts.OfType<CorePart>().Single().InputShape,
            parts.OfType<EncoderPart>().Single().Layers,
            parts.OfType<LatentPart>().Single().LatentDim,
            parts.OfType<DecoderPart>().Single().Layers,
            parts.Sum(part => part.ConditionWidth),
            Quantized: parts.OfType<VectorQuantizedLatentPart>().Any());
}
