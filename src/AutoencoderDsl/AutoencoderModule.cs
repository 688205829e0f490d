using static TorchSharp.torch;

namespace AutoencoderDsl;

/// <summary>The base of every class declared with <c>[Autoencoder]</c>: a deterministic code, a reconstruction loss.</summary>
public abstract class AutoencoderModule : AutoencoderModel<AutoencoderOutput, AutoencoderLoss>
{
    /// <summary>Called by generated constructors.</summary>
    protected AutoencoderModule(string name, AutoencoderSpec spec, long? seed)
        : base(name, spec, seed)
    {
    }

    /// <summary>Maps a batch <c>[N, ...InputShape]</c> to its codes <c>[N, LatentDim]</c>.</summary>
    public Tensor Encode(Tensor x)
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        using var scope = NewDisposeScope();
        return EncodeCore(x).MoveToOuterDisposeScope();
    }

    /// <summary>Encodes and decodes a batch, keeping the code.</summary>
    public override AutoencoderOutput forward(Tensor x)
    {
        Shapes.RequireBatch(x, Spec.InputShape, nameof(x));
        using var scope = NewDisposeScope();
        var code = EncodeCore(x);
        var reconstruction = DecoderOutput(DecodeCore(code));
        return new AutoencoderOutput(reconstruction.MoveToOuterDisposeScope(), code.MoveToOuterDisposeScope());
    }

    /// <summary>The declared encoder followed by the linear map to the code.</summary>
    protected abstract Tensor EncodeCore(Tensor x);

    private protected override Tensor EmbedCore(Tensor x) => EncodeCore(x);

    private protected override AutoencoderLoss LossCore(Tensor input, Tensor target)
    {
        using var scope = NewDisposeScope();
        var reconstruction = ReconstructionLoss(DecodeCore(EncodeCore(input)), target);
        return new AutoencoderLoss(reconstruction.alias().MoveToOuterDisposeScope(), reconstruction.MoveToOuterDisposeScope());
    }
}
