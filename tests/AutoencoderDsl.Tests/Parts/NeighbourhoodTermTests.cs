using System;
using System.Globalization;
using System.Linq;
using AutoencoderDsl.Parts;
using AutoencoderDsl.Tests.Infrastructure;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Parts;

/// <summary>The neighbourhood part's pieces: UMAP's curve against SciPy, its two losses and fuzzy graph against hand computations.</summary>
public sealed class NeighbourhoodTermTests(ITestOutputHelper output)
{
    [Fact]
    public void TheCurveIsWhatUmapFitsWithScipy()
    {
        if (!DebianPython.Available(output, "scipy.optimize"))
        {
            return;
        }

        double[] minDistances = [0, 0.001, 0.1, 0.5, 0.9];
        // umap-learn's find_ab_params (spread 1), line for line.
        const string Script = "import sys, numpy as np\n"
            + "from scipy.optimize import curve_fit\n"
            + "for md in map(float, sys.argv[1:]):\n"
            + "    x = np.linspace(0, 3, 300); y = np.zeros(x.shape); y[x < md] = 1.0; y[x >= md] = np.exp(-(x[x >= md] - md))\n"
            + "    (a, b), _ = curve_fit(lambda x, a, b: 1.0 / (1.0 + a * x ** (2 * b)), x, y)\n"
            + "    print(repr(a), repr(b))\n";
        var lines = ChildProcess.Run(DebianPython.Interpreter, ["-c", Script, .. minDistances.Select(md => md.ToString("R", CultureInfo.InvariantCulture))], folder: null, TimeSpan.FromMinutes(2))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

        for (int i = 0; i < minDistances.Length; i++)
        {
            var expected = lines[i].Split(' ').Select(value => double.Parse(value, CultureInfo.InvariantCulture)).ToArray();
            var (a, b) = CurveParameters.Fit(minDistances[i]);
            output.WriteLine($"min_dist {minDistances[i]}: SciPy a = {expected[0]:R}, b = {expected[1]:R}; here a = {a:R}, b = {b:R}");
            Assert.Equal(expected[0], a, 5);
            Assert.Equal(expected[1], b, 5);
        }

        // The values umap-learn's documentation and every port quote for its default min_dist.
        Assert.Equal(1.5769, CurveParameters.Fit(0.1).A, 4);
        Assert.Equal(0.8951, CurveParameters.Fit(0.1).B, 4);
    }

    [Fact]
    public void TheTermAndItsGradientAreUmapsCrossEntropyByHand()
    {
        using var scope = NewDisposeScope();
        double[,] heads = { { 0.0, 0.0 }, { 1.0, 0.5 }, { -0.5, 2.0 } };
        double[,] tails = { { 0.3, -0.1 }, { 1.0, 0.5 }, { 2.0, 2.0 } };
        const double MinDistance = 0.1;
        const int Negatives = 2;
        var (a, b) = CurveParameters.Fit(MinDistance);

        // The pool is the heads and then the tails, as in training, so the gradient reaches a code through every role.
        var headTensor = tensor(heads, requires_grad: true);
        var tailTensor = tensor(tails, requires_grad: true);
        var term = new NeighbourhoodTerm(Weight: 1, Neighbours: 15, MinDistance, Negatives, NeighbourhoodLoss.Umap);
        var neighbourhood = new NeighbourCodes(tailTensor, cat([headTensor, tailTensor]));
        var value = term.Compute(new LossInputs(zeros(3), zeros(3), new LatentCode(headTensor), new BernoulliLikelihood(FromLogits: true), null, neighbourhood));
        value.backward();

        var pool = new double[6, 2];
        for (int i = 0; i < 3; i++)
        {
            for (int c = 0; c < 2; c++)
            {
                pool[i, c] = heads[i, c];
                pool[i + 3, c] = tails[i, c];
            }
        }

        double expected = 0;
        var gradient = new double[6, 2];
        void Pair(int head, int other, double weight, bool attract)
        {
            double dx = pool[head, 0] - pool[other, 0], dy = pool[head, 1] - pool[other, 1];
            double squared = (dx * dx) + (dy * dy) + NeighbourhoodTerm.Epsilon;
            double q = 1 / (1 + (a * Math.Pow(squared, b)));
            Assert.Equal(q, 1 / (1 + Math.Exp(Math.Log(a) + (b * Math.Log(squared)))), 12);
            expected += weight * (attract ? -Math.Log(q) : -Math.Log(1 - q)) / 3;

            // d(−log q)/dt = 1 − q and d(−log(1 − q))/dt = −q, with t = log a + b log(d² + ε): dt/dz_head = 2b (z_head − z_other) / (d² + ε).
            double scale = weight * (attract ? 1 - q : -q) * 2 * b / squared / 3;
            gradient[head, 0] += scale * dx;
            gradient[head, 1] += scale * dy;
            gradient[other, 0] -= scale * dx;
            gradient[other, 1] -= scale * dy;
        }

        for (int i = 0; i < 3; i++)
        {
            Pair(i, i + 3, 1, attract: true);

            // m negatives drawn uniformly from the 6 codes of the pool, the head itself included: each pushes with weight m / 6.
            for (int n = 0; n < 6; n++)
            {
                Pair(i, n, Negatives / 6.0, attract: false);
            }
        }

        Assert.Equal(expected, value.item<double>(), 10);
        var headGradient = headTensor.grad!.data<double>().ToArray();
        var tailGradient = tailTensor.grad!.data<double>().ToArray();
        for (int i = 0; i < 3; i++)
        {
            for (int c = 0; c < 2; c++)
            {
                Assert.Equal(gradient[i, c], headGradient[(i * 2) + c], 10);
                Assert.Equal(gradient[i + 3, c], tailGradient[(i * 2) + c], 10);
            }
        }
    }

