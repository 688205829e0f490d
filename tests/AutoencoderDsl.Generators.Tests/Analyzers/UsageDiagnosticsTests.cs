using System.Threading.Tasks;
using static AutoencoderDsl.Generators.Tests.Analyzers.AnalyzerVerifier;

namespace AutoencoderDsl.Generators.Tests.Analyzers;

/// <summary>
/// ADSL038: calls to the runtime's methods without labels on a class-conditional model, which would throw; ADSL039: a
/// number given for its labels, which TorchSharp turns into a tensor of no dimensions.
/// </summary>
public sealed class UsageDiagnosticsTests
{
    private const string Models = """
        [Variational(LatentDim = 2)]
        [ClassConditional(Classes = 3)]
        [Input(4)]
        public partial class Cvae
        {
            [Dense(4), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(4), Sigmoid]
            public partial Sequential Decoder { get; }
        }

        [Autoencoder(LatentDim = 2)]
        [Input(4)]
        public partial class Plain
        {
            [Dense(4), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(4), Sigmoid]
            public partial Sequential Decoder { get; }
        }

        """;

    [Fact]
    public Task EveryInheritedCallWithoutLabelsIsReported() => VerifyAsync(Models + """
        public static class Use
        {
            public static void Run(Cvae model, TorchSharp.torch.Tensor x, TorchSharp.torch.Tensor labels)
            {
                {|ADSL038:model.Reconstruct(x)|};
                {|ADSL038:model.forward(x)|};
                {|ADSL038:model.call(x)|};
                {|ADSL038:model.Decode(x)|};
                {|ADSL038:model.Fit(x)|};
                {|ADSL038:model.AnomalyScore(x)|};
                {|ADSL038:model.MeasureEmbedding(x, labels, x, labels)|};
            }
        }
        """);

    [Fact]
    public Task CallsWithLabelsAndCallsOnOtherModelsAreFine() => VerifyAsync(Models + """
        public static class Use
        {
            public static void Run(Cvae model, Plain plain, TorchSharp.torch.Tensor x, TorchSharp.torch.Tensor labels)
            {
                model.Reconstruct(x, labels);
                model.forward(x, labels);
                model.Sample(4, 1);
                model.Loss(x, labels);
                model.Fit(x, labels);
                model.Save("model.safetensors");
                plain.Reconstruct(x);
                plain.forward(x);
                plain.call(x);
                plain.Fit(x);
            }
        }
        """);

    [Fact]
    public Task ACallInsideTheModelIsReportedToo() => VerifyAsync("""
        [Autoencoder(LatentDim = 2)]
        [ClassConditional(Classes = 3)]
        [Input(4)]
        public partial class Cae
        {
            [Dense(4), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(4), Sigmoid]
            public partial Sequential Decoder { get; }

            public TorchSharp.torch.Tensor Codes(TorchSharp.torch.Tensor x) => {|ADSL038:Embed(x)|};
        }
        """);

    [Fact]
    public Task ANumberForTheLabelsIsReportedAtTheArgument() => VerifyAsync(Models + """
        public static class Use
        {
            public static void Run(Cvae model, TorchSharp.torch.Tensor x, TorchSharp.torch.Tensor labels)
            {
                model.Reconstruct(x, {|ADSL039:3|});
                model.Sample({|ADSL039:64|});
                model.Fit(x, {|ADSL039:2L|}, validation: x, validationLabels: {|ADSL039:1|});
                model.Reconstruct(x, labels);
                model.Sample(64, 3);
                model.Interpolate(x[0], x[1], 5, 2);
            }
        }
        """);
}
