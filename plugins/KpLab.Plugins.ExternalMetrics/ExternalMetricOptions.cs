using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.ExternalMetrics;

/// <summary>Options shared by every external metric.</summary>
public abstract record ExternalOptionsBase : PluginOptions
{
    [Description("Predicted noise (-1): 'cluster' scores it as one more cluster (scikit-learn), 'exclude' drops those rows.")]
    public NoiseHandling Noise { get; init; } = NoiseHandling.Cluster;
}

/// <summary>Options of external metrics that have nothing else to set.</summary>
public sealed record ExternalMetricOptions : ExternalOptionsBase;

/// <summary>Options of the normalised mutual-information metrics.</summary>
public sealed record MutualInformationOptions : ExternalOptionsBase
{
    [Description("Normaliser: the arithmetic, geometric, min or max mean of the two entropies.")]
    public AverageMethod AverageMethod { get; init; } = AverageMethod.Arithmetic;
}

/// <summary>Options of the V-measure.</summary>
public sealed record VMeasureOptions : ExternalOptionsBase
{
    [Description("Weight of homogeneity against completeness; above 1 favours completeness, as in scikit-learn.")]
    public double Beta { get; init; } = 1.0;

    public override IEnumerable<OptionError> Validate()
    {
        if (!(Beta > 0) || !double.IsFinite(Beta)) yield return new OptionError("beta", $"must be a positive finite number, got {Beta}");
    }
}