    [Fact]
    public void TheNegativesPartIsTheMeanOfManyDrawsOfMNegatives()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        var heads = randn([4, 2], generator: generator, dtype: ScalarType.Float64);
        var pool = cat([heads, randn([4, 2], generator: generator, dtype: ScalarType.Float64)]);
        var curve = CurveParameters.Fit(0.1);
        const int Negatives = 3, Draws = 20_000;

        // Each draw: m rows of the pool per head, uniformly with replacement, as a sampled UMAP step would take them.
        var rows = randint(0, 8, [Draws, 4, Negatives], generator: generator);
        var pushed = pool.index_select(0, rows.flatten()).view(Draws, 4, Negatives, 2);
        var t = ((heads.unsqueeze(1) - pushed).square().sum(-1) + NeighbourhoodTerm.Epsilon).log() * curve.B + Math.Log(curve.A);
        double sampled = nn.functional.softplus(-t).sum(-1).mean().item<double>();

        // With each tail on its head, the attraction is the constant softplus(log a + b log ε); the rest is the negatives'.
        double attraction = Math.Log(1 + Math.Exp(Math.Log(curve.A) + (curve.B * Math.Log(NeighbourhoodTerm.Epsilon))));
        double expected = NeighbourhoodTerm.CrossEntropy(heads, new NeighbourCodes(heads, pool), curve, Negatives).item<double>() - attraction;

