using System;
using System.ComponentModel;

namespace AutoencoderDsl;

/// <summary>
/// Marks a public method of the runtime's model classes that takes no labels. A class-conditional model inherits it but
/// cannot run it (its own overload takes the labels), so the analyzer reports ADSL039 at such a call instead of letting
/// it fail when it runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class WithoutLabelsAttribute : Attribute
{
}
