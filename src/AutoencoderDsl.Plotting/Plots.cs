using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.IO;
using AutoencoderDsl.Training;
using ScottPlot;
using SkiaSharp;
using static TorchSharp.torch;

namespace AutoencoderDsl.Plotting;

/// <summary>Plots of what a model learned and how training went, drawn with ScottPlot and written as PNG files, atomically.</summary>
public static class Plots
{
    /// <summary>The width of every plot, in pixels.</summary>
    public const int Width = 900;

    /// <summary>The height of every plot, in pixels.</summary>
    public const int Height = 650;

    /// <summary>
    /// A 2-D embedding as a scatter, one colour per class with a legend of the class names, equal units on both axes (so
    /// distances on the map are distances in the code), and markers sized and made transparent for the number of points
    /// (<see cref="MarkerFor"/>), so that 10,000 points show their density instead of a solid blot.
    /// </summary>
    /// <param name="points">The codes, <c>[N, 2]</c>.</param>
    /// <param name="labels">Each point's class, Int64 <c>[N]</c>, indices into <paramref name="classNames"/>.</param>
    /// <param name="classNames">The classes' names, for the legend.</param>
    /// <param name="path">The PNG file.</param>
    /// <param name="title">The plot's title.</param>
    public static void LatentScatter(Tensor points, Tensor labels, IReadOnlyList<string> classNames, string path, string title = "Latent space")
    {
        var (xs, ys, classes) = Points(points, labels, classNames);
        var plot = new Plot();
        AddClasses(plot, xs, ys, classes, classNames, MarkerFor(xs.Length));
        SaveMap(plot, title, path);
    }

    /// <summary>
    /// Examples drawn on the map where their codes lie, as UMAP users publish them: the plane is cut into
    /// <paramref name="cells"/> × <paramref name="cells"/> squares over the points' extent, and in each square that holds
    /// codes the example nearest its centre is drawn there as a thumbnail framed in its class's colour, over the faint
    /// scatter of every point.
    /// </summary>
    /// <param name="points">The codes, <c>[N, 2]</c>.</param>
    /// <param name="images">The examples, <c>[N, 1, H, W]</c>, <c>[N, 3, H, W]</c> or <c>[N, H, W]</c>, values in [0, 1].</param>
    /// <param name="labels">Each point's class, Int64 <c>[N]</c>, indices into <paramref name="classNames"/>.</param>
    /// <param name="classNames">The classes' names, for the legend.</param>
    /// <param name="path">The PNG file.</param>
    /// <param name="cells">How many squares across the longer side of the map; from 2 to 100.</param>
    /// <param name="title">The plot's title.</param>
    /// <returns>How many thumbnails were drawn.</returns>
    public static int ThumbnailMap(Tensor points, Tensor images, Tensor labels, IReadOnlyList<string> classNames, string path, int cells = 24, string title = "Examples on the latent space")
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(cells, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cells, 100);
        var (xs, ys, classes) = Points(points, labels, classNames);
        var (pixels, count, channels, height, width) = ImageGrid.Pixels(images);
        if (count != xs.Length)
        {
            throw new ArgumentException($"Expected one image per point, {xs.Length}, but got {count}.", nameof(images));
        }

        var plot = new Plot();
        var (size, alpha) = MarkerFor(xs.Length);
        AddClasses(plot, xs, ys, classes, classNames, (size, alpha / 2), legend: false);
        var palette = new ScottPlot.Palettes.Category10();

