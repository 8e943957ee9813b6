using KpLab.Abstractions;

namespace KpLab.Plugins.ExternalMetrics;

[KpLabPlugin(PluginKind.Metric, "ami", Description = "Adjusted mutual information, corrected for chance with the exact expected MI (scikit-learn's adjusted_mutual_info_score).")]
public sealed class AdjustedMutualInformation(MutualInformationOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var table = ContingencyTable.From(input, "ami", options.Noise);
        var (ami, mi, emi) = ExternalScores.AdjustedMutualInformation(table, options.AverageMethod);
        return new MetricResult("ami", ami)
        {
            Components = new Dictionary<string, double> { ["mutualInformation"] = mi, ["expectedMutualInformation"] = emi },
        };
    }
}

[KpLabPlugin(PluginKind.Metric, "nmi", Description = "Normalised mutual information (scikit-learn's normalized_mutual_info_score).")]
public sealed class NormalizedMutualInformation(MutualInformationOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var table = ContingencyTable.From(input, "nmi", options.Noise);
        return new MetricResult("nmi", ExternalScores.NormalizedMutualInformation(table, options.AverageMethod));
    }
}

[KpLabPlugin(PluginKind.Metric, "homogeneity", Description = "Homogeneity: 1 when every cluster holds a single expert label (scikit-learn's homogeneity_score).")]
public sealed class Homogeneity(ExternalMetricOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input) => new("homogeneity",
        ExternalScores.HomogeneityCompleteness(ContingencyTable.From(input, "homogeneity", options.Noise), 1.0).Homogeneity);
}

[KpLabPlugin(PluginKind.Metric, "completeness", Description = "Completeness: 1 when every expert label lies in a single cluster (scikit-learn's completeness_score).")]
public sealed class Completeness(ExternalMetricOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input) => new("completeness",
        ExternalScores.HomogeneityCompleteness(ContingencyTable.From(input, "completeness", options.Noise), 1.0).Completeness);
}

[KpLabPlugin(PluginKind.Metric, "v-measure", Description = "V-measure: weighted harmonic mean of homogeneity and completeness (scikit-learn's v_measure_score).")]
public sealed class VMeasure(VMeasureOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var (h, c, v) = ExternalScores.HomogeneityCompleteness(ContingencyTable.From(input, "v-measure", options.Noise), options.Beta);
        return new MetricResult("v-measure", v)
        {
            Components = new Dictionary<string, double> { ["homogeneity"] = h, ["completeness"] = c },
        };
    }
}
