using System;
using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Evaluation;
using AutoencoderDsl.IO;
using AutoencoderDsl.Training;
using ScottPlot;
using static TorchSharp.torch;

namespace AutoencoderDsl.Plotting;

/// <summary>Plots of what a model learned and how training went, drawn with ScottPlot and written as PNG files, atomically.</summary>
public static class Plots
{
    /// <summary>The width of every plot, in pixels.</summary>
    public const int Width = 900;

    /// <summary>The height of every plot, in pixels.</summary>
    public const int Height = 650;

    /// <summary>A 2-D embedding as a scatter, one colour per class with a legend of the class names, axes and a title.</summary>
    /// <param name="points">The codes, <c>[N, 2]</c>.</param>
    /// <param name="labels">Each point's class, Int64 <c>[N]</c>, indices into <paramref name="classNames"/>.</param>
    /// <param name="classNames">The classes' names, for the legend.</param>
    /// <param name="path">The PNG file.</param>
    /// <param name="title">The plot's title.</param>
    public static void LatentScatter(Tensor points, Tensor labels, IReadOnlyList<string> classNames, string path, string title = "Latent space")
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        if (points.ndim != 2 || points.shape[1] != 2 || labels.ndim != 1 || labels.shape[0] != points.shape[0] || labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Expected points [N, 2] and Int64 labels [N], but got {Shapes.Format(points.shape)} and {labels.dtype} {Shapes.Format(labels.shape)}.", nameof(points));
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

        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int label = 0; label < classNames.Count; label++)
        {
            var members = Enumerable.Range(0, classes.Length).Where(index => classes[index] == label).ToArray();
            if (members.Length == 0)
            {
                continue;
            }

            var scatter = plot.Add.ScatterPoints(members.Select(index => xs[index]).ToArray(), members.Select(index => ys[index]).ToArray(), palette.GetColor(label));
            scatter.MarkerSize = 3;
            scatter.LegendText = classNames[label];
        }

        plot.Title(title);
        plot.XLabel("z₁");
        plot.YLabel("z₂");
        plot.ShowLegend(Edge.Right);
        Save(plot, path);
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
