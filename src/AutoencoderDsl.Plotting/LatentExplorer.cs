using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using AutoencoderDsl.IO;
using static TorchSharp.torch;

namespace AutoencoderDsl.Plotting;

/// <summary>
/// One self-contained HTML page (no server, no network) to explore a 2-D latent space: the embedding of a data set as a
/// scatter coloured by class; hovering a point shows the example and its reconstruction; clicking anywhere on the plane
/// shows the image decoded there, from a grid decoded in advance and embedded in the page. The title and class names,
/// which may come from a file (a CSV label column), are shown as text whatever they hold: the page runs no code of theirs.
/// </summary>
public static class LatentExplorer
{
    /// <summary>The most points a page holds; each carries two images.</summary>
    public const int MaxPoints = 5000;

    /// <summary>Writes the page to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The HTML file.</param>
    /// <param name="codes">The 2-D codes of the examples, <c>[N, 2]</c>.</param>
    /// <param name="labels">Their classes, Int64 <c>[N]</c>.</param>
    /// <param name="classNames">The classes' names.</param>
    /// <param name="images">The examples, <c>[N, C, H, W]</c> in [0, 1].</param>
    /// <param name="reconstructions">Their reconstructions, of the same shape.</param>
    /// <param name="decode">The model's decoder, from codes <c>[M, 2]</c> to images <c>[M, C, H, W]</c>.</param>
    /// <param name="gridSide">The decoded grid is <paramref name="gridSide"/> × <paramref name="gridSide"/> points over the plane the scatter shows.</param>
    /// <param name="title">The page's title.</param>
    public static void Write(string path, Tensor codes, Tensor labels, IReadOnlyList<string> classNames, Tensor images, Tensor reconstructions, Func<Tensor, Tensor> decode, int gridSide = 40, string title = "Latent space explorer")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(decode);
        ArgumentOutOfRangeException.ThrowIfLessThan(gridSide, 2);
        if (codes.ndim != 2 || codes.shape[1] != 2 || labels.shape[0] != codes.shape[0] || images.shape[0] != codes.shape[0] || !images.shape.SequenceEqual(reconstructions.shape))
        {
            throw new ArgumentException(
                $"Expected codes [N, 2] with N labels, N images and N reconstructions of one shape, but got codes {Shapes.Format(codes.shape)}, labels {Shapes.Format(labels.shape)}, images {Shapes.Format(images.shape)} and reconstructions {Shapes.Format(reconstructions.shape)}.",
                nameof(codes));
        }

        if (codes.shape[0] is 0 or > MaxPoints)
        {
            throw new ArgumentException($"A page shows from 1 to {MaxPoints} points, but got {codes.shape[0]}; pass a subset.", nameof(codes));
        }

        using var scope = NewDisposeScope();
        var points = codes.detach().cpu().to(ScalarType.Float64);
        var classes = labels.cpu().data<long>().ToArray();
        double xMin = points[.., 0].min().item<double>(), xMax = points[.., 0].max().item<double>();
        double yMin = points[.., 1].min().item<double>(), yMax = points[.., 1].max().item<double>();
        double xPad = Math.Max(1e-3, 0.05 * (xMax - xMin)), yPad = Math.Max(1e-3, 0.05 * (yMax - yMin));
        (xMin, xMax, yMin, yMax) = (xMin - xPad, xMax + xPad, yMin - yPad, yMax + yPad);

        // Row r, column c of the grid is the point (x_c, y_r), y from the top of the plane down, as the page reads it.
        var xs = linspace(xMin, xMax, gridSide, dtype: ScalarType.Float32);
        var ys = linspace(yMax, yMin, gridSide, dtype: ScalarType.Float32);
        var grid = stack([xs.repeat(gridSide), ys.repeat_interleave(gridSide)], 1);
        var decoded = decode(grid);

        var (originalPixels, _, channels, height, width) = ImageGrid.Pixels(images);
        var palette = new ScottPlot.Palettes.Category10();
        var xy = points.data<double>().ToArray();
        var data = new
        {
            classes = classNames,
            colors = Enumerable.Range(0, classNames.Count).Select(label => palette.GetColor(label).ToHex()).ToArray(),
            points = Enumerable.Range(0, classes.Length).Select(index => new object[] { Math.Round(xy[2 * index], 4), Math.Round(xy[(2 * index) + 1], 4), classes[index] }).ToArray(),
            extent = new[] { xMin, xMax, yMin, yMax },
            gridSide,
            channels,
            height,
            width,
            originals = Convert.ToBase64String(originalPixels),
            reconstructions = Convert.ToBase64String(ImageGrid.Pixels(reconstructions).Pixels),
            grid = Convert.ToBase64String(ImageGrid.Pixels(decoded).Pixels),
        };

        using var template = typeof(LatentExplorer).Assembly.GetManifestResourceStream("AutoencoderDsl.Plotting.explorer.html")!;
        var values = new Dictionary<string, string>
        {
            ["__TITLE__"] = WebUtility.HtmlEncode(title),
            // The default encoder escapes < > & and U+2028/2029 in strings, so a class name cannot close the page's JSON element.
            ["__DATA__"] = JsonSerializer.Serialize(data, new JsonSerializerOptions { Encoder = JavaScriptEncoder.Default }),
        };

        // One pass over the template: a title or class name holding a placeholder's text is never itself replaced.
        var page = Regex.Replace(new StreamReader(template).ReadToEnd(), "__(TITLE|DATA)__", placeholder => values[placeholder.Value]);
        AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(page)));
    }
}