        // The faint scatter would give faint legend markers: the legend shows the frames' colours instead.
        foreach (int label in classes.Distinct().Order())
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = classNames[(int)label], MarkerFillColor = palette.GetColor((int)label), MarkerShape = MarkerShape.FilledSquare, MarkerSize = 8 });
        }

        // Square cells over the longer side, so the thumbnails keep the images' proportions on equal units.
        double left = xs.Min(), bottom = ys.Min();
        double side = Math.Max(Math.Max(xs.Max() - left, ys.Max() - bottom), 1e-12) / cells;
        double DistanceToCentre(int n, (int Column, int Row) cell) =>
            Math.Pow(xs[n] - left - ((cell.Column + 0.5) * side), 2) + Math.Pow(ys[n] - bottom - ((cell.Row + 0.5) * side), 2);

        var chosen = new Dictionary<(int Column, int Row), int>();
        for (int n = 0; n < xs.Length; n++)
        {
            var cell = (Math.Min((int)((xs[n] - left) / side), cells - 1), Math.Min((int)((ys[n] - bottom) / side), cells - 1));
            if (!chosen.TryGetValue(cell, out int best) || DistanceToCentre(n, cell) < DistanceToCentre(best, cell))
            {
                chosen[cell] = n;
            }
        }

        var thumbnails = new List<ScottPlot.Image>();
        try
        {
            foreach (var n in chosen.OrderBy(pair => pair.Key).Select(pair => pair.Value))
            {
                using var tile = ImageGrid.Tile(pixels, n, channels, height, width);
                var thumbnail = new ScottPlot.Image(SKBitmap.FromImage(tile));
                thumbnails.Add(thumbnail);
                double half = side * 0.45;
                var frame = new CoordinateRect(xs[n] - half, xs[n] + half, ys[n] - half, ys[n] + half);
                plot.Add.ImageRect(thumbnail, frame);
                var border = plot.Add.Rectangle(frame.Left, frame.Right, frame.Bottom, frame.Top);
                border.FillStyle.Color = Colors.Transparent;
                border.LineStyle.Color = palette.GetColor((int)classes[n]);
                border.LineStyle.Width = 1.5f;
            }

            SaveMap(plot, title, path);
        }
        finally
        {
            thumbnails.ForEach(thumbnail => thumbnail.Dispose());
        }

        return chosen.Count;
    }

    /// <summary>
    /// The decoder over the part of the plane where the codes lie, with the data's density behind it: an even
    /// <paramref name="side"/> × <paramref name="side"/> grid of codes over the square that holds
    /// <paramref name="points"/>, each decoded and drawn in its cell on axes of the code, its contrast faded towards mid
    /// grey by how few of the points fall in that cell (full contrast where the codes are densest, 15 % where there are
    /// none), so the map shows both what the decoder makes and whether data was there to teach it.
    /// </summary>
    /// <param name="decode">The model's decoder on codes <c>[M, 2]</c>, giving images <c>[M, C, H, W]</c> or <c>[M, H, W]</c> in [0, 1], such as <c>z =&gt; model.Decode(z)</c>.</param>
    /// <param name="points">The codes of the data, <c>[N, 2]</c>, whose extent the grid covers and whose density fades it.</param>
    /// <param name="path">The PNG file.</param>
    /// <param name="side">Cells across each side; from 2 to 64.</param>
    /// <param name="title">The plot's title.</param>
    /// <returns>Each cell's share of the points, <c>[side, side]</c> row by row from the top, which set its contrast.</returns>
    public static double[,] DecodedManifold(Func<Tensor, Tensor> decode, Tensor points, string path, int side = 20, string title = "The decoder where the codes lie")
    {
        ArgumentNullException.ThrowIfNull(decode);
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(side, 64);
        using var classes = zeros(points.shape.Length > 0 ? points.shape[0] : 0, dtype: ScalarType.Int64);
        var (xs, ys, _) = Points(points, classes, ["points"]);

        // A square over the points' extent, so that cells are square on equal units.
        double middleX = (xs.Min() + xs.Max()) / 2, middleY = (ys.Min() + ys.Max()) / 2;
        double width = Math.Max(Math.Max(xs.Max() - xs.Min(), ys.Max() - ys.Min()), 1e-12);
        double cell = width / side, left = middleX - (width / 2), top = middleY + (width / 2);
        var shares = new double[side, side];
        for (int n = 0; n < xs.Length; n++)
        {
            int column = Math.Min((int)((xs[n] - left) / cell), side - 1), row = Math.Min((int)((top - ys[n]) / cell), side - 1);
            shares[row, column] += 1.0 / xs.Length;
        }

        double densest = shares.Cast<double>().Max();
        byte[] pixels;
        int count, channels, height, imageWidth;
        using (var scope = NewDisposeScope())
        {
            var centres = arange(side, dtype: ScalarType.Float64).add(0.5).mul(cell);
            var codes = stack([centres.add(left).repeat(side), centres.neg().add(top).repeat_interleave(side)], dim: 1);
            using var noGrad = no_grad();
            (pixels, count, channels, height, imageWidth) = ImageGrid.Pixels(decode(codes.to(ScalarType.Float32)));
        }

        if (count != side * side)
        {
            throw new ArgumentException($"The decoder must give one image per code, {side * side}, but gave {count}.", nameof(decode));
        }

        var plot = new Plot();
        var tiles = new List<ScottPlot.Image>();
        try
        {
            int plane = height * imageWidth;
            for (int index = 0; index < count; index++)
            {
                int row = index / side, column = index % side;

                // Fading the pixels themselves keeps the tiles opaque, so no grid line shows through.
                double contrast = 0.15 + (0.85 * Math.Sqrt(shares[row, column] / densest));
                var faded = new byte[channels * plane];
                for (int at = 0; at < faded.Length; at++)
                {
                    faded[at] = (byte)Math.Round((contrast * pixels[(index * channels * plane) + at]) + ((1 - contrast) * 128));
                }

                using var image = ImageGrid.Tile(faded, 0, channels, height, imageWidth);
                var tile = new ScottPlot.Image(SKBitmap.FromImage(image));
                tiles.Add(tile);
                double x = left + (column * cell), y = top - (row * cell);
                plot.Add.ImageRect(tile, new CoordinateRect(x, x + cell, y - cell, y));
            }

            plot.Title(title);
            plot.XLabel("z₁");
            plot.YLabel("z₂");
            plot.Axes.SquareUnits();
            Save(plot, path);
        }
        finally
        {
            tiles.ForEach(tile => tile.Dispose());
        }

        return shares;
    }

    /// <summary>
    /// The marker size in pixels and its opacity for <paramref name="count"/> points: 5 pixels and opaque up to 2,000
    /// points, then smaller as the fourth root of the count and more transparent as its square root (3.4 pixels at 45 %
    /// for 10,000, 2.3 pixels at 20 % for 50,000), so that overlapping points add up to their density.
    /// </summary>
    public static (float Size, double Alpha) MarkerFor(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        double thousands = Math.Max(count, 1) / 1000.0;
        return ((float)Math.Clamp(6 / Math.Pow(thousands, 0.25), 1.5, 5), Math.Clamp(Math.Sqrt(2 / thousands), 0.2, 1));
    }

    /// <summary>The points' coordinates and classes, checked.</summary>
    private static (double[] Xs, double[] Ys, long[] Classes) Points(Tensor points, Tensor labels, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (points.ndim != 2 || points.shape[1] != 2 || points.shape[0] == 0 || labels.ndim != 1 || labels.shape[0] != points.shape[0] || labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Expected points [N, 2] with N ≥ 1 and Int64 labels [N], but got {Shapes.Format(points.shape)} and {labels.dtype} {Shapes.Format(labels.shape)}.", nameof(points));
        }

        using var scope = NewDisposeScope();
        var xy = points.detach().cpu().to(ScalarType.Float64);
        var xs = xy[.., 0].data<double>().ToArray();
        var ys = xy[.., 1].data<double>().ToArray();
        var classes = labels.cpu().data<long>().ToArray();
        if (classes.Any(label => label < 0 || label >= classNames.Count))
        {
            throw new ArgumentException($"Every label must index one of the {classNames.Count} class names.", nameof(labels));
        }

        if (xs.Concat(ys).Any(value => !double.IsFinite(value)))
        {
            throw new ArgumentException("Every coordinate must be finite to be drawn, but a code is NaN or infinite.", nameof(points));
        }

        return (xs, ys, classes);
    }

    /// <summary>A map of the latent plane: its title, the axes named for the code, the legend beside it, and equal units on both axes.</summary>
    private static void SaveMap(Plot plot, string title, string path)
    {
        plot.Title(title);
        plot.XLabel("z₁");
        plot.YLabel("z₂");
        plot.ShowLegend(Edge.Right);
        plot.Axes.SquareUnits();
        Save(plot, path);
    }

    /// <summary>One scatter per class in its colour of Category10, named for the legend when <paramref name="legend"/> is set.</summary>
    private static void AddClasses(Plot plot, double[] xs, double[] ys, long[] classes, IReadOnlyList<string> classNames, (float Size, double Alpha) marker, bool legend = true)
    {
        var palette = new ScottPlot.Palettes.Category10();
        for (int label = 0; label < classNames.Count; label++)
        {
            var members = Enumerable.Range(0, classes.Length).Where(index => classes[index] == label).ToArray();
            if (members.Length == 0)
            {
                continue;
            }

            var scatter = plot.Add.ScatterPoints(members.Select(index => xs[index]).ToArray(), members.Select(index => ys[index]).ToArray(), palette.GetColor(label).WithAlpha(marker.Alpha));
            scatter.MarkerSize = marker.Size;
            scatter.LegendText = legend ? classNames[label] : string.Empty;
        }
    }

    /// <summary>
    /// Every loss term per epoch in a panel of its own, training solid and validation dashed with open markers, and the
    /// best epoch marked when training kept its parameters.
    /// </summary>
    public static void LossCurves(TrainingHistory history, string path, string title = "Loss per epoch (nats per example)")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var panels = LossPanels(history, title);
        var bytes = panels.Render(Width, Height).GetImageBytes(ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// One panel per loss term, stacked over a shared epoch axis: the terms differ by orders of magnitude (a KL of 6
    /// beside a reconstruction of 250), and on one axis the small ones lie flat along the bottom.
    /// </summary>
    internal static Multiplot LossPanels(TrainingHistory history, string title)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Epochs.Count == 0)
        {
            throw new ArgumentException("The history has no epochs to plot.", nameof(history));
        }

        var palette = new ScottPlot.Palettes.Category10();
        var epochs = history.Epochs.Select(epoch => (double)epoch.Epoch).ToArray();
        var names = history.Epochs[0].Train.Terms.Keys.ToArray();
        bool validated = history.Epochs.All(epoch => epoch.Validation is not null);
        var panels = new Multiplot();
        for (int index = 0; index < names.Length; index++)
        {
            var name = names[index];
            var plot = index == 0 ? panels.GetPlot(0) : panels.AddPlot();
            var colour = palette.GetColor(index);
            var train = plot.Add.Scatter(epochs, history.Epochs.Select(epoch => epoch.Train.Terms[name]).ToArray(), colour);
            Training(train);
            if (validated)
            {
                Validation(plot.Add.Scatter(epochs, history.Epochs.Select(epoch => epoch.Validation!.Terms[name]).ToArray(), colour));
            }

            if (history.BestEpoch is int best)
            {
                plot.Add.VerticalLine(best, color: Colors.Gray, pattern: LinePattern.Dotted);
            }

            plot.YLabel(name);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

            // The same room for every panel's tick labels, so that the epochs line up from panel to panel.
            plot.Axes.Left.MinimumSize = 80;
        }

        // One legend, for line styles, in neutral colours (each panel's colour already names its term), in a row
        // above the top panel's curves.
        var top = panels.GetPlot(0);
        top.Legend.ManualItems.Add(Key("training", Training));
        if (validated)
        {
            top.Legend.ManualItems.Add(Key("validation", Validation));
        }

        if (history.BestEpoch is not null)
        {
            top.Legend.ManualItems.Add(new LegendItem { LabelText = "best epoch", LineColor = Colors.Gray, LinePattern = LinePattern.Dotted, LineWidth = 1 });
        }

        top.Legend.Orientation = Orientation.Horizontal;
        top.Axes.Margins(left: 0.05, right: 0.05, bottom: 0.1, top: 0.3);
        panels.GetPlot(0).ShowLegend(Alignment.UpperRight);

        var all = panels.GetPlots();
        all[0].Title(title);
        all[^1].XLabel("epoch");
        panels.SharedAxes.ShareX(all);
        return panels;
    }

    private static LegendItem Key(string label, Action<ScottPlot.Plottables.Scatter> style)
    {
        var line = new ScottPlot.Plottables.Scatter(new ScottPlot.DataSources.ScatterSourceDoubleArray([], [])) { Color = Colors.Black };
        style(line);
        return new LegendItem { LabelText = label, LineStyle = line.LineStyle, MarkerStyle = line.MarkerStyle };
    }

    private static void Training(ScottPlot.Plottables.Scatter line) => line.LineWidth = 2;

    private static void Validation(ScottPlot.Plottables.Scatter line)
    {
        line.LineWidth = 2;
        line.LinePattern = LinePattern.Dashed;
        line.MarkerShape = MarkerShape.OpenCircle;
        line.MarkerSize = 7;
    }

    /// <summary>ROC curves of one or more scores against the same truth, each labelled with its area.</summary>
    /// <param name="curves">Each curve's name and scores <c>[N]</c>.</param>
    /// <param name="isAnomalous">The truth, Bool <c>[N]</c>.</param>
    /// <param name="path">The PNG file.</param>
    /// <param name="title">The plot's title.</param>
    public static void RocCurves(IReadOnlyList<(string Name, Tensor Scores)> curves, Tensor isAnomalous, string path, string title = "ROC curve")
    {
        ArgumentNullException.ThrowIfNull(curves);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int index = 0; index < curves.Count; index++)
        {
            var (name, scores) = curves[index];
            var (falsePositives, truePositives) = AnomalyMetrics.RocCurve(scores, isAnomalous);
            double area = AnomalyMetrics.Compute(scores, isAnomalous).RocAuc;
            var line = plot.Add.Scatter(falsePositives, truePositives, palette.GetColor(index));
            line.MarkerSize = 0;
            line.LegendText = $"{name} (AUC {area:F3})";
        }

        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dotted;
        chance.Color = Colors.Gray;
        chance.LegendText = "chance";
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Title(title);
        plot.XLabel("false-positive rate");
        plot.YLabel("detection rate (true-positive rate)");
        plot.ShowLegend(Alignment.LowerRight);
        Save(plot, path);
    }

    /// <summary>Bars with their values written on them, e.g. the PSNR of noisy and denoised images.</summary>
    public static void Bars(IReadOnlyList<(string Name, double Value)> bars, string path, string title, string valueLabel)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int index = 0; index < bars.Count; index++)
        {
            var bar = plot.Add.Bar(position: index, value: bars[index].Value);
            bar.Color = palette.GetColor(index);
            bar.Bars[0].Label = bars[index].Value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        }

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, bars.Count).Select(index => (double)index).ToArray(), bars.Select(bar => bar.Name).ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(valueLabel);
        Save(plot, path);
    }

    private static void Save(Plot plot, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var bytes = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
