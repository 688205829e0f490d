using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.Training;
using static TorchSharp.torch;

/// <summary>
/// <c>Fit</c>'s flat Adam, one call of libtorch's fused kernel <c>_fused_adam_</c> a step, against the same flat
/// buffers stepped by seven element-wise kernels as before (<see cref="SevenKernelAdam"/>): first the step alone on the
/// 784-400-20 VAE's 652,824 parameters (blocks of steps in turns, each step gathering gradients handed over as a
/// backward pass leaves them), then one epoch of <c>Fit</c> per call on Fashion-MNIST (or as many built-in shapes) with each, in turns on
/// two models. Ratios are fused / seven kernels; below 1 the fused step is faster.
/// </summary>
internal static class FusedAdamBenchmark
{
    private const int StepsPerBlock = 200;

    /// <summary>Blocks of steps per round of epochs: a block takes a tenth of a second, short enough for the machine's swings to show.</summary>
    private const int BlocksPerRound = 4;

    public static int Run(int rounds)
    {
        Console.WriteLine($"{get_num_threads()} libtorch threads, {Environment.ProcessorCount} cores; fused / seven kernels, {rounds} rounds after a first that warms up.");
        Steps(rounds * BlocksPerRound);
        Epochs(rounds);
        return 0;
    }

    private static void Steps(int blocks)
    {
        using var sevenModel = new MlpVae(seed: 1);
        using var fusedModel = new MlpVae(seed: 1);
        using var seven = new SevenKernelAdam().Create(sevenModel.parameters().ToArray(), 1e-3);
        using var fused = new AdamOptimizer().Create(fusedModel.parameters().ToArray(), 1e-3);
        var pairs = new List<(double Seven, double Fused)>();
        for (int round = 0; round <= blocks; round++)
        {
            double sevenSeconds = 0, fusedSeconds = 0;
            // Which goes first alternates, so a drift in the machine's speed falls on both.
            foreach (bool fusedFirst in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                if (fusedFirst)
                {
                    fusedSeconds = Block(fusedModel, fused);
                }
                else
                {
                    sevenSeconds = Block(sevenModel, seven);
                }
            }

            if (round > 0)
            {
                pairs.Add((sevenSeconds, fusedSeconds));
            }
        }

        Report($"One step, 652,824 parameters, {blocks} blocks of {StepsPerBlock}: seven kernels {EpochBenchmarks.Median(pairs.Select(pair => pair.Seven)) / StepsPerBlock * 1e6:F0} µs, fused {EpochBenchmarks.Median(pairs.Select(pair => pair.Fused)) / StepsPerBlock * 1e6:F0} µs (medians)", pairs);
    }

    /// <summary>Seconds for <see cref="StepsPerBlock"/> steps, each given the same random gradients anew, as a backward pass hands them over.</summary>
    private static double Block(MlpVae model, TrainingOptimizer optimizer)
    {
        var parameters = model.parameters().ToArray();
        using var generator = new Generator(7, CPU);
        var gradients = parameters.Select(parameter => randn(parameter.shape, generator: generator)).ToArray();
        try
        {
            return EpochBenchmarks.Timed(() =>
            {
                for (int step = 0; step < StepsPerBlock; step++)
                {
                    optimizer.ZeroGrad();
                    foreach (var (parameter, gradient) in parameters.Zip(gradients))
                    {
                        parameter.grad = gradient;
                    }

                    optimizer.Step();
                }
            });
        }
        finally
        {
            optimizer.ZeroGrad();
            foreach (var gradient in gradients)
            {
                gradient.Dispose();
            }
        }
    }

    private static void Epochs(int rounds)
    {
        var (train, test) = FashionMnist.IsAvailable() ? FashionMnist.Load() : (SyntheticShapes.Generate(60000, seed: 1), SyntheticShapes.Generate(100, seed: 2));
        test.Dispose();
        using var images = train.Images;
        train.Labels.Dispose();
        using var sevenModel = new MlpVae(seed: 1);
        using var fusedModel = new MlpVae(seed: 1);
        var pairs = new List<(double Seven, double Fused)>();
        for (int round = 0; round <= rounds; round++)
        {
            double sevenSeconds = 0, fusedSeconds = 0;
            foreach (bool fusedFirst in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                if (fusedFirst)
                {
                    fusedSeconds = EpochBenchmarks.FitOneEpoch(fusedModel, images, new AdamOptimizer(), round + 1);
                }
                else
                {
                    sevenSeconds = EpochBenchmarks.FitOneEpoch(sevenModel, images, new SevenKernelAdam(), round + 1);
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  epoch round {round}: seven kernels {sevenSeconds:F2} s, fused {fusedSeconds:F2} s, ratio {fusedSeconds / sevenSeconds:F3}{(round == 0 ? " (warm-up, not counted)" : "")}"));
            if (round > 0)
            {
                pairs.Add((sevenSeconds, fusedSeconds));
            }
        }

        Report($"One epoch of Fit per call, {(FashionMnist.IsAvailable() ? "Fashion-MNIST" : "built-in shapes")} 60,000 images, batch 128: seven kernels {EpochBenchmarks.Median(pairs.Select(pair => pair.Seven)):F2} s, fused {EpochBenchmarks.Median(pairs.Select(pair => pair.Fused)):F2} s (medians)", pairs);
    }

    private static void Report(string what, List<(double Seven, double Fused)> pairs)
    {
        var ratios = pairs.Select(pair => pair.Fused / pair.Seven).Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}; fused / seven kernels median {EpochBenchmarks.Median(ratios):F3} (from {ratios[0]:F3} to {ratios[^1]:F3})"));
    }
}
