using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using AutoencoderDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

/// <summary>
/// The generator in-process, as a compiler runs it: 1, 10 and 100 model declarations (one file each, a mix of
/// dense, convolutional, variational, denoising and conditional models), timed by the driver's own clock as a cold
/// run (the first in this process, JIT included), a warm full run (a new driver on a new compilation, once the JIT has
/// finished optimising) and one edit (a driver that has run, after one layer width changes in one file). The warm run
/// is also given as a ratio to the compiler binding the same attributes, timed in turns with it, which the machine's
/// drift moves alike. The build's overhead compares compiling the declarations with the generator and analyzer
/// against compiling the same code, generated files included, as plain sources.
/// </summary>
internal static class GeneratorBenchmark
{
    public sealed record Result(int Models, int GeneratedLines, double ColdSeconds, double WarmSeconds, double WarmMedianSeconds, double AllocatedMegabytes, double EditSeconds, double BuildSeconds, double PlainBuildSeconds, double AnalyzerSeconds, double DeclareSeconds, double EmitSeconds, double BindingSeconds)
    {
        /// <summary>A build with the generator and the analyzer over compiling the same code without them.</summary>
        public double Overhead => (BuildSeconds + AnalyzerSeconds) / PlainBuildSeconds;

        /// <summary>The warm full run over the compiler's own binding of the same attributes, both means of the same turns.</summary>
        public double WarmToBinding => WarmSeconds / BindingSeconds;
    }

    /// <summary>
    /// Untimed full runs at 100 models before any warm figure: the JIT optimises the compiler's and the generator's
    /// code in tiers, and the first 30 to 60 runs in a process are two to five times slower than the ones after.
    /// </summary>
    private const int WarmUpRuns = 80;

    /// <summary>
    /// Timed warm runs and edits per size. A gen0 collection (30 to 40 ms at 100 models) falls on every second or third
    /// run, so the mean, which carries its share, is the figure; the median shows a run without one.
    /// </summary>
    private const int WarmRuns = 40;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly ImmutableArray<MetadataReference> References = TestCompilation.References;

