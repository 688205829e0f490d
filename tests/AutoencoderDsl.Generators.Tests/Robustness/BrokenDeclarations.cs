using System;
using System.Collections.Generic;
using System.Linq;

namespace AutoencoderDsl.Generators.Tests.Robustness;

/// <summary>
/// A seeded corpus of model declarations as a user might leave them mid-edit: random attribute lists with missing,
/// out-of-range or wrongly typed arguments, unusual type kinds and nestings, wrong or missing members, and cut-off text.
/// Each source declares at most one model, so its diagnostics and generated code belong to that model.
/// </summary>
public static class BrokenDeclarations
{
    public const int Seed = 20250101;
    public const int Count = 360;

    private static readonly string[] TypeHeaders =
    [
        "public partial class M", "public partial class M", "public partial class M", "internal sealed partial class M",
        "public class M", "partial struct M", "partial record M", "partial record struct M", "public static partial class M",
        "public abstract partial class M", "public partial class M<T>", "file partial class M", "partial interface M",
        "public partial class @class", "public partial class M : System.Exception", "public partial class M : AutoencoderModule",
        "public partial class M : VariationalAutoencoderModule", "public partial class M : Missing", "readonly partial struct M",
        "ref partial struct M", "public unsafe partial class M",
    ];

    private static readonly string[] Containers =
    [
        "public partial class Outer", "public class Outer", "partial struct Outer", "public static partial class Outer<T>",
        "partial record Outer", "file partial class Outer", "partial interface Outer",
    ];

    private static readonly string[] Namespaces = ["", "namespace Models;", "namespace @class.Models;", "namespace Outer;"];

    private static readonly string[] LatentDims = ["2", "16", "784", "0", "-1", "\"x\"", "2.5", "int.MaxValue", "M.Size", ""];

    private static readonly string[] Betas = ["1", "0", "4.5", "-1", "double.NaN", "double.PositiveInfinity", "\"b\"", "1e308 * 10"];

    private static readonly string[] Likelihoods = ["Likelihood.Gaussian", "Likelihood.Bernoulli", "(Likelihood)9", "1", "\"Gaussian\""];

    private static readonly string[] InputArguments =
    [
        "784", "1, 28, 28", "1, 4, 4", "16", "2, 8", "", "0", "-1, 4", "\"x\"", "1.5", "new int[] { 4, 4 }", "null", "new[] { 1, 2 }",
        "int.MaxValue, int.MaxValue", "M.Size",
    ];

    private static readonly string[] Layers =
    [
        "Dense(8)", "Dense(16)", "Dense(784)", "Dense(0)", "Dense(-5)", "Dense(\"x\")", "Dense", "Dense(2.5)", "Dense(1, 2)",
        "Dense(int.MaxValue)", "Flatten", "Flatten(1)", "Unflatten(1, 4, 4)", "Unflatten(1, 28, 28)", "Unflatten()", "Unflatten(0)",
        "Unflatten(\"a\")", "Unflatten(null)", "ReLU", "LeakyReLU", "LeakyReLU(0.2)", "LeakyReLU(\"s\")", "GELU", "SiLU", "Tanh",
        "Sigmoid", "Sigmoid", "Dropout", "Dropout(0.1)", "Dropout(1.5)", "Dropout(-1)", "Dropout(double.NaN)", "BatchNorm",
        "Conv2d(4, Kernel = 3)", "Conv2d(4, Kernel = 3, Padding = 1)", "Conv2d(4)", "Conv2d(0, Kernel = 0)",
        "Conv2d(4, Kernel = 3, Stride = 0)", "Conv2d(4, Kernel = 99)", "Conv2d(4, Kernel = 3, Kernel = 5)",
        "ConvTranspose2d(1, Kernel = 2, Stride = 2)", "ConvTranspose2d(1, Kernel = -1)", "MaxPool2d(Kernel = 2)",
        "MaxPool2d(Kernel = 64)", "AvgPool2d(Kernel = 2, Stride = 0)", "Upsample(2)", "Upsample(0)", "BatchNorm2d",
        "Dropout2d(0.2)", "Dropout2d(2)", "Reshape(16)", "Reshape(1, 4, 4)", "Reshape(-1)", "Reshape()", "Custom",
        "NotALayer", "Input(4)", "Autoencoder", "Conv1d(4, 3)", "Conv1d(4, Kernel = 3, Dilation = 0)", "ConvTranspose1d(1, 4, Stride = 2)",
        "MaxPool1d(2)", "AvgPool1d(2, 1)", "AvgPool1d(0)", "BatchNorm1d", "MaxPool2d(2)", "MaxPool2d(2, 2)", "AvgPool2d(3, 0)",
        "Conv2d(8, 3)", "Conv2d(8, 3, Kernel = 5)", "LeakyReLU(double.NaN)", "Dropout(double.PositiveInfinity)", "Upsample(int.MaxValue)",
        "Denoising(Noise.Gaussian, 0.5)",
    ];

