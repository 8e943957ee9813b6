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

/// <summary>One expert label's match after optimal one-to-one matching of clusters to labels.</summary>
/// <param name="Label">The expert label.</param>
/// <param name="Size">Rows carrying it.</param>
/// <param name="Cluster">The cluster matched to it; null when there are fewer clusters than labels and it got none.</param>
/// <param name="Overlap">Rows in both.</param>
/// <param name="Precision">Overlap over the cluster's size.</param>
/// <param name="Recall">Overlap over the label's size.</param>
/// <param name="F1">Their harmonic mean.</param>
public sealed record MatchedF1Row([property: MetricKey] string Label, long Size, int? Cluster, long Overlap, double Precision, double Recall, double F1);

/// <summary>One cell of the contingency table: how many rows carry <paramref name="Label"/> and lie in <paramref name="Cluster"/>.</summary>
/// <param name="Label">The expert label.</param>
/// <param name="Cluster">The cluster label (-1: noise, when noise is kept as a cluster).</param>
/// <param name="Count">Rows in both (0 included, so the table is complete).</param>
public sealed record ContingencyRow([property: MetricKey] string Label, [property: MetricKey] int Cluster, long Count);

[KpLabPlugin(PluginKind.Metric, "matched-f1", Description = "Size-weighted F1 after optimal one-to-one (Hungarian) matching of clusters to expert labels; one row per label.")]
public sealed class MatchedF1(ExternalMetricOptions options) : IMetric<MatchedF1Row>
{
    public MetricResult<MatchedF1Row> Evaluate(EvaluationInput input)
    {
        var table = ContingencyTable.From(input, "matched-f1", options.Noise);
        var (matches, weighted) = ExternalScores.MatchedF1(table);
        var rows = matches.Select(m => new MatchedF1Row(table.ClassNames[m.Class], table.ClassSizes[m.Class],
            m.Cluster >= 0 ? table.ClusterLabels[m.Cluster] : null, m.Overlap, m.Precision, m.Recall, m.F1));
        return new MetricResult<MatchedF1Row>("matched-f1", weighted, rows)
        {
            Components = new Dictionary<string, double> { ["macroF1"] = matches.Average(m => m.F1) },
        };
    }
}

[KpLabPlugin(PluginKind.Metric, "contingency", Description = "Contingency table of expert labels against clusters: one row per (label, cluster) with its count, and the wide table as Details[\"contingency\"]; the value is the number of rows scored.")]
public sealed class Contingency(ExternalMetricOptions options) : IMetric<ContingencyRow>
{
    public MetricResult<ContingencyRow> Evaluate(EvaluationInput input)
    {
        var table = ContingencyTable.From(input, "contingency", options.Noise);
        var counts = new long[table.ClassCount, table.ClusterCount];
        foreach (var cell in table.Cells) counts[cell.Class, cell.Cluster] = cell.Count;
        var rows = Enumerable.Range(0, table.ClassCount).SelectMany(c => Enumerable.Range(0, table.ClusterCount)
            .Select(k => new ContingencyRow(table.ClassNames[c], table.ClusterLabels[k], counts[c, k])));
        return new MetricResult<ContingencyRow>("contingency", table.Total, rows)
        {
            Components = new Dictionary<string, double> { ["labels"] = table.ClassCount, ["clusters"] = table.ClusterCount },
            Details = new Dictionary<string, object> { ["contingency"] = table.ToResultTable() },
        };
    }
}
