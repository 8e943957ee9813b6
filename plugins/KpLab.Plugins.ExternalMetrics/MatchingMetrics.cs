using KpLab.Abstractions;

namespace KpLab.Plugins.ExternalMetrics;

[KpLabPlugin(PluginKind.Metric, "purity", Description = "Purity: share of rows carrying their cluster's majority expert label; inverse purity as a component.")]
public sealed class Purity(ExternalMetricOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var table = ContingencyTable.From(input, "purity", options.Noise);
        return new MetricResult("purity", ExternalScores.Purity(table))
        {
            Components = new Dictionary<string, double> { ["inversePurity"] = ExternalScores.InversePurity(table) },
        };
    }
}

[KpLabPlugin(PluginKind.Metric, "inverse-purity", Description = "Inverse purity: share of rows lying in their expert label's majority cluster.")]
public sealed class InversePurity(ExternalMetricOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input) =>
        new("inverse-purity", ExternalScores.InversePurity(ContingencyTable.From(input, "inverse-purity", options.Noise)));
}

[KpLabPlugin(PluginKind.Metric, "matched-f1", Description = "Size-weighted F1 after optimal one-to-one (Hungarian) matching of clusters to expert labels; one row per label.")]
public sealed class MatchedF1(ExternalMetricOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var table = ContingencyTable.From(input, "matched-f1", options.Noise);
        var (matches, weighted) = ExternalScores.MatchedF1(table);
        var rows = matches.Select(m => new MetricRow(table.ClassNames[m.Class], new Dictionary<string, double>
        {
            ["size"] = table.ClassSizes[m.Class],
            ["cluster"] = m.Cluster >= 0 ? table.ClusterLabels[m.Cluster] : double.NaN,
            ["overlap"] = m.Overlap,
            ["precision"] = m.Precision,
            ["recall"] = m.Recall,
            ["f1"] = m.F1,
        })).ToArray();
        return new MetricResult("matched-f1", weighted)
        {
            Rows = rows,
            Components = new Dictionary<string, double> { ["macroF1"] = matches.Average(m => m.F1) },
        };
    }
}

[KpLabPlugin(PluginKind.Metric, "contingency", Description = "Contingency table of expert labels (rows) against clusters (columns), as Details[\"contingency\"]; the value is the number of rows scored.")]
public sealed class Contingency(ExternalMetricOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var table = ContingencyTable.From(input, "contingency", options.Noise);
        return new MetricResult("contingency", table.Total)
        {
            Components = new Dictionary<string, double> { ["labels"] = table.ClassCount, ["clusters"] = table.ClusterCount },
            Details = new Dictionary<string, object> { ["contingency"] = table.ToResultTable() },
        };
    }
}
