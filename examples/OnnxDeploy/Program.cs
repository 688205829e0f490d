using System;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

// Runs the main example's exported decoder with ONNX Runtime alone: decodes points of the 2-D latent space and draws
// them in the terminal. Publish it to see what a deployment weighs without libtorch.
var folderOption = new Option<string>("--model") { Description = "The folder with decoder.onnx, which the main example writes.", DefaultValueFactory = _ => Path.Combine("fashion-vae-output", "onnx") };
var command = new RootCommand("Decodes latent points with the exported ONNX decoder, with no libtorch.") { folderOption };
command.SetAction(parsed =>
{
    var path = Path.Combine(parsed.GetValue(folderOption)!, "decoder.onnx");
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"There is no {path}; run the main example first (dotnet run --project examples/FashionVae -c Release), which exports it.");
        return 2;
    }

    using var decoder = new InferenceSession(path);
    var input = decoder.InputMetadata.Single();
    int latent = input.Value.Dimensions[1];
    int[] shape = decoder.OutputMetadata["output"].Dimensions;
    int height = shape[^2], width = shape[^1];
    float[] axis = [-1.5f, 0f, 1.5f];
    var codes = axis.SelectMany(y => axis.Select(x => (x, y))).SelectMany(point => new[] { point.x, point.y }.Concat(Enumerable.Repeat(0f, latent - 2))).ToArray();
    var clock = Stopwatch.StartNew();
    using var results = decoder.Run([NamedOnnxValue.CreateFromTensor(input.Key, new DenseTensor<float>(codes, [axis.Length * axis.Length, latent]))]);
    var images = results.Single().AsTensor<float>().ToArray();
    Console.WriteLine($"Decoded {axis.Length * axis.Length} points of the latent space in {clock.Elapsed.TotalMilliseconds:F1} ms with ONNX Runtime, from {path}:");

    // Three images a row, two pixels a character, darker characters for brighter pixels.
    const string Shades = " .:-=+*#%@";
    for (int row = 0; row < axis.Length; row++)
    {
        for (int line = 0; line < height; line += 2)
        {
            var text = new StringBuilder();
            for (int column = 0; column < axis.Length; column++)
            {
                int image = (row * axis.Length) + column;
                for (int x = 0; x < width; x++)
                {
                    float value = images[(image * height * width) + (line * width) + x];
                    text.Append(Shades[Math.Clamp((int)(value * Shades.Length), 0, Shades.Length - 1)]);
                }

                text.Append("  ");
            }

            Console.WriteLine(text.ToString().TrimEnd());
        }
    }

    return 0;
});
return command.Parse(args).Invoke();
