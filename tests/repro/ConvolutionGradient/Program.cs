// TorchSharp 0.107 (libtorch 2.10, oneDNN 3.7.1): a float32 CPU convolution against a float64 reference built from
// unfold and matmul, which never reaches oneDNN. Run: dotnet run -c Release -- [threads] [poison]
// "poison" fills freed memory with NaN first (it allocates and frees a NaN tensor), so that a kernel that reads
// memory it never wrote shows NaN instead of whatever was there. Exits 1 if any case is wrong.
using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

int threads = args.Length > 0 ? int.Parse(args[0]) : 2;
bool poison = args.Contains("poison");
set_num_threads(threads);
Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, {get_num_threads()} threads, poison: {poison}");

int wrong = 0;
foreach (var (inChannels, outChannels) in new (long, long)[] { (1, 3), (4, 1), (17, 1), (16, 16) })
{
    using var scope = NewDisposeScope();
    manual_seed(0);
    var x = randn(32, inChannels, 10, 10, float64);
    var w = randn(outChannels, inChannels, 3, 3, float64);
    var g = randn(32, outChannels, 10, 10, float64);
    // Reference: y = W · patches, dL/dx = fold(Wᵀ · g).
    var yReference = w.view(outChannels, -1).matmul(nn.functional.unfold(x, 3, padding: 1)).view(32, outChannels, 10, 10);
    var gxReference = nn.functional.fold(w.view(outChannels, -1).t().matmul(g.view(32, outChannels, -1)), 10, 3, padding: 1);
    if (poison)
    {
        full(32 * 32 * 10 * 10 * 4, float.NaN).Dispose();
    }

    var xf = x.to(float32).requires_grad_();
    var y = nn.functional.conv2d(xf, w.to(float32), padding: [1, 1]);
    y.backward([g.to(float32)]);
    double forwardError = (y.to(float64) - yReference).abs().max().item<double>();
    double gradientError = (xf.grad!.to(float64) - gxReference).abs().max().item<double>();
    bool bad = !(forwardError < 1e-3 && gradientError < 1e-3);
    wrong += bad ? 1 : 0;
    Console.WriteLine($"conv2d {inChannels} -> {outChannels} channels: max forward error {forwardError:G3}, max input-gradient error {gradientError:G3}{(bad ? "  WRONG" : "")}");
}

return wrong == 0 ? 0 : 1;
