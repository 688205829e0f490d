using System.Threading.Tasks;
using static AutoencoderDsl.Generators.Tests.CodeFixes.CodeFixVerifier<AutoencoderDsl.CodeFixes.RemoveArgumentCodeFix>;

namespace AutoencoderDsl.Generators.Tests.CodeFixes;

/// <summary><see cref="AutoencoderDsl.CodeFixes.RemoveArgumentCodeFix"/>: an option that cannot apply is removed, and nothing else.</summary>
public sealed class RemoveArgumentCodeFixTests
{
    [Fact]
    public Task SigmaOnABernoulliModel() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2, {|ADSL034:Sigma = 0.1|})]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
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
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task WeightBesideL1() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Sparse(L1 = 1e-4, {|ADSL030:Weight = 2|})]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """,
        """
        [Autoencoder(LatentDim = 2)]
        [Sparse(L1 = 1e-4)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);
}
