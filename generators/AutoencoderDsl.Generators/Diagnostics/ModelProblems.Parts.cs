using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;

namespace AutoencoderDsl.Generators.Diagnostics;

/// <summary>The options of the model attribute and the arguments of every part attribute: combinations that make no sense.</summary>
public static partial class ModelProblems
{
    private static void FindModelOptionProblems(ModelReading reading, AttributeData attribute, List<ModelProblem> problems)
    {
        if (reading.Model is not { } model)
        {
            return;
        }

        var type = reading.Type;
        if (model is VariationalAttribute { KlWarmupEpochs: < 0 } variational)
        {
            problems.Add(Problem(DiagnosticDescriptors.InvalidWarmup, ArgumentLocation(attribute, nameof(VariationalAttribute.KlWarmupEpochs), type), Number(variational.KlWarmupEpochs)));
        }

        bool gaussian = model.Likelihood == Likelihood.Gaussian;
        bool sigmaWritten = IsWritten(attribute, nameof(ModelAttribute.Sigma));
        if (sigmaWritten)
        {
            var location = ArgumentLocation(attribute, nameof(ModelAttribute.Sigma), type);
            if (!gaussian)
            {
                problems.Add(Problem(DiagnosticDescriptors.LikelihoodOption, location, new ProblemFix(FixKind.RemoveArgument, location), $"Sigma is the standard deviation of a Gaussian likelihood, but the likelihood is {model.Likelihood}; remove Sigma or declare Likelihood = Likelihood.Gaussian"));
            }
            else if (!(model.Sigma > 0 && !double.IsInfinity(model.Sigma)))
            {
                problems.Add(Problem(DiagnosticDescriptors.LikelihoodOption, location, $"Sigma is {Number(model.Sigma)}, but a standard deviation must be positive and finite"));
            }
        }

        if (model.LearnedVariance)
        {
            var location = ArgumentLocation(attribute, nameof(ModelAttribute.LearnedVariance), type);
            if (!gaussian)
            {
                problems.Add(Problem(DiagnosticDescriptors.LikelihoodOption, location, new ProblemFix(FixKind.RemoveArgument, location), $"LearnedVariance learns the standard deviation of a Gaussian likelihood, but the likelihood is {model.Likelihood}; remove LearnedVariance or declare Likelihood = Likelihood.Gaussian"));
            }
            else if (sigmaWritten)
            {
                problems.Add(Problem(DiagnosticDescriptors.LikelihoodOption, location, "A Gaussian likelihood takes a fixed Sigma or LearnedVariance = true, not both; remove one of them"));
            }
        }
    }

    private static void FindPartProblems(ModelReading reading, List<ModelProblem> problems)
    {
        var type = reading.Type;
        foreach (var part in reading.PartAttributes.Where(part => part.Instance is null))
        {
            problems.Add(Problem(DiagnosticDescriptors.UnboundArguments, LocationOf(part.Attribute, type), ShortName(part.Attribute), "the part cannot be built"));
        }

        // The compiler refuses a repeated part too (CS0579), but the model would otherwise be generated with the first.
        foreach (var repeated in reading.PartAttributes.GroupBy(part => (ISymbol?)part.Attribute.AttributeClass, SymbolEqualityComparer.Default).SelectMany(group => group.Skip(1)))
        {
            problems.Add(Problem(DiagnosticDescriptors.RepeatedPart, LocationOf(repeated.Attribute, type), type.Name, ShortName(repeated.Attribute)));
        }

        if (reading.Part<ClassConditionalAttribute>() is { Classes: < 2 } conditional)
        {
            var attribute = reading.PartAttribute<ClassConditionalAttribute>()!;
            problems.Add(Problem(DiagnosticDescriptors.InvalidClassCount, ArgumentLocation(attribute, nameof(ClassConditionalAttribute.Classes), type), Number(conditional.Classes)));
        }

        if (reading.Part<SparseAttribute>() is { } sparse)
        {
            FindSparsityProblems(reading, sparse, reading.PartAttribute<SparseAttribute>()!, problems);
        }

        if (reading.Part<DenoisingAttribute>() is { } denoising)
        {
            FindNoiseProblems(reading, denoising, reading.PartAttribute<DenoisingAttribute>()!, problems);
        }
    }

