using System;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace AutoencoderDsl.MLNet;

/// <summary>
/// Turns the graph's one-value vector of a score into the scalar ML.NET's anomaly evaluator reads. Named, so a saved
/// pipeline loads once <c>mlContext.ComponentCatalog.RegisterAssembly(typeof(AutoencoderCatalog).Assembly)</c> has run.
/// </summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class AnomalyScoreMapping : CustomMappingFactory<AnomalyScoreMapping.Vector, AnomalyScoreMapping.Scalar>
{
    /// <summary>The name a saved pipeline knows the mapping by.</summary>
    public const string ContractName = "AutoencoderDsl.AnomalyScore";

    /// <inheritdoc/>
    public override Action<Vector, Scalar> GetMapping() => (vector, scalar) => scalar.AnomalyScore = vector.AnomalyScore[0];

    /// <summary>The graph's output.</summary>
    public sealed class Vector
    {
        /// <summary>The score, one value.</summary>
        [VectorType(1)]
        public float[] AnomalyScore { get; set; } = [];
    }

    /// <summary>The column the transform adds.</summary>
    public sealed class Scalar
    {
        /// <summary>The score.</summary>
        public float AnomalyScore { get; set; }
    }
}

/// <summary>Turns the graph's one-value vector of a flag into a scalar <see cref="bool"/>, as <see cref="AnomalyScoreMapping"/> does the score.</summary>
[CustomMappingFactoryAttribute(ContractName)]
public sealed class IsAnomalyMapping : CustomMappingFactory<IsAnomalyMapping.Vector, IsAnomalyMapping.Scalar>
{
    /// <summary>The name a saved pipeline knows the mapping by.</summary>
    public const string ContractName = "AutoencoderDsl.IsAnomaly";

    /// <inheritdoc/>
    public override Action<Vector, Scalar> GetMapping() => (vector, scalar) => scalar.IsAnomaly = vector.IsAnomaly[0];

    /// <summary>The graph's output.</summary>
    public sealed class Vector
    {
        /// <summary>The flag, one value.</summary>
        [VectorType(1)]
        public bool[] IsAnomaly { get; set; } = [];
    }

    /// <summary>The column the transform adds.</summary>
    public sealed class Scalar
    {
        /// <summary>The flag.</summary>
        public bool IsAnomaly { get; set; }
    }
}
