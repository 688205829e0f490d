using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Models;

/// <summary>
/// <see cref="SmallVae"/> written by hand in plain TorchSharp, the way a user would without the DSL (after
/// pytorch/examples' vae). Layers are created in the same order, so the same seed gives the same weights.
/// </summary>
internal sealed class HandWrittenSmallVae : nn.Module<Tensor, (Tensor Logits, Tensor Mean, Tensor LogVar)>
{
    private readonly Linear hidden;
    private readonly Linear mean;
    private readonly Linear logVar;
    private readonly Linear decoderHidden;
    private readonly Linear decoderOut;

    public HandWrittenSmallVae(long seed)
        : base(nameof(HandWrittenSmallVae))
    {
        torch.manual_seed(seed);
        hidden = nn.Linear(784, 128);
        mean = nn.Linear(128, 4);
        logVar = nn.Linear(128, 4);
        decoderHidden = nn.Linear(4, 128);
        decoderOut = nn.Linear(128, 784);
        RegisterComponents();
    }

    public override (Tensor Logits, Tensor Mean, Tensor LogVar) forward(Tensor x)
    {
        var h = nn.functional.relu(hidden.forward(x.flatten(1)));
        var mu = mean.forward(h);
        var lv = logVar.forward(h);
        var z = mu + (0.5 * lv).exp() * randn_like(mu);
        var logits = decoderOut.forward(nn.functional.relu(decoderHidden.forward(z)));
        return (logits.view(-1, 1, 28, 28), mu, lv);
    }

    /// <summary>The negative ELBO in nats per example, as pytorch/examples computes it.</summary>
    public Tensor Loss(Tensor x)
    {
        var (logits, mu, lv) = forward(x);
        var reconstruction = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction: nn.Reduction.Sum);
        var kl = -0.5 * (1 + lv - mu.pow(2) - lv.exp()).sum();
        return (reconstruction + kl) / x.shape[0];
    }
}
