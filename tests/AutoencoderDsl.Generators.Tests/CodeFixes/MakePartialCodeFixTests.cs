using System.Threading.Tasks;
using static AutoencoderDsl.Generators.Tests.CodeFixes.CodeFixVerifier<AutoencoderDsl.CodeFixes.MakePartialCodeFix>;

namespace AutoencoderDsl.Generators.Tests.CodeFixes;

/// <summary><see cref="AutoencoderDsl.CodeFixes.MakePartialCodeFix"/> on ADSL001, ADSL002 and ADSL011.</summary>
public sealed class MakePartialCodeFixTests
{
    [Fact]
    public Task ModelClass() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public sealed class {|ADSL001:Model|}
        {
            [Dense(8), ReLU]
            public partial Sequential {|CS0751:{|CS9248:Encoder|}|} { get; }

            [Dense(16), Sigmoid]
            public partial Sequential {|CS0751:{|CS9248:Decoder|}|} { get; }
        }
        """,
        """
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public sealed partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task ClassWithoutModifiersKeepsItsLayout() => VerifyAsync(
        """
        namespace Models
        {
            [Autoencoder(LatentDim = 2)]
            [Input(16)]
            class {|ADSL001:Model|}
            {
                [Dense(8), ReLU]
                public partial Sequential {|CS0751:{|CS9248:Encoder|}|} { get; }

                [Dense(16), Sigmoid]
                public partial Sequential {|CS0751:{|CS9248:Decoder|}|} { get; }
            }
        }
        """,
        """
        namespace Models
        {
            [Autoencoder(LatentDim = 2)]
            [Input(16)]
            partial class Model
            {
                [Dense(8), ReLU]
                public partial Sequential Encoder { get; }

                [Dense(16), Sigmoid]
                public partial Sequential Decoder { get; }
            }
        }
        """);

    [Fact]
    public Task ContainingTypes() => VerifyAsync(
        """
        public static class {|ADSL002:Outer|}
        {
            internal class {|ADSL002:Inner|}
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
        }
        """,
        """
        public static partial class Outer
        {
            internal partial class Inner
            {
                [Autoencoder(LatentDim = 2)]
                [Input(16)]
                public partial class Model
                {
                    [Dense(8), ReLU]
                    public partial Sequential Encoder { get; }

                    [Dense(16), Sigmoid]
                    public partial Sequential Decoder { get; }
                }
            }
        }
        """);

    [Fact]
    public Task StackProperties() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public Sequential {|ADSL011:Encoder|} { get; }

            [Dense(16), Sigmoid]
            Sequential {|ADSL011:Decoder|} { get; }
        }
        """,
        """
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            partial Sequential Decoder { get; }
        }
        """);
}
