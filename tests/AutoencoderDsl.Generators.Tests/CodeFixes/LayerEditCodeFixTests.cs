using System.Threading.Tasks;
using static AutoencoderDsl.Generators.Tests.CodeFixes.CodeFixVerifier<AutoencoderDsl.CodeFixes.LayerEditCodeFix>;

namespace AutoencoderDsl.Generators.Tests.CodeFixes;

/// <summary><see cref="AutoencoderDsl.CodeFixes.LayerEditCodeFix"/>: the layer each shape error or modelling warning prescribes, in the right place.</summary>
public sealed class LayerEditCodeFixTests
{
    [Fact]
    public Task FlattenBeforeDenseAfterConvolution() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Conv2d(4, Kernel = 3, Padding = 1), ReLU, {|ADSL020:Dense(8)|}]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """,
        """
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Conv2d(4, Kernel = 3, Padding = 1), ReLU, Flatten, Dense(8)]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task FlattenAtTheEndOfAConvolutionalEncoder() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Conv2d(4, Kernel = 3, Padding = 1), {|ADSL023:ReLU|}]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """,
        """
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Conv2d(4, Kernel = 3, Padding = 1), ReLU, Flatten]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task UnflattenRestoresTheInputShape() => VerifyAsync(
        """
        [Variational(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16),
             {|ADSL024:Sigmoid|}]
            public partial Sequential Decoder { get; }
        }
        """,
        """
        [Variational(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16),
             Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task SigmoidEndsABernoulliDecoder() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), {|ADSL025:Unflatten(1, 4, 4)|}]
            public partial Sequential Decoder { get; }
        }
        """,
        """
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Unflatten(1, 4, 4), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task SigmoidReplacesAnotherFinalActivation() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Tanh, {|ADSL025:Unflatten(1, 4, 4)|}]
            public partial Sequential Decoder { get; }
        }
        """,
        """
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
    public Task SquashingActivationIsRemoved() => VerifyAsync(
        """
        [Variational(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), {|ADSL027:Tanh|}, Flatten]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """,
        """
        [Variational(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), Flatten]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task SquashingActivationInItsOwnListIsRemovedWithTheList() => VerifyAsync(
        """
        [Variational(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8)]
            [{|ADSL027:Sigmoid|}]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """,
        """
        [Variational(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8)]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task FixAllRepairsEveryModel() => VerifyAsync(
        """
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class First
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), {|ADSL025:Unflatten(1, 4, 4)|}]
            public partial Sequential Decoder { get; }
        }

        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Second
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [{|ADSL025:Dense(16)|}]
            public partial Sequential Decoder { get; }
        }
        """,
        """
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class First
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Unflatten(1, 4, 4), Sigmoid]
            public partial Sequential Decoder { get; }
        }

        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Second
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task SparsityRemovedFromAVariationalModel() => VerifyAsync(
        """
        [Variational(LatentDim = 2)]
        [{|ADSL031:Sparse(L1 = 1e-4)|}]
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
        [Variational(LatentDim = 2)]
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
    public Task AClassConditionRemovedFromAVectorQuantizedModel() => VerifyAsync(
        """
        [VectorQuantized(LatentDim = 2, Codes = 8)]
        [{|ADSL041:ClassConditional(Classes = 3)|}]
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
        [VectorQuantized(LatentDim = 2, Codes = 8)]
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
    public Task ANeighbourhoodTermRemovedFromAVectorQuantizedModel() => VerifyAsync(
        """
        [VectorQuantized(LatentDim = 2, Codes = 8)]
        [{|ADSL041:Neighbourhood(Neighbours = 10, Weight = 0.5)|}]
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
        [VectorQuantized(LatentDim = 2, Codes = 8)]
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
