using System.Collections.Generic;
using AutoencoderDsl.Generators.Emit;

namespace AutoencoderDsl.Generators.Parts;

/// <summary>
/// One piece of a model: the encoder, the latent head, a condition, a corruption, a loss term. Each part owns its
/// fields, its state-dict names, the members it emits (and so the names ADSL028 protects) and its runtime counterpart
/// in <c>ModelSpec</c>. The emitter writes each section of the class by asking every part in turn, so adding a part
/// touches no other part and no branch of the emitter.
/// </summary>
public abstract record Part
{
    /// <summary>What brings the part into a model, for ADSL028's message: <c>every model</c>, <c>[Denoising]</c>.</summary>
    public abstract string DeclaredBy { get; }

    /// <summary>
    /// The members the part declares in the generated class: the names ADSL028 protects, and its typed public methods
    /// (<see cref="ApiMethod"/>), which the emitter writes from these records.
    /// </summary>
    public virtual IEnumerable<GeneratedMember> Members(ModelDescription model) => [];

    /// <summary>A phrase for the class's summary, e.g. <c>conditioned on 10 classes</c>; null for none.</summary>
    public virtual string? Summary => null;

    /// <summary>The state-dict entries the part registers, for the class's remarks, e.g. <c>&lt;c&gt;code&lt;/c&gt; (the latent head)</c>.</summary>
    public virtual string? StateDictNote => null;

    /// <summary>The width the part joins to the encoder's features and to the code; 0 for most parts.</summary>
    public virtual long ConditionWidth => 0;

    /// <summary>The initialisers the part contributes to the model's <c>ModelSpec</c>, as <c>Property = expression</c>.</summary>
    public virtual IEnumerable<string> SpecEntries => [];

    /// <summary>The runtime loss terms the part contributes, in order (expressions of type <c>LossTerm</c>).</summary>
    public virtual IEnumerable<string> LossTerms => [];

    /// <summary>Public constants.</summary>
    public virtual void WriteConstants(ModelWriter writer)
    {
    }

    /// <summary>Public static shapes inferred at compile time.</summary>
    public virtual void WriteShapes(ModelWriter writer)
    {
    }

    /// <summary>Private fields for the part's modules and parameters.</summary>
    public virtual void WriteFields(ModelWriter writer)
    {
    }

    /// <summary>Statements in the constructor that build the part's modules.</summary>
    public virtual void WriteConstruction(ModelWriter writer)
    {
    }

    /// <summary>Statements in the constructor that register the part's modules under their state-dict names.</summary>
    public virtual void WriteRegistration(ModelWriter writer)
    {
    }

    /// <summary>The user's partial properties the part implements.</summary>
    public virtual void WriteProperties(ModelWriter writer)
    {
    }

    /// <summary>The runtime's hooks the part implements: together, the model's forward pass.</summary>
    public virtual void WriteImplementation(ModelWriter writer)
    {
    }
}
