using System.Linq;
using Microsoft.CodeAnalysis;

namespace AutoencoderDsl.Generators.Diagnostics;

/// <summary>
/// Every diagnostic the analyzers report. IDs are stable: a retired ID is never reused. Each has a page under
/// <c>docs/diagnostics/</c> and a line in the analyzer release-tracking files.
/// </summary>
public static class DiagnosticDescriptors
{
    /// <summary>Where the pages are: the repository's address, the build's <c>RepositoryUrl</c>, which the assembly carries as metadata.</summary>
    public static readonly string DocumentationRoot = RepositoryUrl().TrimEnd('/') + "/blob/main/docs/diagnostics/";

    private const string Declaration = "AutoencoderDsl.Declaration";
    private const string Layers = "AutoencoderDsl.Layers";
    private const string Shapes = "AutoencoderDsl.Shapes";
    private const string Modelling = "AutoencoderDsl.Modelling";

    /// <summary>
    /// An error means the model was not generated (only placeholder bodies were), so it may not be silenced or
    /// downgraded: the user would be left with a class that throws at run time and no reason shown.
    /// </summary>
    private const string NotConfigurable = WellKnownDiagnosticTags.NotConfigurable;

    public static readonly DiagnosticDescriptor ModelNotPartial = new(
        id: "ADSL001",
        title: "Model class must be partial",
        messageFormat: "'{0}' must be declared 'partial' in every part so the generator can add its layers",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL001.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = new(
        id: "ADSL002",
        title: "Type containing a model must be partial",
        messageFormat: "'{0}' contains the model '{1}', so it must be declared 'partial' in every part",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL002.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor UnsupportedModelType = new(
        id: "ADSL003",
        title: "Model type cannot be generated",
        messageFormat: "'{0}' cannot be {1}; a model is a plain, non-generic, non-static, non-abstract class",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL003.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor ModelBaseClass = new(
        id: "ADSL004",
        title: "Model class declares a base class",
        messageFormat: "'{0}' derives from '{1}', but the generator makes it derive from '{2}'; remove the base class",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL004.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor ConflictingModelAttributes = new(
        id: "ADSL005",
        title: "A model takes exactly one model attribute",
        messageFormat: "'{0}' already carries [{1}]; keep exactly one of [Autoencoder] and [Variational]",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL005.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor MissingModelAttribute = new(
        id: "ADSL006",
        title: "Model attribute is missing",
        messageFormat: "'{0}' declares {1} but has neither [Autoencoder] nor [Variational], so nothing is generated for it",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL006.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor MissingInput = new(
        id: "ADSL007",
        title: "Input shape is missing",
        messageFormat: "'{0}' has no [Input]; declare the shape of one example, for example [Input(1, 28, 28)]",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL007.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor RepeatedInput = new(
        id: "ADSL008",
        title: "Input shape is declared more than once",
        messageFormat: "'{0}' already declares its input shape; keep one [Input]",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL008.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor MissingStackProperty = new(
        id: "ADSL009",
        title: "Encoder or Decoder property is missing",
        messageFormat: "'{0}' has no '{1}' property; declare 'public partial Sequential {1} {{ get; }}' and put its layers on it",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL009.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor WrongStackMember = new(
        id: "ADSL010",
        title: "Encoder or Decoder has the wrong kind or type",
        messageFormat: "'{0}' must be a property of type TorchSharp.Modules.Sequential, but it is {1}",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL010.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor StackNotPartial = new(
        id: "ADSL011",
        title: "Encoder or Decoder must be a partial property the generator implements",
        messageFormat: "'{0}' must be a partial property without a body so the generator can implement it; {1}",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL011.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor StackAccessors = new(
        id: "ADSL012",
        title: "Encoder or Decoder must be a get-only instance property",
        messageFormat: "'{0}' must be an instance property with only a getter; remove '{1}'",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL012.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor StackSplitAcrossDeclarations = new(
        id: "ADSL013",
        title: "Layers are split across partial declarations",
        messageFormat: "'{0}' has layers on both its declaring and its implementing part, so their order is ambiguous; keep them on one part",
        category: Layers,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL013.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor LayerOutsideStack = new(
        id: "ADSL014",
        title: "Layer attribute on a property the generator does not read",
        messageFormat: "[{0}] is on '{1}', which the generator ignores; layers belong on 'Encoder' or 'Decoder'",
        category: Layers,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL014.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor UnknownLayer = new(
        id: "ADSL015",
        title: "Layer kind is unknown to the generator",
        messageFormat: "[{0}] derives from LayerAttribute, but the generator has no rule for it; use one of the layers AutoencoderDsl provides",
        category: Layers,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL015.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor UnboundArguments = new(
        id: "ADSL016",
        title: "Attribute arguments are missing or not constants",
        messageFormat: "The arguments of [{0}] are missing or are not constants of the expected types, so {1}",
        category: Layers,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL016.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor InvalidBeta = new(
        id: "ADSL017",
        title: "Beta must be a finite, non-negative number",
        messageFormat: "Beta is {0}, but the weight of the KL term must be finite and at least 0",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL017.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor InvalidLikelihood = new(
        id: "ADSL018",
        title: "Likelihood is not a defined value",
        messageFormat: "Likelihood is {0}, which is neither Likelihood.Bernoulli nor Likelihood.Gaussian",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL018.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor InvalidArgument = new(
        id: "ADSL019",
        title: "Dimension, size or probability out of range",
        messageFormat: "{0}",
        category: Shapes,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL019.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor WrongRank = new(
        id: "ADSL020",
        title: "Layer cannot take its input's rank",
        messageFormat: "{0}",
        category: Shapes,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL020.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor EmptyOutput = new(
        id: "ADSL021",
        title: "Layer output would be empty",
        messageFormat: "{0}",
        category: Shapes,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL021.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor ElementCountMismatch = new(
        id: "ADSL022",
        title: "Reshaping layer changes the element count",
        messageFormat: "{0}",
        category: Shapes,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL022.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor EncoderOutputNotVector = new(
        id: "ADSL023",
        title: "Encoder must end in a feature vector",
        messageFormat: "{0}",
        category: Shapes,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL023.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor OutputShapeMismatch = new(
        id: "ADSL024",
        title: "Decoder output shape differs from the input shape",
        messageFormat: "The decoder outputs {0}, but the input shape is {1}; {2}",
        category: Shapes,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL024.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor BernoulliOutputUnbounded = new(
        id: "ADSL025",
        title: "Bernoulli decoder output is not bounded to [0, 1]",
        messageFormat: "The Bernoulli likelihood reads the decoder's output as probabilities, but it ends with {0}, which is not bounded to [0, 1]; end the decoder with Sigmoid",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL025.md");

    public static readonly DiagnosticDescriptor LatentNotBottleneck = new(
        id: "ADSL026",
        title: "Latent code is not a bottleneck",
        messageFormat: "The latent code has {0} dimensions and the input only {1} elements, and nothing regularises the code, so the model can learn the identity; make LatentDim smaller, add Dropout to the encoder, or use [Variational]",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL026.md");

    public static readonly DiagnosticDescriptor SquashedLatentInput = new(
        id: "ADSL027",
        title: "Squashing activation right before the latent heads",
        messageFormat: "{0} right before the latent heads bounds every feature they see, which squashes the code; remove it or use an unbounded activation such as ReLU",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL027.md");

    public static readonly DiagnosticDescriptor GeneratedMemberConflict = new(
        id: "ADSL028",
        title: "Member clashes with a generated member",
        messageFormat: "'{0}' declares '{1}', which the generator writes for {2}; rename it",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL028.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor InvalidClassCount = new(
        id: "ADSL029",
        title: "A class-conditional model needs at least two classes",
        messageFormat: "[ClassConditional] needs Classes of at least 2, but it is {0}; set Classes to the number of classes the labels take",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL029.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor InvalidSparsity = new(
        id: "ADSL030",
        title: "Sparsity penalty is not well defined",
        messageFormat: "{0}",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL030.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor SparsityWithoutDeterministicCode = new(
        id: "ADSL031",
        title: "Sparsity needs a deterministic code",
        messageFormat: "[Sparse] penalises a deterministic code, but '{0}' is [Variational]: its code is a draw from the posterior, which the KL term already regularises; remove [Sparse] or declare [Autoencoder]",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL031.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor InvalidNoise = new(
        id: "ADSL032",
        title: "Denoising corruption is out of range",
        messageFormat: "{0}",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL032.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor InvalidWarmup = new(
        id: "ADSL033",
        title: "KL warm-up must not be negative",
        messageFormat: "KlWarmupEpochs is {0}, but a warm-up lasts 0 or more epochs; use 0 to train with Beta from the first epoch",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL033.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor LikelihoodOption = new(
        id: "ADSL034",
        title: "Likelihood option does not fit the likelihood",
        messageFormat: "{0}",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL034.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor TooLarge = new(
        id: "ADSL035",
        title: "Shape or weight too large",
        messageFormat: "{0}",
        category: Shapes,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL035.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor RepeatedPart = new(
        id: "ADSL036",
        title: "A part is declared more than once",
        messageFormat: "'{0}' already carries [{1}]; keep one",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL036.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor ModelNamedLikeGeneratedMember = new(
        id: "ADSL037",
        title: "Model class is named like a member the generator writes",
        messageFormat: "The generator writes a member '{0}' for {1}, and a member cannot be named like its class; rename the class",
        category: Declaration,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL037.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor CallWithoutLabels = new(
        id: "ADSL038",
        title: "A class-conditional model is called without its labels",
        messageFormat: "'{0}' is class-conditional, so '{1}' needs the class of each example; call the overload of '{2}' that takes the labels",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL038.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor NumberAsLabels = new(
        id: "ADSL039",
        title: "A number is passed for the labels of a batch",
        messageFormat: "'{1}' of '{0}' takes the class of each example as an Int64 [N] tensor, but a number becomes a tensor of no dimensions; pass one label per example, such as torch.full([N], label)",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL039.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor InvalidQuantizer = new(
        id: "ADSL040",
        title: "Vector quantizer option out of range",
        messageFormat: "{0}",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL040.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor QuantizedCombination = new(
        id: "ADSL041",
        title: "A part does not combine with a vector-quantized code",
        messageFormat: "{0} does not combine with [VectorQuantized] on '{1}': {2}",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL041.md",
        customTags: NotConfigurable);

    public static readonly DiagnosticDescriptor InvalidNeighbourhood = new(
        id: "ADSL042",
        title: "Neighbourhood term option out of range",
        messageFormat: "{0}",
        category: Modelling,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: DocumentationRoot + "ADSL042.md",
        customTags: NotConfigurable);

    private static string RepositoryUrl() =>
        typeof(DiagnosticDescriptors).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), inherit: false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .First(attribute => attribute.Key == "RepositoryUrl")
            .Value!;
}
