using KpLab.Abstractions;

namespace KpLab.Plugins.ExternalMetrics;

[KpLabPlugin(PluginKind.Metric, "ari", Description = "Adjusted Rand index of the predicted partition against the expert labels (scikit-learn's adjusted_rand_score).")]
public sealed class AdjustedRandIndex(ExternalMetricOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var table = ContingencyTable.From(input, "ari", options.Noise);
        return new MetricResult("ari", ExternalScores.AdjustedRand(table))
        {
            Components = new Dictionary<string, double> { ["samples"] = table.Total },
        };
    }
}

[KpLabPlugin(PluginKind.Metric, "fowlkes-mallows", Description = "Fowlkes-Mallows index: geometric mean of pair precision and pair recall (scikit-learn's fowlkes_mallows_score).")]
public sealed class FowlkesMallowsIndex(ExternalMetricOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var table = ContingencyTable.From(input, "fowlkes-mallows", options.Noise);
        return new MetricResult("fowlkes-mallows", ExternalScores.FowlkesMallows(table));
    }
}

[KpLabPlugin(PluginKind.Metric, "pair-counting", Description = "Pair-counting precision, recall and F1: of the pairs put together by the clustering, the share the experts also put together, and vice versa.")]
public sealed class PairCounting(ExternalMetricOptions options) : IMetric
{
    /// <summary>Headline: pair F1. Precision is NaN when no two rows share a cluster, recall when no two share a label.</summary>
    public MetricResult Evaluate(EvaluationInput input)
    {
        var pairs = PairCounts.Of(ContingencyTable.From(input, "pair-counting", options.Noise));
        double precision = pairs.SameCluster == 0 ? double.NaN : (double)pairs.SameBoth / pairs.SameCluster;
        double recall = pairs.SameClass == 0 ? double.NaN : (double)pairs.SameBoth / pairs.SameClass;
        double f1 = double.IsNaN(precision) || double.IsNaN(recall) ? double.NaN
            : pairs.SameBoth == 0 ? 0.0
            : 2 * precision * recall / (precision + recall);
        return new MetricResult("pair-counting", f1)
        {
            Components = new Dictionary<string, double>
            {
                ["precision"] = precision,
                ["recall"] = recall,
                ["f1"] = f1,
                ["pairs"] = pairs.Total,
                ["pairsSameLabel"] = pairs.SameClass,
                ["pairsSameCluster"] = pairs.SameCluster,
                ["pairsSameBoth"] = pairs.SameBoth,
            },
        };
    }
}
