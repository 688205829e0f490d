using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace AutoencoderDsl;

/// <summary>Loss terms averaged over a data set, in nats per example.</summary>
/// <param name="Terms">Each term's mean by name; <c>total</c> and <c>reconstruction</c> are always present.</param>
public sealed record LossMetrics(IReadOnlyDictionary<string, double> Terms)
{
    /// <summary>The name of the total loss.</summary>
    public const string TotalName = "total";

    /// <summary>The name of the reconstruction term.</summary>
    public const string ReconstructionName = "reconstruction";

    /// <summary>The name of the KL term of a variational model.</summary>
    public const string KlName = "kl";

    /// <summary>The mean total loss.</summary>
    public double Total => Terms[TotalName];

    /// <summary>The mean reconstruction term.</summary>
    public double Reconstruction => Terms[ReconstructionName];

    /// <summary>The mean KL term, or null for a deterministic autoencoder.</summary>
    public double? Kl => Terms.TryGetValue(KlName, out var kl) ? kl : null;

    /// <summary>The mean sparsity penalty (before its weight), or null for a model without <c>[Sparse]</c>.</summary>
    public double? Sparsity => Terms.TryGetValue(Parts.SparsityTerm.TermName, out var sparsity) ? sparsity : null;

    /// <summary>For example <c>total 253.41, reconstruction 228.90, kl 24.51</c>.</summary>
    public override string ToString() =>
        string.Join(", ", Terms.Select(term => term.Key + " " + term.Value.ToString("F2", CultureInfo.InvariantCulture)));
}
