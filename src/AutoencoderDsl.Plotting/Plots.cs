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

    /// <summary>Every loss term per epoch, training solid and validation dashed in the same colour.</summary>
    public static void LossCurves(TrainingHistory history, string path, string title = "Loss per epoch (nats per example)")
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Epochs.Count == 0)
        {
            throw new ArgumentException("The history has no epochs to plot.", nameof(history));
        }

        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var epochs = history.Epochs.Select(epoch => (double)epoch.Epoch).ToArray();
        var names = history.Epochs[0].Train.Terms.Keys.ToArray();
        for (int index = 0; index < names.Length; index++)
        {
            var name = names[index];
            var train = plot.Add.Scatter(epochs, history.Epochs.Select(epoch => epoch.Train.Terms[name]).ToArray(), palette.GetColor(index));
            train.LegendText = $"{name} (training)";
            if (history.Epochs.All(epoch => epoch.Validation is not null))
            {
                var validation = plot.Add.Scatter(epochs, history.Epochs.Select(epoch => epoch.Validation!.Terms[name]).ToArray(), palette.GetColor(index));
                validation.LinePattern = LinePattern.Dashed;
                validation.LegendText = $"{name} (validation)";
            }
        }

        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("nats per example");
        plot.ShowLegend(Edge.Right);
        Save(plot, path);
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
