using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AutoencoderDsl.Data;
using AutoencoderDsl.IO;
using AutoencoderDsl.Parts;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Tests.Interop;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Parts;

/// <summary>The vector-quantized latent's runtime: code choice, gradients, losses against PyTorch, usage, restarts, and the prior.</summary>
public sealed class VectorQuantizerTests(ITestOutputHelper output)
{
    public static TheoryData<long[]> Layouts => new() { new long[] { 7, 3 }, new long[] { 4, 3, 5 }, new long[] { 3, 3, 4, 5 } };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void EveryPositionGetsTheCodeABruteForceSearchFinds(long[] shape)
    {
        using var scope = NewDisposeScope();
        using var vq = Quantizer(codes: 6, width: 3, seed: 1);
        var z = randn(shape, generator: new Generator(2));

        var result = vq.forward(z);

        var (expected, vectors) = BruteForce(z, vq.Codebook);
        Assert.Equal(shape.Where((_, axis) => axis != 1), result.Indices.shape);
        Assert.Equal(expected, result.Indices.data<long>().ToArray());
        Assert.Equal(expected, vq.Encode(z).data<long>().ToArray());

        // The straight-through value z + sg[e − z] is e up to float rounding, and Lookup gives e itself in z's layout.
        var looked = vq.Lookup(result.Indices);
        Assert.Equal(z.shape, looked.shape);
        Assert.Equal(vectors, ChannelsLast(looked).data<float>().ToArray());
        Assert.True((result.Quantized - looked).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void ChunkedDistancesChooseWhatOneChunkChooses()
    {
        using var scope = NewDisposeScope();
        using var vq = Quantizer(codes: 600, width: 4, seed: 3);
        var flat = randn([5000, 4], generator: new Generator(4)) * 0.01;

        var whole = vq.NearestCodes(flat, rowsPerChunk: 5000);

        Assert.Equal(whole.data<long>().ToArray(), vq.NearestCodes(flat, rowsPerChunk: 7).data<long>().ToArray());
        // Encode's own chunks: 5000 rows × 600 codes is about three times the distance budget.
        Assert.True(5000 * 600 > 2 * VectorQuantizer.DistanceBudget);
        Assert.Equal(whole.data<long>().ToArray(), vq.Encode(flat).data<long>().ToArray());
    }

    [Fact]
    public void ATieGoesToTheLowestIndex()
    {
        using var scope = NewDisposeScope();
        using var vq = Quantizer(codes: 5, width: 2, seed: 5);
        SetCodebook(vq, new float[,] { { 1, 1 }, { 0.5f, -0.25f }, { -1, 0 }, { 0.5f, -0.25f }, { 0.5f, -0.25f } });

        // Exactly the repeated code, and a point at the same distance from it as from nothing closer.
        var indices = vq.Encode(tensor(new float[,] { { 0.5f, -0.25f }, { 0.5f, -0.5f }, { 1, 1 } }));

        Assert.Equal([1L, 1, 0], indices.data<long>().ToArray());
    }

    [Fact]
    public void TheOutputPassesGradientStraightThroughAndTheCodebookLearnsOnlyFromItsTerm()
    {
        using var scope = NewDisposeScope();
        using var vq = Quantizer(codes: 4, width: 3, seed: 6);
        var z = randn([2, 3, 2, 3], generator: new Generator(7)).requires_grad_();
        var upstream = randn([2, 3, 2, 3], generator: new Generator(8));

        var result = vq.forward(z);
        (result.Quantized * upstream).sum().backward();
        Assert.Equal(upstream.data<float>().ToArray(), z.grad!.data<float>().ToArray());
        Assert.True(vq.Codebook.grad is null || vq.Codebook.grad.count_nonzero().item<long>() == 0);

        // ∂/∂e_k of the codebook term: Σ over the positions choosing k of 2 (e_k − z) / N; nothing reaches z.
        z.grad!.zero_();
        vq.forward(z).CodebookLoss.backward();
        var flatZ = ChannelsLast(z.detach());
        var indices = vq.Encode(z).flatten();
        var chosen = vq.Codebook.detach().index_select(0, indices);
        var expected = zeros(4, 3).index_add_(0, indices, 2 * (chosen - flatZ) / 2, 1);
        Assert.True((vq.Codebook.grad! - expected).abs().max().item<float>() < 1e-6);
        Assert.Equal(0, z.grad!.count_nonzero().item<long>());

        // The commitment term: 2 (z − e) / N for z, nothing for the codebook.
        vq.Codebook.grad!.zero_();
        vq.forward(z).CommitmentLoss.backward();
        Assert.True((ChannelsLast(z.grad!) - (2 * (flatZ - chosen) / 2)).abs().max().item<float>() < 1e-6);
        Assert.Equal(0, vq.Codebook.grad!.count_nonzero().item<long>());
    }

    [Theory]
    [MemberData(nameof(Layouts))]
    public void LossesGradientsAndTheTwinAgreeWithPyTorch(long[] shape)
    {
        if (!PythonTorch.Available(output))
        {
            return;
        }

        using var scope = NewDisposeScope();
        using var folder = new TemporaryFolder();
        using var vq = Quantizer(codes: 8, width: 3, seed: 9);
        var z = randn(shape, generator: new Generator(10)).requires_grad_();
        var upstream = randn(shape, generator: new Generator(11));
        NpyFile.Write(z.detach(), folder.File("z.npy"));
        NpyFile.Write(upstream, folder.File("upstream.npy"));
        NpyFile.Write(vq.Codebook.detach(), folder.File("codebook.npy"));
        File.WriteAllText(folder.File("quantizer.py"), VectorQuantizer.PyTorchDefinition);
        File.WriteAllText(folder.File("check.py"), ParityScript);

        var result = vq.forward(z);
        (result.Quantized * upstream).sum().add(result.CodebookLoss).add(0.25 * result.CommitmentLoss).backward();
        PythonTorch.Run(folder.File("check.py"), TimeSpan.FromMinutes(2), folder.Path, vq.PyTorch);

        foreach (var source in new[] { "formulas", "twin" })
        {
            Tensor Read(string name) => NpyFile.Read(folder.File($"{source}-{name}.npy"));
            Assert.Equal(result.Indices.data<long>().ToArray(), Read("indices").data<long>().ToArray());
            double losses = Difference(stack([result.CodebookLoss, result.CommitmentLoss]), Read("losses"));
            double quantized = Difference(result.Quantized, Read("quantized"));
            double zGradient = Difference(z.grad!, Read("z_grad"));
            double codebookGradient = Difference(vq.Codebook.grad!, Read("codebook_grad"));
            output.WriteLine($"[{string.Join(", ", shape)}] vs PyTorch's {source}: losses {losses:E2}, quantized {quantized:E2}, ∂/∂z {zGradient:E2}, ∂/∂codebook {codebookGradient:E2}");
            Assert.True(losses <= 1e-5 && quantized <= 1e-6 && zGradient <= 1e-6 && codebookGradient <= 1e-5);
        }

        Assert.Equal(vq.Usage.data<long>().ToArray(), NpyFile.Read(folder.File("twin-usage.npy")).data<long>().ToArray());
    }

    [Fact]
    public void UsageCountsTrainingChoicesOnlyAndItsPerplexityIsKWhenUniformAndOneForASingleCode()
    {
        using var scope = NewDisposeScope();
        using var vq = Quantizer(codes: 4, width: 2, seed: 12);
        SetCodebook(vq, new float[,] { { 1, 0 }, { 0, 1 }, { -1, 0 }, { 0, -1 } });
        var everyCode = tensor(new float[,] { { 2, 0.1f }, { 0.1f, 2 }, { -2, 0 }, { 0, -2 }, { 0.9f, 0 }, { 0, 0.9f }, { -0.9f, 0 }, { 0, -0.9f } });
        Assert.True(double.IsNaN(vq.Perplexity));

        vq.eval();
        vq.forward(everyCode);
        Assert.Equal(0, vq.Usage.sum().item<long>());

        vq.train();
        vq.forward(everyCode);
        Assert.Equal([2L, 2, 2, 2], vq.Usage.data<long>().ToArray());
        Assert.Equal(4, vq.Perplexity, 12);

        vq.ResetUsage();
        vq.forward(tensor(new float[,] { { 0, 0.7f }, { 0.2f, 3 } }));
        Assert.Equal([0L, 2, 0, 0], vq.Usage.data<long>().ToArray());
        Assert.Equal(1, vq.Perplexity, 12);

        // Two codes in proportion 1 : 3 — exp of their entropy.
        vq.ResetUsage();
        vq.forward(tensor(new float[,] { { 2, 0 }, { 0, 2 }, { 0, 2 }, { 0, 2 } }));
        Assert.Equal(Math.Exp(-((0.25 * Math.Log(0.25)) + (0.75 * Math.Log(0.75)))), vq.Perplexity, 12);
    }

    [Fact]
    public void TheCodebookAndUsageAreTheStateDictAndComeBackExactly()
    {
        using var scope = NewDisposeScope();
        using var vq = Quantizer(codes: 5, width: 3, seed: 13);
        vq.forward(randn([6, 3, 2], generator: new Generator(14)));
        using var fresh = Quantizer(codes: 5, width: 3, seed: 15);

        var state = vq.state_dict();
        Assert.Equal(["codebook", "usage"], state.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ScalarType.Int64, state["usage"].dtype);
        fresh.load_state_dict(state);

        Assert.Equal(vq.Codebook.data<float>().ToArray(), fresh.Codebook.data<float>().ToArray());
        Assert.Equal(vq.Usage.data<long>().ToArray(), fresh.Usage.data<long>().ToArray());
        Assert.Equal(12, fresh.Usage.sum().item<long>());
    }

    [Fact]
    public void TheQuantizerAndItsPriorSurviveASafetensorsFileBitForBit()
    {
        using var scope = NewDisposeScope();
        using var vq = Quantizer(codes: 7, width: 3, seed: 40);
        var batch = randn([5, 3, 4, 2], generator: new Generator(41));
        var indices = vq.forward(batch).Indices;
        using var prior = CodePrior.Fit(indices, vq.Codes);
        var stream = new MemoryStream();
        SafeTensors.Write(stream, vq.state_dict().Concat(prior.Tensors.Select(pair => KeyValuePair.Create("prior." + pair.Key, pair.Value))), new Dictionary<string, string>());

        var file = stream.ToArray();
        var (entries, _, start) = SafeTensors.Read(file, "in memory");
        var read = entries.ToDictionary(entry => entry.Name, entry => SafeTensors.Tensor(file, start, entry));
        using var loaded = Quantizer(codes: 7, width: 3, seed: 42);
        loaded.load_state_dict(new Dictionary<string, Tensor> { ["codebook"] = read["codebook"], ["usage"] = read["usage"] });
        using var loadedPrior = CodePrior.FromTensors(new Dictionary<string, Tensor> { [CodePrior.CountsName] = read["prior.counts"] }, codes: 7, grid: [4, 2]);

        Assert.Equal(vq.Codebook.data<float>().ToArray(), loaded.Codebook.data<float>().ToArray());
        Assert.Equal(vq.Usage.data<long>().ToArray(), loaded.Usage.data<long>().ToArray());
        Assert.Equal(prior.Sample(50, new Generator(43)).data<long>().ToArray(), loadedPrior.Sample(50, new Generator(43)).data<long>().ToArray());
    }

    [Fact]
    public void RestartsRescueACodebookThatStartsFarFromTheData()
    {
        // 8 clusters on a circle of radius 3; the codebook starts within ±1/16 of the origin, so a few codes take every
        // point and the rest never move. Restarting the unused codes at data points lets all clusters be covered.
        using var scope = NewDisposeScope();
        var angles = arange(8, ScalarType.Float32) * (2 * Math.PI / 8);
        var centres = stack([angles.cos(), angles.sin()], 1) * 3;
        var data = centres.repeat(64, 1) + (0.05 * randn([512, 2], generator: new Generator(44)));

        (double Loss, double Perplexity) Train(bool restarts)
        {
            using var vq = Quantizer(codes: 16, width: 2, seed: 45);
            using var optimizer = optim.Adam(vq.parameters(), lr: 0.05);
            using var generator = new Generator(46);
            for (int step = 1; step <= 300; step++)
            {
                optimizer.zero_grad();
                vq.forward(data).CodebookLoss.backward();
                optimizer.step();
                if (restarts && step % 50 == 0 && step < 300)
                {
                    vq.RestartDeadCodes(data, minimumUses: 1, generator);
                }
            }

            vq.ResetUsage();
            double loss = vq.forward(data).CodebookLoss.item<float>();
            return (loss, vq.Perplexity);
        }

        var without = Train(restarts: false);
        var with = Train(restarts: true);

        output.WriteLine($"after 300 steps: codebook loss {without.Loss:F4} and perplexity {without.Perplexity:F2} without restarts, {with.Loss:F4} and {with.Perplexity:F2} with restarts every 50 steps");
        Assert.True(with.Perplexity >= 7.5, $"the restarted codebook's perplexity is {with.Perplexity}");
        Assert.True(with.Loss < without.Loss / 10, $"the codebook loss is {with.Loss} with restarts and {without.Loss} without");
    }

    [Fact]
    public void ConvertingTheModuleToFloat64ConvertsTheCodebookAndKeepsTheCountsWhole()
    {
        using var scope = NewDisposeScope();
        using var vq = Quantizer(codes: 4, width: 2, seed: 47);
        var codebook = vq.Codebook.detach().to(ScalarType.Float64);
        vq.to(ScalarType.Float64);

        var result = vq.forward(randn([3, 2, 5], ScalarType.Float64, generator: new Generator(48)));

        Assert.Equal(ScalarType.Float64, vq.Codebook.dtype);
        Assert.Equal(codebook.data<double>().ToArray(), vq.Codebook.data<double>().ToArray());
        Assert.Equal(ScalarType.Float64, result.CodebookLoss.dtype);
        Assert.Equal(ScalarType.Int64, vq.Usage.dtype);
        Assert.Equal(15, vq.Usage.sum().item<long>());
    }

    [Fact]
    public void TheCodebookStartsUniformInPlusMinusOneOverK()
    {
        using var scope = NewDisposeScope();
        using var vq = Quantizer(codes: 64, width: 32, seed: 16);
        var values = vq.Codebook.detach();

        Assert.True(values.abs().max().item<float>() <= 1f / 64);
        // A uniform on ±a has variance a² / 3; over 2048 draws the sample's is within 10 %.
        Assert.Equal(1.0 / (3 * 64 * 64), values.var().item<float>(), 1.0 / (3 * 64 * 64) * 0.1);
    }

    [Fact]
    public void DeadCodesRestartAtEncoderOutputsOfTheBatchDeterministicallyAndTheCountsReset()
    {
        using var scope = NewDisposeScope();
        int Restart(VectorQuantizer vq, Tensor batch, ulong seed)
        {
            SetCodebook(vq, new float[,] { { 1, 0 }, { 0, 1 }, { 50, 50 }, { 60, 60 }, { 70, 70 }, { 80, 80 } });
            vq.forward(tensor(new float[,] { { 1, 0.1f }, { 0.1f, 1 }, { 0.9f, 0 } }));
            return vq.RestartDeadCodes(batch, minimumUses: 2, new Generator(seed));
        }

        var batch = randn([3, 2, 4], generator: new Generator(17));
        var rows = ChannelsLast(batch);
        using var first = Quantizer(codes: 6, width: 2, seed: 18);
        using var second = Quantizer(codes: 6, width: 2, seed: 19);

        // Code 0 was chosen twice and stays; code 1 once and codes 2–5 never, so five restart.
        Assert.Equal(5, Restart(first, batch, seed: 20));
        Assert.Equal([1f, 0f], first.Codebook.detach()[0].data<float>().ToArray());
        var restarted = first.Codebook.detach()[1..];
        var matches = (restarted.unsqueeze(1) - rows.unsqueeze(0)).abs().sum(2).eq(0);
        Assert.True(matches.any(1).all().item<bool>(), "every restarted code is a row of the batch");
        Assert.Equal(5, matches.to(ScalarType.Int64).argmax(1).data<long>().Distinct().Count());
        Assert.Equal(0, first.Usage.sum().item<long>());

        Assert.Equal(5, Restart(second, batch, seed: 20));
        Assert.Equal(first.Codebook.data<float>().ToArray(), second.Codebook.data<float>().ToArray());
        Restart(second, batch, seed: 21);
        Assert.NotEqual(first.Codebook.data<float>().ToArray(), second.Codebook.data<float>().ToArray());

        // A batch of one position has fewer rows than dead codes: each takes that row.
        var single = tensor(new float[,] { { 3, -3 } });
        Assert.Equal(5, Restart(first, single, seed: 22));
        Assert.Equal(Enumerable.Repeat(new[] { 3f, -3f }, 5).SelectMany(row => row), first.Codebook.detach()[1..].data<float>().ToArray());
    }

    [Fact]
    public void BadInputIsRefusedWithWhatWasExpected()
    {
        using var scope = NewDisposeScope();
        using var vq = Quantizer(codes: 4, width: 3, seed: 23);

        Assert.Contains("[N, 3, H, W]", Assert.Throws<ArgumentException>(() => vq.forward(zeros(2, 4, 5, 5))).Message);
        Assert.Contains("[N, 3]", Assert.Throws<ArgumentException>(() => vq.Encode(zeros(3))).Message);
        Assert.Contains("Float64", Assert.Throws<ArgumentException>(() => vq.forward(zeros([2, 3], ScalarType.Float64))).Message);
        Assert.Contains("[0, 4)", Assert.Throws<ArgumentOutOfRangeException>(() => vq.Lookup(tensor(new long[] { 0, 4 }))).Message);
        Assert.Contains("Int64", Assert.Throws<ArgumentException>(() => vq.Lookup(zeros(2, ScalarType.Int32))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => vq.RestartDeadCodes(zeros(2, 3), minimumUses: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorQuantizer(1, 3));
    }

    [Fact]
    public void ThePriorCountsEachPositionsCodesWithAddOneSmoothing()
    {
        using var scope = NewDisposeScope();
        var indices = tensor(new long[,] { { 0, 2 }, { 0, 1 }, { 1, 2 } });

        using var prior = CodePrior.Fit(indices, codes: 3);

        Assert.Equal([2L], prior.Grid);
        Assert.Equal(3, prior.Examples);
        Assert.Equal([2L, 1, 0, 0, 1, 2], prior.Tensors[CodePrior.CountsName].data<long>().ToArray());
        Assert.Equal(new[] { 3.0, 2, 1, 1, 2, 3 }.Select(count => count / 6), prior.Probabilities.data<double>().ToArray());
    }

    [Fact]
    public void SamplesFollowTheFittedProbabilitiesAtEveryPosition()
    {
        using var scope = NewDisposeScope();
        // Each of 2 × 3 positions has its own skewed distribution over 5 codes.
        var skew = (randn([6, 5], generator: new Generator(24)) * 2).softmax(1);
        var training = skew.multinomial(400, replacement: true, generator: new Generator(25)).t().reshape(400, 2, 3);
        using var prior = CodePrior.Fit(training, codes: 5);
        const long Draws = 200_000;

        var samples = prior.Sample(Draws, new Generator(26));

        Assert.Equal([Draws, 2, 3], samples.shape);
        var frequencies = nn.functional.one_hot(samples.reshape(Draws, 6), 5).sum(dim: 0).to(ScalarType.Float64) / Draws;
        double worst = (frequencies - prior.Probabilities.reshape(6, 5)).abs().max().item<double>();
        output.WriteLine($"largest difference between a frequency in {Draws} draws and its probability: {worst:E2}");
        // A frequency's standard error is at most 0.5 / √200000 ≈ 0.0011; 0.01 is nine of them.
        Assert.True(worst < 0.01, $"a frequency differs from its probability by {worst}");
        Assert.Equal(samples.data<long>().ToArray(), prior.Sample(Draws, new Generator(26)).data<long>().ToArray());

        using var vectors = CodePrior.Fit(tensor(new long[] { 1, 1, 0 }), codes: 2);
        Assert.Equal([7L], vectors.Sample(7).shape);
    }

    [Fact]
    public void ASavedPriorComesBackWithTheSameProbabilities()
    {
        using var scope = NewDisposeScope();
        using var prior = CodePrior.Fit(randint(0, 4, [10, 2, 2], generator: new Generator(27)), codes: 4);

        using var loaded = CodePrior.FromTensors(prior.Tensors, codes: 4, grid: [2, 2]);

        Assert.Equal(10, loaded.Examples);
        Assert.Equal(prior.Probabilities.data<double>().ToArray(), loaded.Probabilities.data<double>().ToArray());
    }

    public static TheoryData<string> HostilePriors => new() { "missing", "extra", "float", "shape", "negative", "unequal", "empty", "wrapped" };

    [Theory]
    [MemberData(nameof(HostilePriors))]
    public void AMalformedPriorIsRefusedByName(string kind)
    {
        using var scope = NewDisposeScope();
        var good = tensor(new long[,] { { 2, 1, 0 }, { 0, 1, 2 } });
        Dictionary<string, Tensor> tensors = kind switch
        {
            "missing" => new() { ["count"] = good },
            "extra" => new() { [CodePrior.CountsName] = good, ["code"] = good },
            "float" => new() { [CodePrior.CountsName] = good.to(ScalarType.Float32) },
            "shape" => new() { [CodePrior.CountsName] = good.reshape(3, 2) },
            "negative" => new() { [CodePrior.CountsName] = tensor(new long[,] { { 4, -1, 0 }, { 1, 1, 1 } }) },
            "unequal" => new() { [CodePrior.CountsName] = tensor(new long[,] { { 2, 1, 0 }, { 0, 1, 3 } }) },
            "empty" => new() { [CodePrior.CountsName] = zeros([2, 3], ScalarType.Int64) },
            _ => new() { [CodePrior.CountsName] = tensor(new long[,] { { long.MaxValue, long.MaxValue, 3 }, { long.MaxValue, long.MaxValue, 3 } }) },
        };

        var error = Assert.Throws<InvalidOperationException>(() => CodePrior.FromTensors(tensors, codes: 3, grid: [2]));

        Assert.StartsWith("The saved code prior is not valid", error.Message, StringComparison.Ordinal);
    }

    private const string ParityScript = """
        import os, sys
        import numpy as np
        import torch
        import torch.nn as nn

        folder, constructor = sys.argv[1], sys.argv[2]
        load = lambda name: torch.from_numpy(np.load(os.path.join(folder, name + ".npy")))
        save = lambda name, value: np.save(os.path.join(folder, name + ".npy"), value.detach().numpy())
        exec(open(os.path.join(folder, "quantizer.py")).read())
        z0, upstream, codebook0 = load("z"), load("upstream"), load("codebook")

        # The paper's formulas, written out here: a brute-force nearest code, both terms, and the straight-through output.
        z = z0.clone().requires_grad_()
        codebook = codebook0.clone().requires_grad_()
        flat = z.detach().movedim(1, -1).reshape(-1, z.shape[1])
        indices = ((flat[:, None, :] - codebook.detach()[None, :, :]) ** 2).sum(2).argmin(1)
        e = codebook[indices].reshape(z.shape[:1] + z.shape[2:] + z.shape[1:2]).movedim(-1, 1)
        losses = torch.stack([((z.detach() - e) ** 2).flatten(1).sum(1).mean(), ((z - e.detach()) ** 2).flatten(1).sum(1).mean()])
        quantized = z + (e - z).detach()
        ((quantized * upstream).sum() + losses[0] + 0.25 * losses[1]).backward()
        for name, value in [("indices", indices.reshape(z.shape[:1] + z.shape[2:])), ("losses", losses), ("quantized", quantized), ("z_grad", z.grad), ("codebook_grad", codebook.grad)]:
            save("formulas-" + name, value)

        # The twin's module, given the same codebook.
        twin = eval(constructor)
        twin.load_state_dict({"codebook": codebook0, "usage": torch.zeros(codebook0.shape[0], dtype=torch.int64)}, strict=True)
        z = z0.clone().requires_grad_()
        quantized, indices, codebook_loss, commitment_loss = twin(z)
        ((quantized * upstream).sum() + codebook_loss + 0.25 * commitment_loss).backward()
        for name, value in [("indices", indices), ("losses", torch.stack([codebook_loss, commitment_loss])), ("quantized", quantized), ("z_grad", z.grad), ("codebook_grad", twin.codebook.grad), ("usage", twin.usage)]:
            save("twin-" + name, value)
        """;

    private static VectorQuantizer Quantizer(long codes, long width, int seed)
    {
        manual_seed(seed);
        return new VectorQuantizer(codes, width);
    }

    private static void SetCodebook(VectorQuantizer vq, float[,] values)
    {
        using var noGrad = no_grad();
        vq.Codebook.copy_(tensor(values));
    }

    /// <summary>Every position as a row <c>[M, D]</c>, in the order of the indices.</summary>
    private static Tensor ChannelsLast(Tensor batch) => batch.movedim([1], [-1]).reshape(-1, batch.shape[1]);

    /// <summary>The nearest code of each position by looping over every code in double precision, the first of equals winning; and those codes' values.</summary>
    private static (long[] Indices, float[] Vectors) BruteForce(Tensor z, Tensor codebook)
    {
        var rows = ChannelsLast(z).to(ScalarType.Float64);
        var codes = codebook.detach().to(ScalarType.Float64);
        long width = codes.shape[1];
        var points = rows.data<double>().ToArray();
        var book = codes.data<double>().ToArray();
        var book32 = codebook.detach().data<float>().ToArray();
        var indices = new List<long>();
        var vectors = new List<float>();
        for (long row = 0; row < rows.shape[0]; row++)
        {
            long best = 0;
            double bestDistance = double.PositiveInfinity;
            for (long code = 0; code < codes.shape[0]; code++)
            {
                double distance = 0;
                for (long d = 0; d < width; d++)
                {
                    distance += Math.Pow(points[(row * width) + d] - book[(code * width) + d], 2);
                }

                if (distance < bestDistance)
                {
                    (best, bestDistance) = (code, distance);
                }
            }

            indices.Add(best);
            vectors.AddRange(book32.Skip((int)(best * width)).Take((int)width));
        }

        return (indices.ToArray(), vectors.ToArray());
    }

    private static double Difference(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        return (expected.detach().to(ScalarType.Float64) - actual.to(ScalarType.Float64)).abs().max().item<double>();
    }
}
