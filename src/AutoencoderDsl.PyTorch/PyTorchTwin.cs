using System;
using System.Globalization;
using System.Linq;
using System.Text;
using AutoencoderDsl.Export;
using AutoencoderDsl.Parts;

namespace AutoencoderDsl.PyTorch;

/// <summary>
/// Writes a model's PyTorch twin: a Python <c>nn.Module</c> with the same layers under the same state-dict names and
/// the same loss, term by term, so weights move between the two with <c>load_state_dict(strict=True)</c>. Each layer
/// and each part supplies its own PyTorch form (<see cref="Layer.PyTorch"/>, <see cref="LossTerm.PyTorch"/>, …) and a
/// layer the Python class it needs (<see cref="Layer.PyTorchDefinition"/>); this class only puts them together.
/// </summary>
public static class PyTorchTwin
{
    /// <summary>The Python source of <paramref name="className"/>'s twin.</summary>
    /// <param name="className">The model's class name, which the Python class takes too.</param>
    /// <param name="spec">The model's spec.</param>
    /// <param name="encoderFeatures">The width of the features the encoder gives the latent heads (before the condition is joined).</param>
    public static string Source(string className, ModelSpec spec, long encoderFeatures)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(className);
        ArgumentNullException.ThrowIfNull(spec);
        var py = new StringBuilder();
        void Line(string text = "") => py.Append(text).Append('\n');
        string I(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        long condition = spec.Condition?.Classes ?? 0;
        var latent = spec.Latent;

        Line($"# Written by AutoencoderDsl from the C# declaration of {className}: the same layers under the same");
        Line("# state-dict names, and the same loss term by term, so weights move both ways with load_state_dict(strict=True).");
        Line("from collections import OrderedDict");
        Line("import math");
        Line();
        Line("import torch");
        Line("import torch.nn as nn");
        Line("import torch.nn.functional as F");
        Line();
        Line($"HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)");
        Line();
        Line();
        Line("def sparsity_kl(activations, target):");
        Line("    \"\"\"Sum over code units of KL(Bernoulli(target) || Bernoulli(mean activation over the batch)).\"\"\"");
        Line("    rho = activations.mean(0).clamp(1e-6, 1 - 1e-6)");
        Line("    return (target * (target / rho).log() + (1 - target) * ((1 - target) / (1 - rho)).log()).sum()");
        Line();
        Line();
        Line("def salt_and_pepper(x, level, low, high):");
        Line("    draw = torch.rand_like(x)");
        Line("    return x.masked_fill(draw < level / 2, low).masked_fill((draw >= level / 2) & (draw < level), high).clamp(low, high)");
        Line();
        Line();
        var definitions = spec.Encoder.Concat(spec.Decoder).Select(layer => layer.PyTorchDefinition).OfType<string>().Concat(latent.PyTorchDefinitions);
        foreach (var definition in definitions.Distinct(StringComparer.Ordinal))
        {
            Line(definition);
            Line();
            Line();
        }

        Line($"class {className}(nn.Module):");
        Line($"    input_shape = {Tuple(spec.InputShape)}");
        Line($"    latent_dim = {spec.LatentDim}");
        Line($"    classes = {(condition > 0 ? condition.ToString(CultureInfo.InvariantCulture) : "None")}");
        Line($"    term_names = ({string.Join(", ", spec.LossTerms.Select(term => $"\"{term.Name}\""))},)");
        Line();
        Line("    def __init__(self):");
        Line("        super().__init__()");
        Line($"        self.encoder = {Layers.PyTorchSequential(spec.Encoder, "        ")}");
        foreach (var head in latent.PyTorchModules(encoderFeatures + condition))
        {
            Line($"        {head}");
        }

        Line($"        self.decoder = {Layers.PyTorchSequential(spec.Decoder, "        ")}");
        if (spec.Likelihood.LearnsScale)
        {
            Line($"        self.{StateNames.LogScale} = nn.Parameter(torch.zeros(1))");
        }

        Line();
        Line("    def _join(self, features, labels):");
        Line(condition > 0
            ? "        return torch.cat([features, F.one_hot(labels, self.classes).to(features.dtype)], 1)"
            : "        return features");
        Line();
        Line("    def encode(self, x, labels=None):");
        Line($"        \"\"\"{latent.PyTorchEncodes} of each example.\"\"\"");
        Line("        features = self._join(self.encoder(x), labels)");
        Line($"        return {latent.PyTorchEncode}");
        Line();
        Line("    def embed(self, x, labels=None):");
        Line("        \"\"\"The deterministic code, what Embed gives.\"\"\"");
        Line($"        return {latent.PyTorchEmbed}");
        Line();
        Line("    def decode_raw(self, z, labels=None):");
        Line($"        \"\"\"The decoder's raw output{(spec.Likelihood.RawOutputNote is { } note ? ": " + note : string.Empty)}.\"\"\"");
        Line("        return self.decoder(self._join(z, labels))");
        Line();
        Line("    def decode(self, z, labels=None):");
        Line($"        return {spec.Likelihood.PyTorchOutput($"self.decode_raw({latent.PyTorchDecoderInput("z")}, labels)")}");
        Line();
        Line("    def forward(self, x, labels=None):");
        Line("        \"\"\"The reconstruction of each example from its deterministic code.\"\"\"");
        Line($"        return self.decode({latent.PyTorchReconstructionCode}, labels)");
        if (latent.PyTorchSample.Count > 0)
        {
            Line();
            foreach (var line in latent.PyTorchSample)
            {
                Line("    " + line);
            }
        }

        Line();
        Line("    def corrupt(self, x):");
        Line(spec.Corruption is { } corruption
            ? $"        \"\"\"The declared corruption, applied to inputs while training.\"\"\"\n        return {corruption.PyTorch}"
            : "        return x");
        Line();
        Line("    def loss(self, input, target=None, labels=None, epoch=None, noise=None):");
        Line("        \"\"\"The total and each term in nats per example, as the .NET model computes them. Inputs are corrupted while");
        Line("        training; noise, when given, is the standard-normal draw of a VAE's codes.\"\"\"");
        Line("        target = input if target is None else target");
        Line("        if self.training:");
        Line("            input = self.corrupt(input)");
        foreach (var line in latent.PyTorchDraw)
        {
            Line("        " + line);
        }

        Line("        decoded = self.decode_raw(z, labels)");
        Line("        terms = OrderedDict()");
        foreach (var term in spec.LossTerms)
        {
            Line($"        terms[\"{term.Name}\"] = {term.PyTorch(spec.Likelihood)}");
        }

        Line("        total = " + string.Join(" + ", spec.LossTerms.Select(term => term.WeightAt(null) == 1 && term.PyTorchWeight == I(1) ? $"terms[\"{term.Name}\"]" : $"({term.PyTorchWeight}) * terms[\"{term.Name}\"]")));
        Line("        return total, terms");
        return py.ToString();
    }

    private static string Tuple(System.Collections.Generic.IReadOnlyList<long> values) =>
        values.Count == 1 ? $"({values[0]},)" : "(" + string.Join(", ", values) + ")";
}
