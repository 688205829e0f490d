using System.Threading.Tasks;
using static AutoencoderDsl.Generators.Tests.Analyzers.AnalyzerVerifier;

namespace AutoencoderDsl.Generators.Tests.Analyzers;

/// <summary>ADSL035 and non-finite arguments: declarations that once produced code that did not compile or crashed libtorch.</summary>
public sealed class SizeDiagnosticsTests
{
    /// <summary>Once written into the generated file as <c>nn.LeakyReLU(NaN)</c>, which failed with CS0103.</summary>
    [Theory]
    [InlineData("double.NaN")]
    [InlineData("double.PositiveInfinity")]
    [InlineData("double.NegativeInfinity")]
    public Task NonFiniteSlope(string slope) => VerifyAsync($$"""
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class Model
        {
            [Dense(8), {|ADSL019:LeakyReLU({{slope}})|}]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """);

    /// <summary>Once wrapped around to negative sizes and emitted <c>nn.Linear(-6734508719344, 16)</c>.</summary>
    [Fact]
    public Task UpsamplingThatOverflows() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Unflatten(1, 4, 4), {|ADSL035:Upsample(int.MaxValue)|}, Upsample(int.MaxValue), Flatten, Dense(16), Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }
        """);

    /// <summary>Once compiled and failed at run time with a libtorch overflow.</summary>
    [Fact]
    public Task AWeightTooLargeForOneTensor() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [Input(1, 100000, 100000)]
        public partial class Model
        {
            [Flatten, {|ADSL035:Dense(1 << 30)|}, ReLU]
            public partial Sequential Encoder { get; }

            [Dense(1), Unflatten(1, 1, 1), Upsample(100000)]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task LatentHeadsTooLarge() => VerifyAsync("""
        [Autoencoder({|ADSL035:LatentDim = 1000000|})]
        [Input(1000)]
        public partial class Model
        {
            [Dense(1000)]
            public partial Sequential Encoder { get; }

            [{|ADSL035:Dense(1000)|}]
            public partial Sequential Decoder { get; }
        }
        """);

    [Fact]
    public Task AnInputTooLargeToCount() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [{|ADSL035:Input(int.MaxValue, int.MaxValue, int.MaxValue)|}]
        public partial class Model
        {
            [Flatten, Dense(8)]
            public partial Sequential Encoder { get; }

            [Dense(8)]
            public partial Sequential Decoder { get; }
        }
        """);
}
