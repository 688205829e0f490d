using AutoencoderDsl.Generators.Shapes;

namespace AutoencoderDsl.Generators.Model;

/// <summary>Which model attribute a class carries.</summary>
public enum ModelKind
{
    Autoencoder,
    Variational,
}

/// <summary>Mirrors <c>AutoencoderDsl.Likelihood</c>; the values must match.</summary>
public enum LikelihoodKind
{
    Bernoulli,
    Gaussian,
}

/// <summary>A partial <c>Encoder</c> or <c>Decoder</c> property and the layers declared on it.</summary>
/// <param name="Name">The property name.</param>
/// <param name="Modifiers">Its modifiers as written, which the implementing part must repeat, e.g. <c>public</c>.</param>
/// <param name="TypeName">Its fully qualified type.</param>
/// <param name="Layers">The layers in declaration order.</param>
/// <param name="HasSetter">Whether the declaration has a <c>set</c> or <c>init</c> accessor the implementation must repeat.</param>
/// <param name="SetterIsInit">Whether that accessor is <c>init</c>.</param>
public sealed record StackDeclaration(
    string Name,
    string Modifiers,
    string TypeName,
    EquatableArray<Layer> Layers,
    bool HasSetter,
    bool SetterIsInit);

/// <summary>
/// Everything the emitter needs about one declared model: strings, numbers and equatable arrays only, so the
/// incremental pipeline can compare models by value and skip unchanged ones.
/// </summary>
/// <param name="HintName">The generated file's name.</param>
/// <param name="Namespace">The containing namespace, or null for the global namespace.</param>
/// <param name="ContainingTypes">Headers of enclosing types, outermost first, e.g. <c>partial class Outer</c>.</param>
/// <param name="TypeHeader">The class's own header without modifiers, e.g. <c>class FashionVae</c>.</param>
/// <param name="ClassName">The class name as used in code.</param>
/// <param name="Kind">Which model attribute the class carries.</param>
/// <param name="Likelihood">How reconstructions are scored.</param>
/// <param name="Beta">The KL weight of a variational model; 0 otherwise.</param>
/// <param name="Architecture">The input shape, the layers and the latent width, for shape inference.</param>
/// <param name="PartialProperties">The <c>Encoder</c> and <c>Decoder</c> declarations the generator must implement.</param>
/// <param name="IsGeneratable">
/// False when the declaration has an error an analyzer reports; the emitter then writes only what keeps the user's
/// code compiling (the partial properties' bodies).
/// </param>
public sealed record ModelDeclaration(
    string HintName,
    string? Namespace,
    EquatableArray<string> ContainingTypes,
    string TypeHeader,
    string ClassName,
    ModelKind Kind,
    LikelihoodKind Likelihood,
    double Beta,
    Architecture Architecture,
    EquatableArray<StackDeclaration> PartialProperties,
    bool IsGeneratable);