    private static readonly string[] PartAttributes =
    [
        "Denoising(Noise.Gaussian, 0.5)", "Denoising(Noise.Masking, 0.25)", "Denoising(Noise.Masking, 2)", "Denoising(Noise.SaltAndPepper, 0.1)",
        "Denoising(Noise.SaltAndPepper, 0.1, Max = double.PositiveInfinity)", "Denoising(Noise.Gaussian, 0.5, Min = 1, Max = 0)",
        "Denoising(0.5)", "Denoising", "Denoising((Noise)5, 0.5)", "Sparse(L1 = 1e-4)", "Sparse(Target = 0.05)",
        "Sparse(Target = 0.05, Weight = 2)", "Sparse", "Sparse(Target = 2, Weight = -1)", "Sparse(L1 = 1, Target = 0.1)",
        "ClassConditional(Classes = 10)", "ClassConditional(Classes = 3)", "ClassConditional(Classes = 1)", "ClassConditional",
        "ClassConditional(Classes = \"x\")", "ClassConditional(Classes = int.MaxValue)", "Dense(4)",
    ];

    private static readonly string[] ModelOptions =
    [
        "Sigma = 0.1", "Sigma = 0", "Sigma = double.NaN", "LearnedVariance = true", "LearnedVariance = false", "KlWarmupEpochs = 5",
        "KlWarmupEpochs = -1", "KlWarmupEpochs = \"w\"",
    ];

    private static readonly string[] PropertyTypes = ["Sequential", "Sequential", "Sequential", "object", "int", "Sequential?", "TorchSharp.Modules.Sequential", "Missing"];

    private static readonly string[] Fragments =
    [
        "[Dense(", "public partial Sequential", "[Autoencoder(LatentDim = ]", "}", "{", "[,]", "#if X", "partial partial class Q { }",
        "public int Size => ;", "[Input(1, 28, 28)] class Loose { }", "[Flatten] int field;",
    ];

    /// <summary>Valid models; the corpus mutates them once or not at all, so both verdicts occur often.</summary>
    private static readonly string[] ValidModels =
    [
        """
        [Autoencoder(LatentDim = 2)]
        [Input(16)]
        public partial class M
        {
            [Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """,
        """
        [Variational(LatentDim = 2, Beta = 2)]
        [Input(1, 4, 4)]
        public partial class M
        {
            [Conv2d(4, Kernel = 3, Padding = 1), ReLU, MaxPool2d(Kernel = 2), Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(16), ReLU, Unflatten(4, 2, 2), ConvTranspose2d(1, Kernel = 2, Stride = 2), Sigmoid]
            public partial Sequential Decoder { get; }
        }
        """,
        """
        [Autoencoder(LatentDim = 3, Likelihood = Likelihood.Gaussian)]
        [Input(2, 8)]
        internal sealed partial class M
        {
            [Flatten, Dense(8), Dropout(0.1), GELU]
            internal partial Sequential? Encoder { get; }

            [Dense(16), Reshape(2, 8)]
            internal partial Sequential? Decoder { get; }
        }
        """,
    ];

