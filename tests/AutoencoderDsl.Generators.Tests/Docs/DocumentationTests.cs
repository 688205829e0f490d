using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using AutoencoderDsl.Generators.Diagnostics;
using AutoencoderDsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AutoencoderDsl.Generators.Tests.Docs;

/// <summary>
/// Documentation that cannot rot: every C# block in README.md, docs/ and the packages' READMEs compiles with the generator and the analyzers,
/// warnings as errors; every diagnostic page's example reports that diagnostic; the generated-code page shows what the
/// generator writes today; the reference names every attribute.
/// </summary>
public sealed partial class DocumentationTests
{
    private static readonly string Repository = FindRepository();

    /// <summary>What a block may use without saying so: the libraries' namespaces, as a reader's project imports them.</summary>
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using AutoencoderDsl;
        global using AutoencoderDsl.Data;
        global using AutoencoderDsl.Evaluation;
        global using AutoencoderDsl.Images;
        global using AutoencoderDsl.Onnx;
        global using AutoencoderDsl.Plotting;
        global using AutoencoderDsl.PyTorch;
        global using AutoencoderDsl.Tabular;
        global using AutoencoderDsl.Training;
        global using TorchSharp;
        global using TorchSharp.Modules;
        global using static TorchSharp.torch;
        """;

    /// <summary>A block of one Markdown file, with the variables its <c>&lt;!-- context: ... --&gt;</c> comment declares.</summary>
    public sealed record Block(string File, int Line, string Info, string Code, string Context)
    {
        public override string ToString() => $"{File}:{Line}";
    }

    public static TheoryData<string> Pages => [.. MarkdownFiles().Select(path => Path.GetRelativePath(Repository, path))];

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task EveryCSharpBlockCompilesWithTheGeneratorWarningsAsErrors(string page)
    {
        var declarations = SharedDeclarations();
        var blocks = BlocksOf(Path.Combine(Repository, page)).Where(block => block.Info == "csharp").ToList();
        foreach (var block in blocks)
        {
            var sources = IsStatements(block)
                ? declarations.Append(WithContext(block))
                : declarations.Contains(block.Code) ? declarations : declarations.Append(block.Code);
            var problems = await Problems(sources, OutputKind.ConsoleApplication, IsStatements(block));
            Assert.True(problems.Count == 0, $"{block} does not compile:\n{string.Join("\n", problems)}\n---\n{block.Code}");
        }
    }

    [Fact]
    public async Task EveryDiagnosticPageExampleReportsItsDiagnostic()
    {
        foreach (var page in Directory.GetFiles(Path.Combine(Repository, "docs", "diagnostics"), "ADSL*.md").Order())
        {
            var id = Path.GetFileNameWithoutExtension(page);
            var example = BlocksOf(page).First(block => block.Info == "csharp");
            var compilation = GeneratorRun.Run(Compilation([example.Code], OutputKind.DynamicallyLinkedLibrary)).Output;
            var diagnostics = await compilation.WithAnalyzers(Analyzers()).GetAllDiagnosticsAsync();
            Assert.True(diagnostics.Any(diagnostic => diagnostic.Id == id), $"{Path.GetFileName(page)}'s example does not report {id}; it reports {string.Join(", ", diagnostics.Select(diagnostic => diagnostic.Id).Distinct())}.");
        }
    }

    [Fact]
    public void TheGeneratedCodePageShowsWhatTheGeneratorWrites()
    {
        var page = Path.Combine(Repository, "docs", "generated-code.md");
        var shown = BlocksOf(page).Single(block => block.Info == "csharp generated").Code;
        var snapshot = Directory.GetFiles(Path.Combine(Repository, "tests", "AutoencoderDsl.Generators.Tests", "Snapshots"), "SnapshotTests.VariationalBernoulliWithFusedSigmoid#*.verified.cs").Single();

        Assert.Equal(File.ReadAllText(snapshot).ReplaceLineEndings("\n").TrimEnd(), shown.ReplaceLineEndings("\n").TrimEnd());
    }

    [Fact]
    public void TheReferenceNamesEveryAttribute()
    {
        var reference = File.ReadAllText(Path.Combine(Repository, "docs", "reference.md"));
        var attributes = typeof(AutoencoderAttribute).Assembly.GetExportedTypes()
            .Where(type => typeof(Attribute).IsAssignableFrom(type) && !type.IsAbstract)
            .Select(type => type.Name[..^"Attribute".Length]);

        Assert.All(attributes, name => Assert.Contains($"`{name}", reference, StringComparison.Ordinal));
    }

    /// <summary>
    /// Every Markdown page a user reads, the diagnostic pages aside (their examples are wrong on purpose): README.md,
    /// docs/, and the README.md each package shows on its page (src/*/README.md).
    /// </summary>
    private static IEnumerable<string> MarkdownFiles() =>
        new[] { Path.Combine(Repository, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(Repository, "docs"), "*.md").Order())
            .Concat(Directory.GetDirectories(Path.Combine(Repository, "src")).Order().Select(project => Path.Combine(project, "README.md")).Where(File.Exists));

    /// <summary>The declarations of every page's blocks together, so one page's statements may use a model another declares.</summary>
    private static ImmutableArray<string> SharedDeclarations() =>
        MarkdownFiles().SelectMany(BlocksOf).Where(block => block.Info == "csharp" && !IsStatements(block)).Select(block => block.Code).ToImmutableArray();

    /// <summary>The block with its context's declarations after its using directives, where statements may start.</summary>
    private static string WithContext(Block block)
    {
        var lines = block.Code.Split('\n');
        int usings = lines.TakeWhile(line => line.StartsWith("using ", StringComparison.Ordinal) && !line.StartsWith("using var ", StringComparison.Ordinal) || line.Length == 0).Count();
        return string.Join('\n', lines.Take(usings)) + "\n" + block.Context + string.Join('\n', lines.Skip(usings));
    }

    private static bool IsStatements(Block block) =>
        CSharpSyntaxTree.ParseText(block.Code, TestCompilation.ParseOptions).GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any();

    private static IEnumerable<Block> BlocksOf(string path)
    {
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        foreach (Match match in FencePattern().Matches(text))
        {
            var context = match.Groups["context"].Success
                ? string.Concat(match.Groups["context"].Value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Declare))
                : string.Empty;
            yield return new Block(Path.GetRelativePath(Repository, path), text[..match.Index].Count(c => c == '\n') + 1, match.Groups["info"].Value.Trim(), match.Groups["code"].Value, context);
        }
    }

    /// <summary><c>Tensor train, test</c> as <c>Tensor train = null!, test = null!;</c>: names a block uses, of the types it says.</summary>
    private static string Declare(string declaration)
    {
        int space = declaration.LastIndexOf(' ', declaration.IndexOf(',') is var comma and >= 0 ? comma : declaration.Length - 1);
        var type = declaration[..space].Trim();
        var names = declaration[(space + 1)..].Split(',', StringSplitOptions.TrimEntries);
        return $"{type} {string.Join(", ", names.Select(name => name + " = null!"))};\n";
    }

    private static async Task<List<string>> Problems(IEnumerable<string> sources, OutputKind kind, bool hasStatements)
    {
        var compilation = Compilation(sources, hasStatements ? kind : OutputKind.DynamicallyLinkedLibrary);
        var run = GeneratorRun.Run(compilation);
        var diagnostics = await run.Output.WithAnalyzers(Analyzers()).GetAllDiagnosticsAsync();
        return run.GeneratorDiagnostics.Concat(diagnostics)
            .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error)
            .Select(diagnostic => diagnostic.ToString())
            .ToList();
    }

    private static CSharpCompilation Compilation(IEnumerable<string> sources, OutputKind kind) =>
        CSharpCompilation.Create(
            "Docs",
            sources.Prepend(GlobalUsings).Select((source, index) => CSharpSyntaxTree.ParseText(source, TestCompilation.ParseOptions, path: $"Block{index}.cs")),
            AllReferences.Value,
            new CSharpCompilationOptions(
                kind,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: ReportDiagnostic.Error,

                // A block repeats a using the harness also declares globally, as a reader's file would have it.
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic> { ["CS0105"] = ReportDiagnostic.Suppress, ["CS8019"] = ReportDiagnostic.Suppress, ["CS8933"] = ReportDiagnostic.Suppress }));

    private static ImmutableArray<DiagnosticAnalyzer> Analyzers() => [new ModelAnalyzer()];

    /// <summary>The framework and every library beside the tests: the runtime, its companions and what they use.</summary>
    private static readonly Lazy<ImmutableArray<MetadataReference>> AllReferences = new(() =>
        TestCompilation.References
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
                .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("AutoencoderDsl.", StringComparison.Ordinal) || name.StartsWith("ScottPlot", StringComparison.Ordinal) || name.StartsWith("SkiaSharp", StringComparison.Ordinal) || name.StartsWith("Microsoft.ML", StringComparison.Ordinal) || name is "OnnxSharp.dll" or "Google.Protobuf.dll" or "TorchSharp.PyBridge.dll" or "CsvHelper.dll"))
                .Where(path => Path.GetFileName(path) is var name && !name.Contains("Tests", StringComparison.Ordinal) && name is not ("AutoencoderDsl.Generators.dll" or "AutoencoderDsl.CodeFixes.dll"))
                .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)))
            .GroupBy(reference => Path.GetFileName(reference.Display))
            .Select(group => group.First())
            .ToImmutableArray());

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "AutoencoderDsl.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No AutoencoderDsl.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"(?:<!--\s*context:\s*(?<context>[^\n]*?)\s*-->\s*\n)?```(?<info>csharp[^\n]*)\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencePattern();
}
