using System.Threading.Tasks;
using static AutoencoderDsl.Generators.Tests.Analyzers.AnalyzerVerifier;

namespace AutoencoderDsl.Generators.Tests.Analyzers;

/// <summary>ADSL001–ADSL012 and ADSL028: how a model class, its members and its Encoder and Decoder must be declared.</summary>
public sealed class DeclarationDiagnosticsTests
{
    [Fact]
    public Task ValidModelHasNoDiagnostics() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task ModelNotPartial() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public class {|ADSL001:Model|}
        {
            [Dense(8), ReLU]
            public partial Sequential {|CS0751:{|CS9248:Encoder|}|} { get; }

            [Dense(16), Sigmoid]
            public partial Sequential {|CS0751:{|CS9248:Decoder|}|} { get; }
        }
        """);

    [Fact]
    public Task ModelNotPartialInOnePart() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential {|CS9248:Encoder|} { get; }

            [Dense(16), Sigmoid]
            public partial Sequential {|CS9248:Decoder|} { get; }
        }

        public class {|ADSL001:{|CS0260:Model|}|}
        {
        }
        """);

    [Fact]
    public Task ContainingTypeNotPartial() => VerifyAsync("""
        public class {|ADSL002:Models|}
        {
            [Autoencoder(LatentDim = 2)]
            [Input(16)]
            public partial class Model
            {
                [Dense(8), ReLU]
                public partial Sequential {|CS9248:Encoder|} { get; }

                [Dense(16), Sigmoid]
                public partial Sequential {|CS9248:Decoder|} { get; }
            }
        }
        """);

    [Fact]
    public Task GenericModel() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model{|ADSL003:<T>|}
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task AbstractRecordModel() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public {|ADSL003:abstract|} partial {|ADSL003:record|} Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task ModelWithBaseClass() => VerifyAsync("""
        public class Base
        {
        }

        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model : {|ADSL004:Base|}
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task BothModelAttributes() => VerifyAsync("""
        [Autoencoder(LatentDim = 2), {|ADSL005:Variational(LatentDim = 2)|}]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task InputWithoutModelAttribute() => VerifyAsync("""
        [{|ADSL006:Input(16)|}]
        public class Model
        {
            [Dense(8), ReLU]
            public Sequential Encoder { get; } = null!;
        }
        """);

    [Fact]
    public Task LayersWithoutModelAttribute() => VerifyAsync("""
        public class Model
        {
            [{|ADSL006:Dense(8)|}, ReLU]
            public Sequential Encoder { get; } = null!;
        }
        """);

    [Fact]
    public Task MissingInput() => VerifyAsync("""
        [{|ADSL007:Autoencoder(LatentDim = 2)|}]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task RepeatedInput() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }

        [{|ADSL008:{|CS0579:Input|}(16)|}]
        public partial class Model
        {
        }
        """);

    /// <summary>The compiler refuses a repeated part (CS0579) but would leave the model to be generated with the first; found by the fuzzer.</summary>
    [Fact]
    public Task RepeatedPart() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Denoising(Noise.Gaussian, 0.1)]
        [{|ADSL036:{|CS0579:Denoising|}(Noise.Masking, 0.2)|}]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }

        [Sparse(L1 = 0.01)]
        public partial class Model
        {
        }

        [{|ADSL036:{|CS0579:Sparse|}(L1 = 0.001)|}]
        public partial class Model
        {
        }
        """);

    /// <summary>A class named like a member the generator writes made the generated code fail to compile (CS0542); found by the fuzzer.</summary>
    [Fact]
    public Task ModelNamedLikeAGeneratedMember() => VerifyAsync("""
        [Variational(LatentDim = 2)]
        [Input(16)]
        public partial class {|ADSL037:Beta|}
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task MissingDecoder() => VerifyAsync("""
        [{|ADSL009:Autoencoder(LatentDim = 2)|}]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }
        }
        """);

    [Fact]
    public Task StackOfWrongType() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial {|ADSL010:object|} Decoder { get; }
        }
        """);

    [Fact]
    public Task StackThatIsAField() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            public Sequential {|ADSL010:Decoder|} = null!;
        }
        """);

    [Fact]
    public Task StackNotPartial() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public Sequential {|ADSL011:Decoder|} { get; } = null!;
        }
        """);

    [Fact]
    public Task StackImplementedByHand() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }

            public partial Sequential {|ADSL011:Decoder|} => null!;
        }
        """);

    [Fact]
    public Task StackWithSetter() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; {|ADSL012:set|}; }
        }
        """);

    [Fact]
    public Task StaticStack() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public {|ADSL012:static|} partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task MembersThatClashWithGeneratedOnes() => VerifyAsync("""
        [Variational(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            private readonly Sequential? {|ADSL028:encoder|};

            public {|ADSL028:Model|}(long? seed)
            {
            }

            public const double {|ADSL028:Beta|} = 2;

            public static Model Load(System.IO.Stream stream) => throw new System.NotSupportedException();

            public int code;

            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);
}
