using System.Linq;
using AutoencoderDsl.Training;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>
/// One Adam step over the 784-400-20 VAE's 652,824 parameters with fixed gradients: TorchSharp's Adam, tensor by
/// tensor, against the flat buffer <c>Fit</c> uses (one call of libtorch's fused kernel) and the same buffer stepped by
/// seven element-wise kernels as before. In-process, since the native libraries are this process's.
/// </summary>
[Config(typeof(InProcess))]
[MemoryDiagnoser]
public class OptimizerStepBenchmark
{
    private MlpVae? torchSharpModel;
    private MlpVae? flatModel;
    private OptimizerHelper? torchSharpAdam;
    private TrainingOptimizer? flatAdam;
    private MlpVae? sevenKernelModel;
    private TrainingOptimizer? sevenKernelAdam;

    [GlobalSetup]
    public void Setup()
    {
        torchSharpModel = new MlpVae(seed: 1);
        flatModel = new MlpVae(seed: 1);
        torchSharpAdam = optim.Adam(torchSharpModel.parameters(), 1e-3);
        flatAdam = new AdamOptimizer().Create(flatModel.parameters().ToArray(), 1e-3);
        sevenKernelModel = new MlpVae(seed: 1);
        sevenKernelAdam = new SevenKernelAdam().Create(sevenKernelModel.parameters().ToArray(), 1e-3);
        foreach (var parameter in torchSharpModel.parameters().Concat(flatModel.parameters()).Concat(sevenKernelModel.parameters()))
        {
            parameter.grad = randn_like(parameter);
        }
    }

    [Benchmark(Baseline = true, Description = "TorchSharp Adam, per tensor")]
    public void TorchSharpAdam()
    {
        using var scope = NewDisposeScope();
        torchSharpAdam!.step();
    }

    [Benchmark(Description = "flat-buffer Adam, fused kernel (Fit)")]
    public void FlatAdamStep() => flatAdam!.Step();

    [Benchmark(Description = "flat-buffer Adam, seven kernels (before)")]
    public void SevenKernelStep() => sevenKernelAdam!.Step();

    [GlobalCleanup]
    public void Cleanup()
    {
        torchSharpAdam?.Dispose();
        flatAdam?.Dispose();
        sevenKernelAdam?.Dispose();
        sevenKernelModel?.Dispose();
        torchSharpModel?.Dispose();
        flatModel?.Dispose();
    }

    private sealed class InProcess : ManualConfig
    {
        public InProcess() => AddJob(Job.MediumRun.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
