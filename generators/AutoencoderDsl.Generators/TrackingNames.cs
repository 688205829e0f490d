namespace AutoencoderDsl.Generators;

/// <summary>Names of the pipeline steps, which caching tests look up.</summary>
public static class TrackingNames
{
    public const string Autoencoders = nameof(Autoencoders);
    public const string Variationals = nameof(Variationals);
    public const string VectorQuantized = nameof(VectorQuantized);
    public const string Declared = nameof(Declared);
}
