using System.Linq;
using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>
/// The base of every class declared with <c>[Variational]</c>: a Gaussian posterior, the reparameterisation trick,
/// a standard-normal prior and the negative ELBO with a β-weighted KL term.
/// </summary>
public abstract class VariationalAutoencoderModule : AutoencoderModel<VariationalOutput, VariationalLoss>
{
    /// <summary>Called by generated constructors.</summary>
    protected VariationalAutoencoderModule(string name, AutoencoderSpec spec, long? seed)
        : base(name, spec, seed)
    {
    }

    /// <summary>The posterior of each example of a batch <c>[N, ...InputShape]</c>.</summary>
    public VariationalCode Encode(Tensor x)
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        using var scope = NewDisposeScope();
        var (mean, logVar) = EncodeCore(x);
        return new VariationalCode(mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    }

    /// <summary>Encodes a batch, draws one code per example from its posterior, and decodes it.</summary>
    public override VariationalOutput forward(Tensor x)
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        using var scope = NewDisposeScope();
        var (mean, logVar) = EncodeCore(x);
        var z = Reparameterize(mean, logVar);
        var reconstruction = DecoderOutput(DecodeCore(z));
        return new VariationalOutput(
            reconstruction.MoveToOuterDisposeScope(),
            z.MoveToOuterDisposeScope(),
            mean.MoveToOuterDisposeScope(),
            logVar.MoveToOuterDisposeScope());
    }

    /// <summary>Decodes <paramref name="count"/> codes drawn from the prior N(0, I): new data.</summary>
    /// <param name="count">How many samples.</param>
    /// <param name="generator">A seeded generator for repeatable samples; the global one when null.</param>
    public Tensor Sample(int count, Generator? generator = null)
    {
        System.ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return Infer(() =>
        {
            var device = parameters().First().device;
            var z = randn([count, Spec.LatentDim], generator: generator).to(device);
            return Decode(z);
        });
    }

    /// <summary>The declared encoder followed by the two linear heads, for the posterior mean and log-variance.</summary>
    protected abstract (Tensor Mean, Tensor LogVar) EncodeCore(Tensor x);

    private protected override Tensor EmbedCore(Tensor x) => EncodeCore(x).Mean;

    private protected override VariationalLoss LossCore(Tensor input, Tensor target)
    {
        using var scope = NewDisposeScope();
        var (mean, logVar) = EncodeCore(input);
        var reconstruction = ReconstructionLoss(DecodeCore(Reparameterize(mean, logVar)), target);
        var kl = LossFunctions.GaussianKl(mean, logVar);
        var total = reconstruction + Spec.Beta * kl;
        return new VariationalLoss(
            total.MoveToOuterDisposeScope(),
            reconstruction.MoveToOuterDisposeScope(),
            kl.MoveToOuterDisposeScope());
    }

    private static Tensor Reparameterize(Tensor mean, Tensor logVar) =>
        mean + (0.5 * logVar).exp() * randn_like(mean);
}