    /// <summary>Declarations that once broke, or could break, the pipeline rather than only the model.</summary>
    private static readonly string[] EdgeCases =
    [
        "[Autoencoder(LatentDim = 2)] public partial class M { }\n[Autoencoder(LatentDim = 2)] public partial class M { }",
        "[Autoencoder(LatentDim = 2)] public partial class M { }\n[Variational(LatentDim = 2)] public partial class M { }",
        "[Variational(LatentDim = 2)] public partial class M { }\n[Variational(LatentDim = 2)] public partial class M { }",
        "[Autoencoder(LatentDim = 2), Autoencoder(LatentDim = 3)] public partial class M { }",
        "[Autoencoder(LatentDim = 2)] public class M { }\n[Autoencoder(LatentDim = 2)] public class M { }",
        "namespace N { public partial class Outer { [Autoencoder(LatentDim = 2)] public partial class A { } } }\nnamespace N.Outer { [Autoencoder(LatentDim = 2)] public partial class A { } }",
        "[Autoencoder(LatentDim = 2)] public partial class M<T> { }\n[Autoencoder(LatentDim = 2)] public partial class M { }",
        "[Autoencoder(LatentDim = 2)] public partial class M { [Dense(2)] public partial Sequential Encoder { get; } [Dense(2)] public partial Sequential Encoder { get; } }",
        "[Autoencoder(LatentDim = 2)] public partial class M { public partial Sequential Encoder { get; } public partial Sequential Encoder => null!; public partial Sequential Encoder => null!; }",
        "[Autoencoder(LatentDim = 2)] [Input(4)] public partial class M { [Dense(4)] public partial Sequential Encoder { get; } [Dense(4)] public partial Sequential Decoder { get; } private int encoder; }",
        "[Autoencoder(LatentDim = 2)] [Input(4)] public partial class M { [Dense(4)] public partial Sequential Encoder { get; } [Dense(4)] public partial Sequential Decoder { get; } public const int LatentDim = 3; }",
        "[Autoencoder(LatentDim = 2)] delegate void M();",
        "[Autoencoder(LatentDim = 2)] enum M { A }",
        "[Denoising(Noise.Gaussian, 0.5), Sparse(L1 = 1)] public partial class M { }",
        "[Autoencoder(LatentDim = 2)] [Denoising(Noise.Gaussian, 0.5)] [Input(4)] public partial class M { [Dense(4)] public partial Sequential Encoder { get; } [Dense(4)] public partial Sequential Decoder { get; } public TorchSharp.torch.Tensor Denoise(TorchSharp.torch.Tensor x) => x; }",
        "[Variational(LatentDim = 2)] [ClassConditional(Classes = 2)] [Input(4)] public partial class M { [Dense(4)] public partial Sequential Encoder { get; } [Dense(4)] public partial Sequential Decoder { get; } public int Classes => 2; public void Sample(int count) { } }",
        "[Variational(LatentDim = 2, Likelihood = Likelihood.Gaussian, LearnedVariance = true)] [Input(4)] public partial class M { [Dense(4)] public partial Sequential Encoder { get; } [Dense(4)] public partial Sequential Decoder { get; } private int logScale; }",
        "[Autoencoder(LatentDim = 2)] [Input(4)] public partial class M { [Dense(4), Sigmoid] public partial Sequential Encoder { get; } [Dense(4), Sigmoid] public partial Sequential Decoder { get; } }\n[Input(4)] public partial class M { }",
    ];

    public static IReadOnlyList<string> All()
    {
        var random = new Random(Seed);
        var generated = Enumerable.Range(0, Count).Select(_ => random.Next(3) == 0 ? Mutated(random) : Declaration(random));
        return generated.Concat(EdgeCases.Select(edge => Usings + edge)).ToList();
    }

    private const string Usings = "using AutoencoderDsl;\nusing TorchSharp.Modules;\n";

    /// <summary>A valid model with at most one small edit: a word replaced, a line dropped, or the text cut off.</summary>
    private static string Mutated(Random random)
    {
        var lines = Pick(random, ValidModels).Split('\n').ToList();
        switch (random.Next(6))
        {
            case 0:
                break;
            case 1:
                lines.RemoveAt(random.Next(lines.Count));
                break;
            case 2:
                int line = random.Next(lines.Count);
                lines[line] = lines[line].Replace("partial ", string.Empty, StringComparison.Ordinal);
                break;
            case 3:
                int target = random.Next(lines.Count);
                lines[target] = lines[target].Replace("Dense(", "Dense(" + random.Next(-2, 40) + " + ", StringComparison.Ordinal);
                break;
            case 4:
                int layers = lines.FindIndex(text => text.TrimStart().StartsWith("[D", StringComparison.Ordinal));
                lines[layers] = lines[layers].Replace("[", "[" + Pick(random, Layers) + ", ", StringComparison.Ordinal);
                break;
            default:
                var whole = string.Join("\n", lines);
                return Usings + whole.Substring(0, random.Next(whole.Length));
        }

        return Usings + string.Join("\n", lines);
    }