        // 80,000 draws of 3: four standard errors are under 0.03.
        Assert.InRange(sampled - expected, -0.03, 0.03);
    }

    [Fact]
    public void CoincidentAndDistantCodesGiveFiniteValuesAndGradients()
    {
        using var scope = NewDisposeScope();
        var heads = tensor(new double[,] { { 0, 0 }, { 1e6, -1e6 } }, requires_grad: true);
        var tails = heads.detach().clone().requires_grad_(true);
        var term = new NeighbourhoodTerm(Weight: 1, Neighbours: 15, MinDistance: 0, NegativeSamples: 1, NeighbourhoodLoss.Umap);
        // Each head sits on its tail and on itself in the pool, a million away from the other pair.
        var value = NeighbourhoodTerm.CrossEntropy(heads, new NeighbourCodes(tails, cat([heads, tails])), term.Curve, term.NegativeSamples);
        value.backward();

        Assert.True(double.IsFinite(value.item<double>()));
        Assert.True(heads.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void TheContrastiveTermAndItsGradientAreInfoNceByHand()
    {
        using var scope = NewDisposeScope();
        double[] heads = [0.0, 0.0, 1.0, 0.5, -0.5, 2.0];
        double[] tails = [0.3, -0.1, 1.0, 0.5, 2.0, 2.0];
        var curve = CurveParameters.Fit(0.1);

        var headTensor = tensor(heads, [3, 2], requires_grad: true);
        var tailTensor = tensor(tails, [3, 2], requires_grad: true);
        var term = new NeighbourhoodTerm(Weight: 1, Neighbours: 15, MinDistance: 0.1, NegativeSamples: 5, NeighbourhoodLoss.Contrastive);
        var neighbourhood = new NeighbourCodes(tailTensor, cat([headTensor, tailTensor]));
        var value = term.Compute(new LossInputs(zeros(3), zeros(3), new LatentCode(headTensor), new BernoulliLikelihood(FromLogits: true), null, neighbourhood));
        value.backward();

        // Each of the 6 codes is an anchor: its partner is the other end of its edge, its candidates the 5 other codes.
        double InfoNce(double[] codes)
        {
            double Similarity(int i, int j)
            {
                double dx = codes[2 * i] - codes[2 * j], dy = codes[(2 * i) + 1] - codes[(2 * j) + 1];
                return 1 / (1 + (curve.A * Math.Pow((dx * dx) + (dy * dy) + NeighbourhoodTerm.Epsilon, curve.B)));
            }

            double sum = 0;
            for (int anchor = 0; anchor < 6; anchor++)
            {
                double candidates = Enumerable.Range(0, 6).Where(other => other != anchor).Sum(other => Similarity(anchor, other));
                sum -= Math.Log(Similarity(anchor, (anchor + 3) % 6) / candidates);
            }

            return sum / 6;
        }

        double[] all = [.. heads, .. tails];
        Assert.Equal(InfoNce(all), value.item<double>(), 10);

        // The gradient by central differences of the hand computation.
        double[] gradient = [.. headTensor.grad!.data<double>(), .. tailTensor.grad!.data<double>()];
        for (int at = 0; at < all.Length; at++)
        {
            const double Step = 1e-6;
            double[] up = [.. all], down = [.. all];
            up[at] += Step;
            down[at] -= Step;
            Assert.Equal((InfoNce(up) - InfoNce(down)) / (2 * Step), gradient[at], 7);
        }
    }

    [Fact]
    public void InEvaluationTheContrastiveAnchorsAreTheHeadsAndALoneExampleCostsNothing()
    {
        using var scope = NewDisposeScope();
        var curve = CurveParameters.Fit(0.1);
        var heads = tensor(new double[,] { { 0, 0 }, { 1, 0 }, { 5, 5 } });

        // Evaluation's tails are each head's nearest other head, and its pool the heads alone.
        var nearest = heads.index_select(0, tensor(new long[] { 1, 0, 1 }));
        var value = NeighbourhoodTerm.InfoNce(heads, new NeighbourCodes(nearest, heads), curve).item<double>();
        double Similarity(double squared) => 1 / (1 + (curve.A * Math.Pow(squared + NeighbourhoodTerm.Epsilon, curve.B)));
        double expected = (-Math.Log(Similarity(1) / (Similarity(1) + Similarity(50)))
            - Math.Log(Similarity(1) / (Similarity(1) + Similarity(41)))
            - Math.Log(Similarity(41) / (Similarity(50) + Similarity(41)))) / 3;
        Assert.Equal(expected, value, 10);

        var lone = heads.narrow(0, 0, 1);
        Assert.Equal(0.0, NeighbourhoodTerm.InfoNce(lone, new NeighbourCodes(lone, lone), curve).item<double>());
    }

    [Fact]
    public void TheContrastiveTermIsFiniteForCoincidentAndDistantCodes()
    {
        using var scope = NewDisposeScope();
        var heads = tensor(new double[,] { { 0, 0 }, { 1e6, -1e6 } }, requires_grad: true);
        var tails = heads.detach().clone().requires_grad_(true);
        var value = NeighbourhoodTerm.InfoNce(heads, new NeighbourCodes(tails, cat([heads, tails])), CurveParameters.Fit(0));
        value.backward();

        Assert.True(double.IsFinite(value.item<double>()));
        Assert.True(heads.grad!.isfinite().all().item<bool>());
        Assert.True(tails.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void MembershipsSumToLog2KWithTheNearestAtOne()
    {
        // Three rows of k = 4 distances, nearest first; the last has its nearest at distance 0, like a duplicate.
        double[] distances = [1.0, 1.5, 2.0, 4.0, 0.5, 0.6, 0.7, 0.8, 0.0, 2.0, 3.0, 9.0];
        var weights = NeighbourhoodGraph.Memberships(distances, n: 3, k: 4);
        for (int row = 0; row < 3; row++)
        {
            var rowWeights = weights.Skip(row * 4).Take(4).ToArray();
            Assert.Equal(Math.Log2(4), rowWeights.Sum(), 4);
            Assert.Equal(1.0, rowWeights[0]);
            Assert.True(rowWeights.Zip(rowWeights.Skip(1)).All(pair => pair.First >= pair.Second), "memberships fall with distance");
        }

        // The third row: ρ is its first non-zero distance (2.0), so both of the first two have membership 1.
        Assert.Equal(1.0, weights[9]);
    }

    [Fact]
    public void TheGraphIsTheProbabilisticUnionOfBothDirections()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var data = randn([40, 3], generator: generator, dtype: ScalarType.Float64);
        const int K = 5;
        using var graph = NeighbourhoodGraph.Build(data, K);
        using var nearest = AutoencoderDsl.Evaluation.NeighbourGraph.Build(data, K);
        var directed = new double[40, 40];
        var memberships = NeighbourhoodGraph.Memberships(nearest.Distances.data<double>().ToArray(), 40, K);
        var indices = nearest.Indices.data<long>().ToArray();
        for (int e = 0; e < indices.Length; e++)
        {
            directed[e / K, indices[e]] = memberships[e];
        }

        var starts = graph.RowStarts.data<long>().ToArray();
        var columns = graph.Columns.data<long>().ToArray();
        var weights = graph.Weights.data<float>().ToArray();
        int edges = 0;
        for (int i = 0; i < 40; i++)
        {
            var row = Enumerable.Range((int)starts[i], (int)(starts[i + 1] - starts[i])).ToArray();
            Assert.Equal(row.Select(at => columns[at]).Order(), row.Select(at => columns[at]));
            for (int j = 0; j < 40; j++)
            {
                double p = directed[i, j], q = directed[j, i];
                double union = p + q - (p * q);
                int at = row.FirstOrDefault(slot => columns[slot] == j, -1);
                if (union == 0)
                {
                    Assert.Equal(-1, at);
                    continue;
                }

                edges++;
                Assert.True(at >= 0, $"the edge {i} → {j} is missing");
                Assert.Equal(union, weights[at], 5); // stored as float32
            }
        }

        Assert.Equal(edges, columns.Length);
        Assert.Equal(K, graph.K);
    }

    [Fact]
    public void NeighboursAreDrawnInProportionToTheirWeights()
    {
        using var scope = NewDisposeScope();
        using var data = tensor(new double[] { 0, 1, 1.5, 3, 7, 7.2, 8, 12 }).unsqueeze(1);
        using var graph = NeighbourhoodGraph.Build(data, 3);
        using var generator = new Generator(11);
        const int Draws = 40_000;

        // The first row, one inside and the last, so the search is checked at both ends of the running sum.
        foreach (long row in new long[] { 0, 4, 7 })
        {
            var drawn = graph.Sample(full(Draws, row, dtype: ScalarType.Int64), generator).data<long>().ToArray();
            long first = graph.RowStarts[row].item<long>(), last = graph.RowStarts[row + 1].item<long>();
            var columns = graph.Columns.narrow(0, first, last - first).data<long>().ToArray();
            var weights = graph.Weights.narrow(0, first, last - first).data<float>().ToArray();
            double total = weights.Sum();
            for (int slot = 0; slot < columns.Length; slot++)
            {
                double share = drawn.Count(neighbour => neighbour == columns[slot]) / (double)Draws;
                // Four standard errors of a share from 40,000 draws is at most 0.01.
                Assert.InRange(share, (weights[slot] / total) - 0.01, (weights[slot] / total) + 0.01);
            }

            Assert.All(drawn, neighbour => Assert.Contains(neighbour, columns));
        }
    }
}
