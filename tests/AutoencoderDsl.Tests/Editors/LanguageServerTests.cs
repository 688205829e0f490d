using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using AutoencoderDsl.Tests.Infrastructure;
using StreamJsonRpc;
using Xunit.Abstractions;

namespace AutoencoderDsl.Tests.Editors;

/// <summary>
/// What a user of a csharp-ls-based editor (Neovim, Helix, Emacs) sees: csharp-ls 0.28.0, the .NET tool pinned in the
/// repository's tool manifest, driven over the Language Server Protocol as an editor drives it. It runs our analyzer
/// once the editor turns <c>csharp.analyzersEnabled</c> on, and the generator always. Where the tool cannot be restored
/// the test says it skipped; with AUTOENCODERDSL_REQUIRE_LANGUAGE_SERVER=1 (as CI sets it) it fails instead.
/// </summary>
public sealed class LanguageServerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    // The ADSL022 example of docs/diagnostics: Dense(15) cannot be unflattened to [1, 4, 4]. Training calls the
    // generated Fit, which exists only once the model is valid.
    private const string Broken = """
        using AutoencoderDsl;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        namespace Probe;

        [Autoencoder(LatentDim = 2)]
        [Input(1, 4, 4)]
        public partial class Model
        {
            [Flatten, Dense(8), ReLU]
            public partial Sequential Encoder { get; }

            [Dense(15), Sigmoid, Unflatten(1, 4, 4)]
            public partial Sequential Decoder { get; }
        }

        public static class Training
        {
            public static Model Run(Tensor examples, string path)
            {
                var model = Model.Load(path);
                model.Fit(examples);
                return model;
            }
        }
        """;

    [Fact]
    public async Task EditorSeesTheDiagnosticAtTheAttributeUntilFixedThenTheGeneratedDocsAndSource()
    {
        if (!ToolRestored())
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        var project = WriteProject();
        try
        {
            var file = Path.Combine(project, "Model.cs");
            var editor = new Editor();
            await using var server = await LanguageServer.StartAsync(project, editor, output);
            await server.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = Uri(file), languageId = "csharp", version = 1, text = Broken } });

            // csharp-ls's default: compiler diagnostics only. The missing Load (CS0117: the generator writes it only for a
            // valid declaration) shows the project has loaded.
            var compilerOnly = await server.WaitForDiagnosticsAsync(Uri(file), items => items.Any(d => Code(d) == "CS0117"));
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:F1} s] analyzers off: {string.Join(", ", compilerOnly.Select(Code))}");
            Assert.DoesNotContain(compilerOnly, d => Code(d)!.StartsWith("ADSL", StringComparison.Ordinal));

            // The user turns analyzers on; an editor pushes the changed section.
            editor.AnalyzersEnabled = true;
            await server.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { csharp = editor.Settings } });
            var reported = (await server.WaitForDiagnosticsAsync(Uri(file), items => items.Any(d => Code(d) == "ADSL022"))).Single(d => Code(d) == "ADSL022");
            var range = reported.GetProperty("range");
            var message = reported.GetProperty("message").GetString();
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:F1} s] ADSL022 at {Describe(range)}: {message}");
            Assert.Equal(Range(Broken, "Unflatten(1, 4, 4)"), Describe(range));
            Assert.Equal("Unflatten[1, 4, 4] holds 16 elements but its input [15] has 15 in its first dimension; give dimensions whose product is 15.", message);
            Assert.Equal(1, reported.GetProperty("severity").GetInt32());

            // What an editor sends for one keystroke: the 5 of Dense(15) typed over its last digit.
            var digit = Broken.IndexOf("Dense(15)", StringComparison.Ordinal) + "Dense(1".Length;
            await server.NotifyAsync("textDocument/didChange", new
            {
                textDocument = new { uri = Uri(file), version = 2 },
                contentChanges = new[] { new { range = new { start = Position(Broken, digit), end = Position(Broken, digit + 1) }, text = "6" } },
            });
            var fixedText = Broken.Remove(digit, 1).Insert(digit, "6");
            var remaining = await server.WaitForDiagnosticsAsync(Uri(file), items => !items.Any(d => Code(d) == "ADSL022"));
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:F1} s] after the fix: {remaining.Length} diagnostics {string.Join(", ", remaining.Select(Code))}");
            Assert.DoesNotContain(remaining, d => d.GetProperty("severity").GetInt32() == 1);

            // Fit is the runtime's, inherited: its documentation is the base class's.
            var fit = fixedText.IndexOf("model.Fit", StringComparison.Ordinal) + "model.".Length;
            var hover = await server.RequestAsync("textDocument/hover", new { textDocument = new { uri = Uri(file) }, position = Position(fixedText, fit + 1) });
            Assert.Equal(JsonValueKind.Object, hover.ValueKind);
            var shown = hover.GetProperty("contents").GetProperty("value").GetString()!;
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:F1} s] hover on Fit:\n{shown}");
            Assert.Contains("AutoencoderModel.Fit(", shown, StringComparison.Ordinal);
            Assert.Contains("Trains on", shown, StringComparison.Ordinal);

            // Load is generated: its documentation names the model, and Go to Definition leads into the generated file,
            // which the server serves under a csharp:/ address.
            var load = fixedText.IndexOf("Model.Load", StringComparison.Ordinal) + "Model.".Length;
            var loadHover = (await server.RequestAsync("textDocument/hover", new { textDocument = new { uri = Uri(file) }, position = Position(fixedText, load + 1) })).GetProperty("contents").GetProperty("value").GetString()!;
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:F1} s] hover on Load:\n{loadHover}");
            Assert.Contains("Builds a Model and loads parameters", loadHover, StringComparison.Ordinal);
            var definition = (await server.RequestAsync("textDocument/definition", new { textDocument = new { uri = Uri(file) }, position = Position(fixedText, load + 1) })).EnumerateArray().Single();
            var generatedUri = definition.GetProperty("uri").GetString()!;
            var generated = (await server.RequestAsync("csharp/metadata", new { textDocument = new { uri = generatedUri } })).GetProperty("source").GetString()!;
            var line = generated.Split('\n')[definition.GetProperty("range").GetProperty("start").GetProperty("line").GetInt32()];
            output.WriteLine($"[{clock.Elapsed.TotalSeconds:F1} s] definition of Load: {generatedUri} at {Describe(definition.GetProperty("range"))}: {line.Trim()}");
            Assert.StartsWith("csharp:/", generatedUri, StringComparison.Ordinal);
            Assert.Contains(" Load(", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }

        output.WriteLine($"[{clock.Elapsed.TotalSeconds:F1} s] done");
    }

    /// <summary>
    /// A console project outside the repository, so none of its MSBuild files apply, that references what a package
    /// reference to AutoencoderDsl resolves to: the runtime and the attributes to compile against, and the generator
    /// with the attributes it reads as analyzers. Built by this test run already; the server has no project of ours to load.
    /// </summary>
    private static string WriteProject()
    {
        var analyzers = Path.Combine(DotnetProcess.Repository, "generators", "AutoencoderDsl.Generators", "bin", DotnetProcess.Configuration, "netstandard2.0");
        string[] references = ["AutoencoderDsl.dll", "AutoencoderDsl.Abstractions.dll", "TorchSharp.dll"];
        string[] analyzerFiles = ["AutoencoderDsl.Generators.dll", "AutoencoderDsl.Abstractions.dll"];
        foreach (var path in references.Select(name => Path.Combine(AppContext.BaseDirectory, name)).Concat(analyzerFiles.Select(name => Path.Combine(analyzers, name))))
        {
            Assert.True(File.Exists(path), $"{path} is missing; build the solution first (dotnet build AutoencoderDsl.sln).");
        }

        var project = Directory.CreateTempSubdirectory("adsl-language-server-").FullName;
        File.WriteAllText(Path.Combine(project, "Probe.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                {string.Concat(references.Select(name => $"<Reference Include=\"{Path.Combine(AppContext.BaseDirectory, name)}\" />"))}
                {string.Concat(analyzerFiles.Select(name => $"<Analyzer Include=\"{Path.Combine(analyzers, name)}\" />"))}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Model.cs"), Broken);
        // MSBuild stops looking upwards at the first of each: nothing left in the temporary folder above applies either.
        File.WriteAllText(Path.Combine(project, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(project, "Directory.Build.targets"), "<Project />");
        // The server loads projects as they are on disk and restores nothing.
        DotnetProcess.Run(project, TimeSpan.FromMinutes(2), "restore");
        return project;
    }

    /// <summary>Restores the repository's tool manifest (csharp-ls); false, with the reason written, where that fails.</summary>
    private bool ToolRestored()
    {
        var start = new ProcessStartInfo("dotnet", ["tool", "restore"])
        {
            WorkingDirectory = DotnetProcess.Repository,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
        }

        if (process.HasExited && process.ExitCode == 0)
        {
            return true;
        }

        var missing = $"'dotnet tool restore' could not install csharp-ls from .config/dotnet-tools.json:\n{stdout.Result}\n{stderr.Result}";
        if (Environment.GetEnvironmentVariable("AUTOENCODERDSL_REQUIRE_LANGUAGE_SERVER") == "1")
        {
            Assert.Fail($"AUTOENCODERDSL_REQUIRE_LANGUAGE_SERVER=1 but {missing}");
        }

        output.WriteLine($"Skipped: {missing}");
        return false;
    }

    private static string Uri(string path) => new Uri(path).AbsoluteUri;

    private static string? Code(JsonElement diagnostic) =>
        diagnostic.TryGetProperty("code", out var code) ? code.ToString() : null;

    /// <summary>An LSP position (zero-based line, UTF-16 column) of an offset in <paramref name="text"/>.</summary>
    private static object Position(string text, int offset)
    {
        var line = text.AsSpan(0, offset).Count('\n');
        return new { line, character = offset - (text.LastIndexOf('\n', Math.Max(offset - 1, 0)) + 1) };
    }

    /// <summary>The range of the only occurrence of <paramref name="part"/>, written as <see cref="Describe"/> writes one.</summary>
    private static string Range(string text, string part)
    {
        var at = text.IndexOf(part, StringComparison.Ordinal);
        Assert.Equal(at, text.LastIndexOf(part, StringComparison.Ordinal));
        return Describe(JsonSerializer.SerializeToElement(new { start = Position(text, at), end = Position(text, at + part.Length) }));
    }

    /// <summary>A range as line:character-line:character, one-based as editors show them.</summary>
    private static string Describe(JsonElement range)
    {
        static string At(JsonElement position) => $"{position.GetProperty("line").GetInt32() + 1}:{position.GetProperty("character").GetInt32() + 1}";
        return $"{At(range.GetProperty("start"))}-{At(range.GetProperty("end"))}";
    }

    /// <summary>csharp-ls in a child process, with a JSON-RPC connection over its standard input and output.</summary>
    private sealed class LanguageServer : IAsyncDisposable
    {
        private readonly Process process;
        private readonly JsonRpc rpc;
        private readonly Editor editor;

        private LanguageServer(Process process, Editor editor)
        {
            this.process = process;
            this.editor = editor;
            // StreamJsonRpc's HeaderDelimitedMessageHandler speaks LSP's framing (Content-Length headers), so the
            // client is only the editor's side of the few requests the server makes of it.
            rpc = new JsonRpc(new HeaderDelimitedMessageHandler(process.StandardInput.BaseStream, process.StandardOutput.BaseStream, new SystemTextJsonFormatter()));
            rpc.AddLocalRpcTarget(editor);
            rpc.StartListening();
        }

        /// <summary>Starts the server on <paramref name="folder"/> and completes LSP's initialize handshake.</summary>
        public static async Task<LanguageServer> StartAsync(string folder, Editor editor, ITestOutputHelper output)
        {
            var start = new ProcessStartInfo("dotnet", ["tool", "run", "csharp-ls", "--", "--loglevel", "warning"])
            {
                WorkingDirectory = DotnetProcess.Repository,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            // The server's MSBuild must be the SDK's, not the test host's.
            foreach (var name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "VSTEST_HOST_DEBUG" })
            {
                start.Environment.Remove(name);
            }

            var process = Process.Start(start)!;
            process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { editor.Log.Enqueue(line.Data); } };
            process.BeginErrorReadLine();
            var server = new LanguageServer(process, editor);
            try
            {
                var initialized = await server.RequestAsync("initialize", new
                {
                    processId = Environment.ProcessId,
                    rootUri = Uri(folder),
                    workspaceFolders = new[] { new { uri = Uri(folder), name = "probe" } },
                    capabilities = new
                    {
                        // The server asks for the "csharp" section, which Editor holds.
                        workspace = new { configuration = true },
                        // Declaring pull diagnostics makes csharp-ls answer textDocument/diagnostic instead of pushing.
                        textDocument = new
                        {
                            diagnostic = new { dynamicRegistration = false },
                            hover = new { contentFormat = new[] { "markdown", "plaintext" } },
                        },
                    },
                });
                output.WriteLine($"server: {initialized.GetProperty("serverInfo")}");
                await server.NotifyAsync("initialized", new { });
                return server;
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }

        public Task NotifyAsync(string method, object parameters) => rpc.NotifyWithParameterObjectAsync(method, parameters);

        public async Task<JsonElement> RequestAsync(string method, object parameters)
        {
            using var timeout = new CancellationTokenSource(Patience);
            try
            {
                return await rpc.InvokeWithParameterObjectAsync<JsonElement>(method, parameters, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"csharp-ls did not answer {method} within {Patience.TotalSeconds:F0} s.\n{Log()}");
            }
        }

        /// <summary>
        /// Asks for the document's diagnostics until they are what <paramref name="awaited"/> waits for, and gives them:
        /// the first answers can come before the server has loaded the project.
        /// </summary>
        public async Task<JsonElement[]> WaitForDiagnosticsAsync(string uri, Func<JsonElement[], bool> awaited)
        {
            var deadline = Stopwatch.StartNew();
            JsonElement[] items = [];
            while (deadline.Elapsed < Patience)
            {
                var report = await RequestAsync("textDocument/diagnostic", new { textDocument = new { uri } });
                items = [.. report.GetProperty("items").EnumerateArray()];
                if (awaited(items))
                {
                    return items;
                }

                await Task.Delay(250);
            }

            throw new TimeoutException($"csharp-ls did not report the expected diagnostics within {Patience.TotalSeconds:F0} s; last: {JsonSerializer.Serialize(items)}\n{Log()}");
        }

        private string Log() => string.Join('\n', editor.Log.TakeLast(40));

        public async ValueTask DisposeAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await rpc.InvokeWithParameterObjectAsync<JsonElement>("shutdown", null, timeout.Token);
                await rpc.NotifyWithParameterObjectAsync("exit", null);
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (Exception shutdown) when (shutdown is OperationCanceledException or ConnectionLostException or RemoteInvocationException)
            {
                // A server that will not stop is killed below; the test's assertions already say what went wrong.
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                rpc.Dispose();
                process.Dispose();
            }
        }
    }

    /// <summary>The editor's side: its settings, the requests csharp-ls sends to its client, and the server's log.</summary>
    private sealed class Editor
    {
        public ConcurrentQueue<string> Log { get; } = new();

        public bool AnalyzersEnabled { get; set; }

        /// <summary>
        /// The "csharp" section. Metadata addresses let Go to Definition reach generated files, which exist only in
        /// the server's memory unless the project sets EmitCompilerGeneratedFiles.
        /// </summary>
        public object Settings => new { analyzersEnabled = AnalyzersEnabled, useMetadataUris = true };

        [JsonRpcMethod("workspace/configuration", UseSingleObjectParameterDeserialization = true)]
        public object[] Configuration(JsonElement parameters) =>
            [.. parameters.GetProperty("items").EnumerateArray().Select(item => item.TryGetProperty("section", out var section) && section.GetString() == "csharp" ? Settings : new { })];

        [JsonRpcMethod("client/registerCapability", UseSingleObjectParameterDeserialization = true)]
        public object? RegisterCapability(JsonElement _) => null;

        [JsonRpcMethod("window/workDoneProgress/create", UseSingleObjectParameterDeserialization = true)]
        public object? CreateProgress(JsonElement _) => null;

        [JsonRpcMethod("window/logMessage", UseSingleObjectParameterDeserialization = true)]
        public void LogMessage(JsonElement message) => Log.Enqueue(message.GetProperty("message").GetString() ?? "");
    }
}
