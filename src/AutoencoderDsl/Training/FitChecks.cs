using System;
using System.Linq;
using AutoencoderDsl.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>
/// What <see cref="Trainer.Fit"/> checks before it takes the model: each refusal names what was asked, what the model
/// or data hold, and what to change. The data's examples are checked as they are read (<see cref="ExampleRules"/>).
/// </summary>
internal static class FitChecks
{
    /// <summary>Refuses missing arguments, a model without parameters, unusable data, and options that contradict each other.</summary>
    public static void Require(ITrainableAutoencoder model, TrainingData train, FitOptions options, TrainingData? validation)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!model.Module.parameters().Any())
        {
            throw new ArgumentException("The model has no parameters to train.", nameof(model));
        }

        train.RequireUsable(model, "train");
        validation?.RequireUsable(model, "validation");

        bool split = options.ValidationSplit > 0;
        if (split && validation is not null)
        {
            throw new ArgumentException("Give validation data or a ValidationSplit, not both.", nameof(options));
        }

        if (options.CheckpointPath is string path)
        {
            AtomicFile.RequireWritable(path, "checkpoint");
        }

        if (options.EarlyStopping is not null && validation is null && !split)
        {
            throw new ArgumentException("Early stopping watches the validation loss; give validation data or set ValidationSplit.", nameof(options));
        }

        long trained = split ? train.Count - Trainer.HeldOut(train.Count, options.ValidationSplit) : train.Count;
        if (model.Spec.Neighbourhood is { Neighbours: var k } && trained <= k)
        {
            throw new ArgumentException(
                $"The neighbourhood part links each training example to its {k} nearest others, but there are only {trained} examples to train on; give at least {k + 1}, or declare fewer Neighbours.",
                nameof(train));
        }

        if (model.Spec.Neighbourhood is { Loss: NeighbourhoodLoss.Contrastive } && options.BatchSize < 2)
        {
            throw new ArgumentException(
                $"The contrastive neighbourhood loss tells each example's drawn neighbour apart from the other examples of its batch, so a batch of {options.BatchSize} leaves it nothing to tell apart and it would learn nothing; set BatchSize to 2 or more (hundreds suit it), or declare Loss = NeighbourhoodLoss.Umap.",
                nameof(options));
        }
    }

    /// <summary>Refuses a model that <see cref="TrainingPrecision.BFloat16"/> cannot keep float32 masters of in the flat Adam buffer.</summary>
    public static void RequireBFloat16Trainable(nn.Module module)
    {
        var parameters = module.parameters().ToArray();
        if (parameters.FirstOrDefault(parameter => parameter.device_type != DeviceType.CPU) is { } elsewhere)
        {
            throw new ArgumentException(
                $"Precision = BFloat16 is mixed precision for the CPU, but the model's parameters are on {elsewhere.device}; move the model to the CPU, or leave Precision at Float32.",
                "options");
        }

        if (parameters.FirstOrDefault(parameter => parameter.dtype != ScalarType.Float32) is { } other)
        {
            throw new ArgumentException(
                $"Precision = BFloat16 trains a float32 model against float32 master weights, but this model's parameters are {other.dtype}; convert the model to float32, or leave Precision at Float32.",
                "options");
        }

        // Measured with `dotnet run --project tests/AutoencoderDsl.Benchmarks -c Release -- bf16-check`.
        if (module.modules().FirstOrDefault(layer => layer is Convolution or PatchConvolution) is { } convolution)
        {
            throw new ArgumentException(
                $"Precision = BFloat16 does not train convolutional models: libtorch 2.10's bfloat16 CPU convolutions are wrong when a layer has fewer than 16 output channels (a quarter of the output off), and an image decoder ends in one; this model has a {convolution.GetName()}. Leave Precision at Float32 for it.",
                "options");
        }

        if (module.named_buffers().Select(buffer => buffer.name).FirstOrDefault() is string buffer)
        {
            throw new ArgumentException(
                $"Precision = BFloat16 does not train models with running statistics, such as BatchNorm's: the bfloat16 copy would keep and update them in bfloat16, but this model has '{buffer}'. Leave Precision at Float32 for it.",
                "options");
        }

        if (parameters.Any(parameter => !parameter.requires_grad))
        {
            throw new ArgumentException(
                "Precision = BFloat16 keeps every parameter's float32 master in one flat Adam buffer, but some of this model's parameters are frozen (requires_grad is false); unfreeze them, or leave Precision at Float32.",
                "options");
        }
    }
}
