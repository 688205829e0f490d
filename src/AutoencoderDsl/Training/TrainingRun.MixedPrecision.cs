using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

// The bfloat16 working copy of TrainingPrecision.BFloat16: made at an epoch's start, left at its end.
internal sealed partial class TrainingRun
{
    /// <summary>
    /// In <see cref="TrainingPrecision.BFloat16"/>, converts the model to bfloat16 for an epoch's passes, its
    /// parameters views into the optimizer's bfloat16 copy of the float32 masters. Once an epoch, so validation,
    /// checkpoints and rollbacks between epochs see the float32 model.
    /// </summary>
    private void ToWorkingCopy(TrainingOptimizer optimizer)
    {
        if (options.Precision != TrainingPrecision.BFloat16 || !ReferenceEquals(passParameters, parameters))
        {
            return;
        }

        module.to(ScalarType.BFloat16);
        passParameters = module.parameters().ToArray();
        ((FlatAdam)optimizer).AttachWorkingCopy(passParameters, ScalarType.BFloat16);
    }

    /// <summary>Ends <see cref="ToWorkingCopy"/>: the model back in float32, its parameters views into the float32 masters; nothing when it is there already.</summary>
    private void ToMasters(TrainingOptimizer optimizer)
    {
        if (ReferenceEquals(passParameters, parameters))
        {
            return;
        }

        module.to(ScalarType.Float32);
        parameters = module.parameters().ToArray();
        passParameters = parameters;
        ((FlatAdam)optimizer).DetachWorkingCopy(parameters);
    }

    /// <summary>The batch as the passes take it: a bfloat16 working copy takes a bfloat16 batch (the loss compares its output with the float32 one).</summary>
    private Tensor InPassPrecision(Tensor batch) =>
        ReferenceEquals(passParameters, parameters) ? batch : batch.to(ScalarType.BFloat16);
}