    private static void FindSparsityProblems(ModelReading reading, SparseAttribute sparse, AttributeData attribute, List<ModelProblem> problems)
    {
        var type = reading.Type;
        if (reading.IsVariational)
        {
            var location = LocationOf(attribute, type);
            problems.Add(Problem(DiagnosticDescriptors.SparsityWithoutDeterministicCode, location, new ProblemFix(FixKind.RemoveAttribute, location), type.Name));
        }

        bool l1 = IsWritten(attribute, nameof(SparseAttribute.L1));
        bool target = IsWritten(attribute, nameof(SparseAttribute.Target));
        void Report(string? argument, string message, ProblemFix? fix = null) =>
            problems.Add(Problem(DiagnosticDescriptors.InvalidSparsity, argument is null ? LocationOf(attribute, type) : ArgumentLocation(attribute, argument, type), fix, message));

        if (l1 == target)
        {
            Report(
                l1 ? nameof(SparseAttribute.Target) : null,
                l1
                    ? "[Sparse] takes L1 (a penalty on the code's L1 norm) or Target (a mean activation for each code unit), not both; remove one of them"
                    : "[Sparse] needs L1 = λ, a penalty on the code's L1 norm, or Target = ρ, a mean activation for each code unit, such as Target = 0.05");
        }

        if (l1 && !(sparse.L1 > 0 && !double.IsInfinity(sparse.L1)))
        {
            Report(nameof(SparseAttribute.L1), $"L1 is {Number(sparse.L1)}, but the weight of the L1 penalty must be positive and finite, such as 1e-4");
        }

        if (target && !(sparse.Target > 0 && sparse.Target < 1))
        {
            Report(nameof(SparseAttribute.Target), $"Target is {Number(sparse.Target)}, but a mean activation must lie in (0, 1), such as 0.05");
        }

        if (IsWritten(attribute, nameof(SparseAttribute.Weight)))
        {
            var location = ArgumentLocation(attribute, nameof(SparseAttribute.Weight), type);
            if (l1 && !target)
            {
                Report(nameof(SparseAttribute.Weight), "Weight weighs the penalty towards Target; the L1 penalty's weight is L1 itself, so remove Weight", new ProblemFix(FixKind.RemoveArgument, location));
            }
            else if (!(sparse.Weight > 0 && !double.IsInfinity(sparse.Weight)))
            {
                Report(nameof(SparseAttribute.Weight), $"Weight is {Number(sparse.Weight)}, but the weight of the sparsity penalty must be positive and finite");
            }
        }
    }

    private static void FindNoiseProblems(ModelReading reading, DenoisingAttribute denoising, AttributeData attribute, List<ModelProblem> problems)
    {
        var type = reading.Type;
        void Report(Location location, string message) => problems.Add(Problem(DiagnosticDescriptors.InvalidNoise, location, message));

        if (!System.Enum.IsDefined(typeof(Noise), denoising.Noise))
        {
            Report(PositionalArgumentLocation(attribute, 0, type), $"Noise is {(int)denoising.Noise}, which is none of Noise.Gaussian, Noise.Masking and Noise.SaltAndPepper");
        }
        else if (denoising.Noise == Noise.Gaussian && !(denoising.Level > 0 && !double.IsInfinity(denoising.Level)))
        {
            Report(PositionalArgumentLocation(attribute, 1, type), $"The level of Gaussian noise is its standard deviation, which must be positive and finite, but it is {Number(denoising.Level)}");
        }
        else if (denoising.Noise != Noise.Gaussian && !(denoising.Level > 0 && denoising.Level < 1))
        {
            Report(PositionalArgumentLocation(attribute, 1, type), $"The level of {denoising.Noise} noise is the share of values it corrupts, which must lie in (0, 1), but it is {Number(denoising.Level)}");
        }

        if (!(denoising.Min < denoising.Max))
        {
            Report(ArgumentLocation(attribute, IsWritten(attribute, nameof(DenoisingAttribute.Max)) ? nameof(DenoisingAttribute.Max) : nameof(DenoisingAttribute.Min), type), $"The data range [{Number(denoising.Min)}, {Number(denoising.Max)}] is empty; Min must be below Max");
        }
        else if (denoising.Noise == Noise.SaltAndPepper && (double.IsInfinity(denoising.Min) || double.IsInfinity(denoising.Max)))
        {
            Report(LocationOf(attribute, type), "Salt-and-pepper noise sets values to Min and Max, so both must be finite");
        }
    }

    /// <summary>Whether the attribute names <paramref name="name"/> among its named arguments.</summary>
    private static bool IsWritten(AttributeData attribute, string name) => attribute.NamedArguments.Any(argument => argument.Key == name);
}
