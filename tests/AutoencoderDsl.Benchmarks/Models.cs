using System;
using System.Collections.Generic;
using AutoencoderDsl;
using AutoencoderDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>The MLP VAE, 784-400-20 (652,824 parameters); the memory benchmark trains it too.</summary>
[Variational(LatentDim = 20)]
[Input(1, 28, 28)]
internal partial class MlpVae
{
    [Flatten, Dense(400), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(400), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
    public partial Sequential Decoder { get; }
}

/// <summary>The ConvBetaVae example's model, with β = 4 from the first epoch (a warm-up changes one scalar, not the cost).</summary>
[Variational(LatentDim = 16, Beta = 4)]
[Input(1, 28, 28)]
internal partial class ConvVae
{
    [Conv2d(32, 4, Stride = 2, Padding = 1), ReLU,
     Conv2d(64, 4, Stride = 2, Padding = 1), ReLU, Flatten, Dense(256), ReLU]
    public partial Sequential Encoder { get; }

    [Dense(256), ReLU, Dense(64 * 7 * 7), ReLU, Unflatten(64, 7, 7),
     ConvTranspose2d(32, 4, Stride = 2, Padding = 1), ReLU,
     ConvTranspose2d(1, 4, Stride = 2, Padding = 1), Sigmoid]
    public partial Sequential Decoder { get; }
}

/// <summary>
/// A VAE as a careful TorchSharp user writes it by hand (after pytorch/examples' vae): <c>torch.optim.Adam</c>, a dispose
/// scope per batch, the loss read once per batch to watch it, the Sigmoid fused into the loss as logits.
/// </summary>
internal sealed class HandWrittenVae : nn.Module<Tensor, Tensor>
{
    private readonly Sequential encoder;
    private readonly Linear mean;
    private readonly Linear logVar;
    private readonly Sequential decoder;
    private readonly double beta;
    private readonly OptimizerHelper optimizer;

    private HandWrittenVae(Sequential encoder, long features, long latent, Sequential decoder, double beta)
        : base(nameof(HandWrittenVae))
    {
        this.encoder = encoder;
        mean = nn.Linear(features, latent);
        logVar = nn.Linear(features, latent);
        this.decoder = decoder;
        this.beta = beta;
        RegisterComponents();
        optimizer = optim.Adam(parameters(), 1e-3);
    }

    /// <summary>The same layers as <see cref="MlpVae"/>.</summary>
    public static HandWrittenVae Mlp(long seed)
    {
        torch.manual_seed(seed);
        return new HandWrittenVae(
            nn.Sequential(nn.Flatten(), nn.Linear(784, 400), nn.ReLU()), 400, 20,
            nn.Sequential(nn.Linear(20, 400), nn.ReLU(), nn.Linear(400, 784), nn.Unflatten(1, [1, 28, 28])),
            beta: 1);
    }

    /// <summary>The same layers as <see cref="ConvVae"/>.</summary>
    public static HandWrittenVae Conv(long seed)
    {
        torch.manual_seed(seed);
        return new HandWrittenVae(
            nn.Sequential(
                nn.Conv2d(1, 32, 4, stride: 2, padding: 1), nn.ReLU(),
                nn.Conv2d(32, 64, 4, stride: 2, padding: 1), nn.ReLU(), nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU()),
            256, 16,
            nn.Sequential(
                nn.Linear(16, 256), nn.ReLU(), nn.Linear(256, 64 * 7 * 7), nn.ReLU(), nn.Unflatten(1, [64, 7, 7]),
                nn.ConvTranspose2d(64, 32, 4, stride: 2, padding: 1), nn.ReLU(),
                nn.ConvTranspose2d(32, 1, 4, stride: 2, padding: 1)),
            beta: 4);
    }

    /// <summary>The negative ELBO (β-weighted) per example.</summary>
    public override Tensor forward(Tensor x) => Loss(x, x);

    /// <summary>
    /// The negative ELBO (β-weighted) per example of <paramref name="input"/>, in the model's element type, against
    /// <paramref name="target"/>: the same images in float32 for a bfloat16 copy of the model, whose decoder logits and
    /// latent mean and log-variance are cast to float32 before the loss (a no-op for a float32 model).
    /// </summary>
    public Tensor Loss(Tensor input, Tensor target)
    {
        var features = encoder.forward(input);
        var mu = mean.forward(features);
        var lv = logVar.forward(features);
        var z = mu + (0.5 * lv).exp() * randn_like(mu);
        var logits = decoder.forward(z).to(target.dtype);
        var reconstruction = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.Sum);
        var mu32 = mu.to(target.dtype);
        var lv32 = lv.to(target.dtype);
        var kl = -0.5 * (1 + lv32 - mu32.square() - lv32.exp()).sum();
        return (reconstruction + (beta * kl)) / target.shape[0];
    }

    /// <summary>One shuffled epoch at batch size <paramref name="batchSize"/>, calling <paramref name="afterBatch"/> after each batch; returns the mean loss.</summary>
    public double TrainEpoch(Tensor images, int batchSize, long seed, Action? afterBatch = null)
    {
        train();
        using var generator = new Generator(0, CPU).manual_seed(seed);
        using var order = randperm(images.shape[0], generator: generator);
        double sum = 0;
        for (long start = 0; start < images.shape[0]; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long size = Math.Min(batchSize, images.shape[0] - start);
            var batch = images.index_select(0, order.narrow(0, start, size));
            var loss = forward(batch);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            sum += loss.item<float>() * size;
            afterBatch?.Invoke();
        }

        return sum / images.shape[0];
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            optimizer.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>The generated model's <c>Fit</c> with TorchSharp's own Adam, one tensor at a time: how <c>Fit</c> stepped before the flat buffer.</summary>
internal sealed record LibTorchAdam : OptimizerChoice
{
    internal override TrainingOptimizer Create(IReadOnlyList<Parameter> parameters, double learningRate) =>
        new LibTorchOptimizer(optim.Adam(parameters, learningRate), parameters);
}
