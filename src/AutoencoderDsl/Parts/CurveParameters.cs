using System;
using System.Collections.Concurrent;

namespace AutoencoderDsl.Parts;

/// <summary>
/// a and b of UMAP's low-dimensional similarity q(d) = 1 / (1 + a d²ᵇ), fitted as umap-learn's <c>find_ab_params</c>
/// fits them (spread 1): least squares against 1 for d &lt; min_dist and exp(−(d − min_dist)) beyond, on 300 even
/// points of [0, 3], from a = b = 1.
/// </summary>
/// <remarks>
/// umap-learn calls SciPy's Levenberg–Marquardt; this is the same method on the same two-parameter problem, written
/// here because the library has no SciPy to call and the problem is small. For min_dist 0.1 it gives umap-learn's
/// published a ≈ 1.5769, b ≈ 0.8951 (see the tests).
/// </remarks>
public static class CurveParameters
{
    private const int Points = 300;
    private static readonly ConcurrentDictionary<double, (double A, double B)> Fitted = new();

    /// <summary>a and b for <paramref name="minDistance"/> in [0, 1).</summary>
    public static (double A, double B) Fit(double minDistance)
    {
        if (minDistance is not (>= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(minDistance), minDistance, "The minimum distance must lie in [0, 1).");
        }

        return Fitted.GetOrAdd(minDistance, LeastSquares);
    }

    private static (double A, double B) LeastSquares(double minDistance)
    {
        var x = new double[Points];
        var y = new double[Points];
        for (int i = 0; i < Points; i++)
        {
            x[i] = 3.0 * i / (Points - 1);
            y[i] = x[i] < minDistance ? 1 : Math.Exp(-(x[i] - minDistance));
        }

        double a = 1, b = 1, damping = 1e-3;
        double cost = Cost(x, y, a, b);
        for (int iteration = 0; iteration < 500; iteration++)
        {
            // The normal equations JᵀJ δ = −Jᵀr, damped by Marquardt's scaling of the diagonal.
            double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
            for (int i = 0; i < Points; i++)
            {
                var (residual, da, db) = Residual(x[i], y[i], a, b);
                jaa += da * da;
                jab += da * db;
                jbb += db * db;
                ga += da * residual;
                gb += db * residual;
            }

            bool improved = false;
            while (!improved && damping < 1e12)
            {
                double maa = jaa * (1 + damping), mbb = jbb * (1 + damping);
                double determinant = (maa * mbb) - (jab * jab);
                double stepA = -((mbb * ga) - (jab * gb)) / determinant;
                double stepB = -((maa * gb) - (jab * ga)) / determinant;
                double next = Cost(x, y, a + stepA, b + stepB);
                if (next < cost)
                {
                    improved = true;
                    a += stepA;
                    b += stepB;
                    bool converged = cost - next <= 1e-15 * cost;
                    cost = next;
                    damping = Math.Max(damping / 10, 1e-12);
                    if (converged)
                    {
                        return (a, b);
                    }
                }
                else
                {
                    damping *= 10;
                }
            }

            if (!improved)
            {
                break;
            }
        }

        return (a, b);
    }

    private static double Cost(double[] x, double[] y, double a, double b)
    {
        double sum = 0;
        for (int i = 0; i < Points; i++)
        {
            double residual = Residual(x[i], y[i], a, b).Residual;
            sum += residual * residual;
        }

        return sum;
    }

    /// <summary>f(x) − y and f's derivatives in a and b, for f(x) = 1 / (1 + a x²ᵇ).</summary>
    private static (double Residual, double DA, double DB) Residual(double x, double y, double a, double b)
    {
        if (x == 0)
        {
            return (1 - y, 0, 0);
        }

        double u = Math.Pow(x, 2 * b);
        double denominator = 1 + (a * u);
        double squared = denominator * denominator;
        return ((1 / denominator) - y, -u / squared, -a * u * 2 * Math.Log(x) / squared);
    }
}