    /// <summary>The generator assembly the build copied beside this one (see the project file).</summary>
    private static readonly Assembly Generators = Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, "AutoencoderDsl.Generators.dll"));

    public static IReadOnlyList<Result> Run(int rounds)
    {
        var results = new List<Result>();
        bool cold = true;
        foreach (int models in new[] { 1, 10, 100 })
        {
            var sources = Enumerable.Range(0, models).Select(Declaration).ToArray();
            double coldSeconds = double.NaN;
            if (cold)
            {
                coldSeconds = RunGenerator(Compile(sources)).Driver.GetTimingInfo().ElapsedTime.TotalSeconds;
                var largest = Enumerable.Range(0, 100).Select(Declaration).ToArray();
                for (int run = 0; run < WarmUpRuns; run++)
                {
                    RunGenerator(Compile(largest));
                }

                cold = false;
            }

            var warm = new List<double>();
            var binding = new List<double>();
            var edit = new List<double>();
            long allocated = 0;
            for (int run = 0; run < WarmRuns; run++)
            {
                var compilation = Compile(sources);
                var (first, bytes) = MeasuredRun(compilation);
                allocated += bytes;
                warm.Add(first.GetTimingInfo().ElapsedTime.TotalSeconds);
                binding.Add(BindingSeconds(Compile(sources), models));

                var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.First(), Parse(sources[0].Replace("Dense(400)", "Dense(401)", StringComparison.Ordinal), 0));
                edit.Add(first.RunGenerators(edited).GetTimingInfo().ElapsedTime.TotalSeconds);
            }

            var build = new List<double>();
            var plain = new List<double>();
            var analyzer = new List<double>();
            var declare = new List<double>();
            var emit = new List<double>();
            int lines = 0;
            for (int round = 0; round < rounds; round++)
            {
                var (declareSeconds, emitSeconds) = Steps(sources);
                declare.Add(declareSeconds);
                emit.Add(emitSeconds);

                // The two builds alternate, so the machine's noise falls on both. Only the analyzer's own execution
                // time counts: asking for its diagnostics binds the whole compilation, which Emit does anyway.
                CSharpCompilation? output = null;
                build.Add(EpochBenchmarks.Timed(() =>
                {
                    output = RunGenerator(Compile(sources)).Output;
                    Emit(output);
                }));
                analyzer.Add(AnalyzerSeconds(output!));
                var texts = output!.SyntaxTrees.Select(tree => tree.GetText().ToString()).ToArray();
                lines = texts.Skip(sources.Length).Sum(text => text.Split('\n').Length);
                plain.Add(EpochBenchmarks.Timed(() => Emit(Compile(texts))));
            }

            results.Add(new Result(
                models, lines, coldSeconds, warm.Average(), EpochBenchmarks.Median(warm), allocated / 1e6 / WarmRuns, edit.Average(),
                EpochBenchmarks.Median(build), EpochBenchmarks.Median(plain), EpochBenchmarks.Median(analyzer),
                EpochBenchmarks.Median(declare), EpochBenchmarks.Median(emit), binding.Average()));
        }

        return results;
    }

    /// <summary>Model <paramref name="index"/>: one of five shapes of declaration, with its own widths.</summary>
    private static string Declaration(int index)
    {
        int width = 400 + (index % 7 * 16);
        string body = (index % 5) switch
        {
            0 => $$"""
                [Variational(LatentDim = 20)]
                [Input(1, 28, 28)]
                public partial class Model{{index}}
                {
                    [Flatten, Dense(400), ReLU, Dense({{width}}), ReLU]
                    public partial Sequential Encoder { get; }

                    [Dense({{width}}), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
                    public partial Sequential Decoder { get; }
                }
                """,
            1 => $$"""
                [Variational(LatentDim = 16, Beta = 4, KlWarmupEpochs = 5)]
                [Input(1, 28, 28)]
                public partial class Model{{index}}
                {
                    [Conv2d(32, 4, Stride = 2, Padding = 1), ReLU, Conv2d(64, 4, Stride = 2, Padding = 1), ReLU, Flatten, Dense(400), ReLU]
                    public partial Sequential Encoder { get; }

                    [Dense({{width}}), ReLU, Dense(64 * 7 * 7), ReLU, Unflatten(64, 7, 7),
                     ConvTranspose2d(32, 4, Stride = 2, Padding = 1), ReLU, ConvTranspose2d(1, 4, Stride = 2, Padding = 1), Sigmoid]
                    public partial Sequential Decoder { get; }
                }
                """,
            2 => $$"""
                [Autoencoder(LatentDim = 32)]
                [Input(1, 28, 28)]
                [Denoising(Noise.Gaussian, 0.5)]
                public partial class Model{{index}}
                {
                    [Conv2d(16, 3, Padding = 1), ReLU, MaxPool2d(2), Flatten, Dense(400), ReLU]
                    public partial Sequential Encoder { get; }

                    [Dense({{width}}), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
                    public partial Sequential Decoder { get; }
                }
                """,
            3 => $$"""
                [Variational(LatentDim = 2)]
                [Input(1, 28, 28)]
                [ClassConditional(Classes = 10)]
                public partial class Model{{index}}
                {
                    [Flatten, Dense(400), ReLU]
                    public partial Sequential Encoder { get; }

                    [Dense({{width}}), ReLU, Dense(784), Sigmoid, Unflatten(1, 28, 28)]
                    public partial Sequential Decoder { get; }
                }
                """,
            _ => $$"""
                [Autoencoder(LatentDim = 8, Likelihood = Likelihood.Gaussian)]
                [Input(1, 128)]
                [Sparse(L1 = 0.001)]
                public partial class Model{{index}}
                {
                    [Conv1d(8, 5, Padding = 2), ReLU, Flatten, Dense(400), ReLU]
                    public partial Sequential Encoder { get; }

                    [Dense({{width}}), ReLU, Dense(128), Unflatten(1, 128)]
                    public partial Sequential Decoder { get; }
                }
                """,
        };
        return "using AutoencoderDsl;\nusing TorchSharp.Modules;\n\nnamespace Benchmark;\n\n" + body + "\n";
    }

    public sealed record Contest(double Seconds, double MedianSeconds, double Megabytes, double OtherSeconds, double OtherMedianSeconds, double OtherMegabytes, double BindingSeconds)
    {
        public double Ratio => Seconds / OtherSeconds;

        public double WarmToBinding => Seconds / BindingSeconds;

        public double OtherWarmToBinding => OtherSeconds / BindingSeconds;
    }

    /// <summary>
    /// This build of the generator against another one (say, the last commit's, built in a worktree) in one process:
    /// warm full runs for 100 models in turns, so the machine's drift falls on both, and the mean of each; the compiler
    /// binding the same attributes takes a turn too, so each is also a ratio to it. The other assembly loads into a
    /// context of its own and shares the compiler and the abstractions with this one.
    /// </summary>
    public static Contest Against(string otherAssembly, int runs)
    {
        var other = new IsolatedGenerator(Path.GetFullPath(otherAssembly)).LoadFromAssemblyName(new AssemblyName("AutoencoderDsl.Generators"));
        var sources = Enumerable.Range(0, 100).Select(Declaration).ToArray();
        var contenders = new[] { Generators, other };
        var seconds = new[] { new List<double>(), new List<double>() };
        var binding = new List<double>();
        var allocated = new long[2];
        for (int run = 0; run < WarmUpRuns + runs; run++)
        {
            for (int turn = 0; turn < 2; turn++)
            {
                int contender = (run + turn) % 2;
                var (driver, bytes) = MeasuredRun(Compile(sources), contenders[contender]);
                if (run >= WarmUpRuns)
                {
                    allocated[contender] += bytes;
                    seconds[contender].Add(driver.GetTimingInfo().ElapsedTime.TotalSeconds);
                }
            }

            double bindingSeconds = BindingSeconds(Compile(sources), sources.Length);
            if (run >= WarmUpRuns)
            {
                binding.Add(bindingSeconds);
            }
        }

        return new Contest(
            seconds[0].Average(), EpochBenchmarks.Median(seconds[0]), allocated[0] / 1e6 / runs,
            seconds[1].Average(), EpochBenchmarks.Median(seconds[1]), allocated[1] / 1e6 / runs,
            binding.Average());
    }

    /// <summary>Loads one generator assembly on its own; everything it references comes from the default context.</summary>
    private sealed class IsolatedGenerator(string path) : System.Runtime.Loader.AssemblyLoadContext("other generator")
    {
        protected override Assembly? Load(AssemblyName name) => name.Name == "AutoencoderDsl.Generators" ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>A full run, and the bytes it allocated (the compilation made before, so its parsing does not count).</summary>
    private static (GeneratorDriver Driver, long Allocated) MeasuredRun(CSharpCompilation compilation, Assembly? generators = null)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var (driver, _) = RunGenerator(compilation, generators);
        return (driver, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    private static (GeneratorDriver Driver, CSharpCompilation Output) RunGenerator(CSharpCompilation compilation, Assembly? generators = null)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create([Create<IIncrementalGenerator>("AutoencoderDsl.Generators.AutoencoderGenerator", generators).AsSourceGenerator()], parseOptions: ParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        if (diagnostics.Any(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error))
        {
            throw new InvalidOperationException("The benchmark's declarations do not generate: " + diagnostics.First());
        }

        return (driver, (CSharpCompilation)output);
    }

    /// <summary>A full run with step tracking on: the seconds spent declaring the models (reading, parts, shapes) and emitting them.</summary>
    private static (double Declare, double Emit) Steps(string[] sources)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [Create<IIncrementalGenerator>("AutoencoderDsl.Generators.AutoencoderGenerator").AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        var result = driver.RunGenerators(Compile(sources)).GetRunResult().Results[0];
        double declare = result.TrackedSteps
            .Where(step => step.Key is "Autoencoders" or "Variationals")
            .Sum(step => step.Value.Sum(run => run.ElapsedTime.TotalSeconds));
        double emit = result.TrackedOutputSteps.Sum(step => step.Value.Sum(run => run.ElapsedTime.TotalSeconds));
        return (declare, emit);
    }

    /// <summary>
    /// The compiler's own work inside a declaring step: binding the attributes of a fresh compilation's models, which
    /// any build of the same code does too.
    /// </summary>
    private static double BindingSeconds(CSharpCompilation compilation, int models) => EpochBenchmarks.Timed(() =>
    {
        for (int index = 0; index < models; index++)
        {
            var type = compilation.GetTypeByMetadataName($"Benchmark.Model{index}")!;
            type.GetAttributes();
            foreach (var member in type.GetMembers())
            {
                member.GetAttributes();
            }
        }
    });

    private static double AnalyzerSeconds(CSharpCompilation compilation)
    {
        var analyzer = Create<DiagnosticAnalyzer>("AutoencoderDsl.Generators.Diagnostics.ModelAnalyzer");
        var withAnalyzer = compilation.WithAnalyzers(
            [analyzer],
            new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: true));
        withAnalyzer.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        return withAnalyzer.GetAnalyzerTelemetryInfoAsync(analyzer, default).GetAwaiter().GetResult().ExecutionTime.TotalSeconds;
    }

    private static T Create<T>(string typeName, Assembly? generators = null) => (T)Activator.CreateInstance((generators ?? Generators).GetType(typeName, throwOnError: true)!)!;

    private static CSharpCompilation Compile(string[] sources) =>
        CSharpCompilation.Create(
            "Benchmark",
            sources.Select(Parse),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));

    private static SyntaxTree Parse(string source, int index) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Model{index}.cs");

    private static void Emit(CSharpCompilation compilation)
    {
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        if (!result.Success)
        {
            throw new InvalidOperationException("The benchmark's code does not compile: " + result.Diagnostics.First(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error));
        }
    }
}