    private static string Declaration(Random random)
    {
        var lines = new List<string> { "using AutoencoderDsl;", "using TorchSharp.Modules;", Pick(random, Namespaces) };
        if (random.Next(8) == 0)
        {
            lines.Add("public sealed class CustomAttribute : LayerAttribute { }");
        }

        bool nested = random.Next(4) == 0;
        if (nested)
        {
            lines.Add(Pick(random, Containers));
            lines.Add("{");
        }

        lines.AddRange(ModelAttributes(random));
        lines.AddRange(Enumerable.Range(0, Weighted(random, 0, 2, 3)).Select(_ => $"[{Pick(random, PartAttributes)}]"));
        lines.AddRange(Enumerable.Range(0, Weighted(random, 1, 3, 1)).Select(_ => $"[Input({Pick(random, InputArguments)})]"));
        lines.Add(Pick(random, TypeHeaders));
        lines.Add("{");
        lines.Add("    public const int Size = 16;");
        lines.AddRange(Stack(random, "Encoder"));
        lines.AddRange(Stack(random, "Decoder"));
        if (random.Next(6) == 0)
        {
            lines.Add($"    [{Pick(random, Layers)}] public int Extra {{ get; set; }}");
        }

        if (random.Next(8) == 0)
        {
            lines.Add("    " + Pick(random, Fragments));
        }

        lines.Add("}");
        if (nested)
        {
            lines.Add("}");
        }

        var source = string.Join("\n", lines);

        // Some sources are cut off mid-edit, wherever the cursor happened to be.
        return random.Next(10) == 0 ? source.Substring(0, random.Next(source.Length)) : source;
    }

    private static IEnumerable<string> ModelAttributes(Random random)
    {
        int count = Weighted(random, 1, 10, 2);
        for (int index = 0; index < count; index++)
        {
            bool variational = random.Next(2) == 0;
            var arguments = new List<string>();
            if (random.Next(8) != 0)
            {
                arguments.Add($"LatentDim = {Pick(random, LatentDims)}");
            }

            if (variational && random.Next(3) == 0)
            {
                arguments.Add($"Beta = {Pick(random, Betas)}");
            }

            if (random.Next(3) == 0)
            {
                arguments.Add($"Likelihood = {Pick(random, Likelihoods)}");
            }

            if (random.Next(4) == 0)
            {
                arguments.Add(Pick(random, ModelOptions));
            }

            yield return $"[{(variational ? "Variational" : "Autoencoder")}({string.Join(", ", arguments)})]";
        }
    }

    private static IEnumerable<string> Stack(Random random, string name)
    {
        var layers = string.Join(", ", Enumerable.Range(0, random.Next(7)).Select(_ => Pick(random, Layers)));
        var attributes = layers.Length == 0 ? "    " : $"    [{layers}] ";
        var type = Pick(random, PropertyTypes);
        yield return random.Next(14) switch
        {
            0 => string.Empty,
            1 => $"{attributes}public {type} {name} {{ get; }}",
            2 => $"{attributes}public static partial {type} {name} {{ get; }}",
            3 => $"{attributes}public partial {type} {name} {{ get; set; }}",
            4 => $"{attributes}public partial {type} {name} {{ get; init; }}",
            5 => $"{attributes}public {type} {name} = null!;",
            6 => $"{attributes}public {type} {name}() => null!;",
            7 => $"{attributes}public partial {type} {name} {{ get; }}\n    public partial {type} {name} => null!;",
            8 => $"{attributes}public partial {type} {name} {{ get; }}\n    [Dense(2)] public partial {type} {name} => null!;",
            9 => $"{attributes}public partial {type} {name} {{ get; }}\n    public partial {type} {name} {{ get; }}",
            10 => $"{attributes}protected internal virtual partial {type} {name} {{ get; }}",
            _ => $"{attributes}public partial {type} {name} {{ get; }}",
        };
    }

    private static string Pick(Random random, string[] options) => options[random.Next(options.Length)];

    /// <summary>Usually <paramref name="usual"/>, once in <paramref name="rarity"/> draws anything from 0 to <paramref name="most"/>.</summary>
    private static int Weighted(Random random, int usual, int rarity, int most) => random.Next(rarity) == 0 ? random.Next(most + 1) : usual;
}
