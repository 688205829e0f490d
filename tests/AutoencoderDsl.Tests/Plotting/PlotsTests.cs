using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Plotting;
using AutoencoderDsl.Tests.Data;
using AutoencoderDsl.Training;
using SkiaSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Plotting;

/// <summary>The plots render, at their size, with the colours of what they show.</summary>
public sealed class PlotsTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static int Coloured(SKBitmap bitmap, SKColor colour) =>
        Enumerable.Range(0, bitmap.Height).Sum(y => Enumerable.Range(0, bitmap.Width).Count(x => Near(bitmap.GetPixel(x, y), colour)));

    private static bool Near(SKColor a, SKColor b) => Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue) < 30;

    [Fact]
    public void TheLatentScatterDrawsEachClassInItsColour()
    {
        using var generator = new Generator(1);
        using var points = cat([randn([50, 2], generator: generator), randn([50, 2], generator: generator) + 5]);
        using var labels = cat([zeros(50, dtype: ScalarType.Int64), ones(50, dtype: ScalarType.Int64)]);

        Plots.LatentScatter(points, labels, ["circles", "squares"], folder.File("scatter.png"));

        using var png = SKBitmap.Decode(folder.File("scatter.png"));
        Assert.Equal((Plots.Width, Plots.Height), (png.Width, png.Height));
        var palette = new ScottPlot.Palettes.Category10();
        foreach (int label in new[] { 0, 1 })
        {
            var colour = palette.GetColor(label);
            Assert.True(Coloured(png, new SKColor(colour.R, colour.G, colour.B)) > 20, $"class {label}'s colour is missing");
        }

        using var outOfRange = full(100, 2L);
        Assert.Throws<ArgumentException>(() => Plots.LatentScatter(points, outOfRange, ["circles", "squares"], folder.File("bad.png")));
    }

    [Fact]
    public void MarkersShrinkAndFadeAsPointsCrowdIn()
    {
        Assert.Equal((5f, 1.0), Plots.MarkerFor(2000));
        var (size, alpha) = Plots.MarkerFor(10_000);
        Assert.Equal(3.37, size, 0.01);
        Assert.Equal(0.447, alpha, 0.001);
        Assert.Equal(0.2, Plots.MarkerFor(60_000).Alpha);
        Assert.True(Plots.MarkerFor(60_000).Size < size);
    }

    [Fact]
    public void ThumbnailsOfTheExamplesNearestEachCellsCentreAreDrawnOnTheMapInTheirClassFrames()
    {
        using var generator = new Generator(2);
        using var points = cat([randn([200, 2], generator: generator), randn([200, 2], generator: generator) + 6]);
        using var labels = cat([zeros(200, dtype: ScalarType.Int64), ones(200, dtype: ScalarType.Int64)]);

        // White images for one class and mid-grey for the other, so the thumbnails' pixels can be told from the plot's.
        using var images = cat([ones(200, 1, 8, 8), full([200, 1, 8, 8], 0.5f)]);

        int drawn = Plots.ThumbnailMap(points, images, labels, ["white", "grey"], folder.File("map.png"), cells: 10);
        Assert.InRange(drawn, 10, 100);

        using var png = SKBitmap.Decode(folder.File("map.png"));
        Assert.Equal((Plots.Width, Plots.Height), (png.Width, png.Height));
        Assert.True(Coloured(png, new SKColor(128, 128, 128)) > 100, "the grey thumbnails are missing");
        var palette = new ScottPlot.Palettes.Category10();
        foreach (int label in new[] { 0, 1 })
        {
            var colour = palette.GetColor(label);
            Assert.True(Coloured(png, new SKColor(colour.R, colour.G, colour.B)) > 20, $"class {label}'s frames are missing");
        }

        using var fewer = ones(10, 1, 8, 8);
        var mismatch = Assert.Throws<ArgumentException>(() => Plots.ThumbnailMap(points, fewer, labels, ["white", "grey"], folder.File("bad.png")));
        Assert.Contains("one image per point, 400, but got 10", mismatch.Message);
        using var nan = full([400, 2], double.NaN);
        Assert.Throws<ArgumentException>(() => Plots.LatentScatter(nan, labels, ["white", "grey"], folder.File("nan.png")));
    }

    [Fact]
    public void TheDecodedManifoldIsFadedWhereFewCodesLie()
    {
        // 99 codes in the bottom-left cell of a 4 × 4 grid over [0, 8]², one in the top-right: a black decoder's tiles
        // are black where the codes crowd and mid grey with 15 % of their contrast where none lie.
        using var generator = new Generator(3);
        using var points = cat([rand([99, 2], generator: generator), full([1, 2], 8.0f)]);
        var decoded = new List<long>();
        Tensor Decode(Tensor codes)
        {
            decoded.Add(codes.shape[0]);
            return zeros(codes.shape[0], 1, 6, 6);
        }

        var shares = Plots.DecodedManifold(Decode, points, folder.File("manifold.png"), side: 4);

        Assert.Equal([16L], decoded);
        Assert.Equal(0.99, shares[3, 0], 10);
        Assert.Equal(0.01, shares[0, 3], 10);
        Assert.Equal(1.0, shares.Cast<double>().Sum(), 10);
        using var png = SKBitmap.Decode(folder.File("manifold.png"));
        Assert.Equal((Plots.Width, Plots.Height), (png.Width, png.Height));
        Assert.True(Coloured(png, new SKColor(0, 0, 0)) > 1000, "the dense cell's tile is not black");
        Assert.True(Coloured(png, new SKColor(109, 109, 109)) > 1000, "the empty cells' tiles are not faded");

        Assert.Throws<ArgumentException>(() => Plots.DecodedManifold(codes => zeros(3, 1, 6, 6), points, folder.File("bad.png"), side: 4));
    }

    [Fact]
    public void EachLossTermFillsAPanelOfItsOwnOverWholeEpochs()
    {
        // A KL term of 6 beside a total of 300, as a VAE has them: on one shared axis the KL would lie flat.
        var epochs = Enumerable.Range(1, 10).Select(epoch => new EpochSummary(
            epoch,
            Metrics(300 - (5.0 * epoch), 294 - (5.0 * epoch), 6 - (0.1 * epoch)),
            Metrics(305 - (4.0 * epoch), 299 - (4.0 * epoch), 6 - (0.08 * epoch)),
            TimeSpan.FromSeconds(1))).ToArray();
        var history = new TrainingHistory(epochs, 0, TrainingStopReason.Completed, bestEpoch: 9, restoredBest: true);

        Plots.LossCurves(history, folder.File("loss.png"));

        using var png = SKBitmap.Decode(folder.File("loss.png"));
        Assert.Equal((Plots.Width, Plots.Height), (png.Width, png.Height));
        var palette = new ScottPlot.Palettes.Category10();
        for (int term = 0; term < 3; term++)
        {
            var colour = palette.GetColor(term);
            var rows = Enumerable.Range(0, png.Height).Where(y => Enumerable.Range(0, png.Width).Any(x => Near(png.GetPixel(x, y), new SKColor(colour.R, colour.G, colour.B)))).ToArray();
            Assert.True(rows.Length > 0 && rows[^1] - rows[0] > Plots.Height / 8, $"term {term}'s curve spans {(rows.Length == 0 ? 0 : rows[^1] - rows[0])} pixels of height");
        }

        var panels = ScottPlot.IMultiplotExtensions.GetPlots(Plots.LossPanels(history, "loss"));
        Assert.Equal(3, panels.Length);
        foreach (var panel in panels)
        {
            panel.RenderInMemory(Plots.Width, Plots.Height / 3);
            Assert.All(panel.Axes.Bottom.TickGenerator.Ticks.Where(tick => tick.IsMajor), tick => Assert.Equal(Math.Round(tick.Position), tick.Position));
        }
    }

    private static LossMetrics Metrics(double total, double reconstruction, double kl) =>
        new(new Dictionary<string, double> { [LossMetrics.TotalName] = total, [LossMetrics.ReconstructionName] = reconstruction, [LossMetrics.KlName] = kl });

    [Fact]
    public void LossCurvesAndRocCurvesAndBarsRender()
    {
        using var data = Training.TinyData.Create(64, seed: 1);
        using var model = new Models.TinyDenseCodeAe(seed: 2);
        var history = model.Fit(data, new FitOptions { Epochs = 3, BatchSize = 16, Seed = 3 }, validation: data);
        using var scores = tensor(new double[] { 0.9, 0.8, 0.7, 0.1 });
        using var truth = tensor(new[] { true, false, true, false });

        Plots.LossCurves(history, folder.File("loss.png"));
        Plots.RocCurves([("model", scores), ("reversed", -scores)], truth, folder.File("roc.png"));
        Plots.Bars([("noisy", 9.3), ("denoised", 18.5)], folder.File("bars.png"), "PSNR", "dB");

        foreach (var file in new[] { "loss.png", "roc.png", "bars.png" })
        {
            using var png = SKBitmap.Decode(folder.File(file));
            Assert.Equal((Plots.Width, Plots.Height), (png.Width, png.Height));
        }

        Assert.Throws<ArgumentException>(() => Plots.LossCurves(new TrainingHistory([], 0, TrainingStopReason.Completed, null, false), folder.File("empty.png")));
    }
}
