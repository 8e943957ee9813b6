using System.ComponentModel;
using KpLab.Abstractions;

namespace MyMetricPlugin;

/// <summary>Options of <see cref="MyMetric"/>: every option has a default and a description.</summary>
public sealed record MyMetricOptions : PluginOptions
{
    [Description("Noise rows (-1): true scores them as wrongly placed, false leaves them out.")]
    public bool PenalizeNoise { get; init; } = true;
}

/// <summary>One cluster's row: the metric's typed output (<c>kplab plugins</c> lists these columns).</summary>
/// <param name="Cluster">The cluster label: the key, what the row describes.</param>
/// <param name="Size">Rows scored in it.</param>
/// <param name="Purity">Share of them carrying its majority label.</param>
public sealed record ClusterPurityRow([property: MetricKey] int Cluster, int Size, double Purity);

/// <summary>
/// An example metric to replace with your own: purity, the share of rows carrying their cluster's most common expert
/// label. NaN when no row is scored.
/// </summary>
[KpLabPlugin(PluginKind.Metric, "my-metric", Description = "Purity: share of rows carrying their cluster's majority expert label.")]
public sealed class MyMetric(MyMetricOptions options) : IMetric<ClusterPurityRow>
{
    public MetricResult<ClusterPurityRow> Evaluate(EvaluationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // One pass over the rows is quick; a metric that takes longer checks the token every ~100 ms of work.
        input.CancellationToken.ThrowIfCancellationRequested();
        var predicted = input.RequirePredicted("my-metric");
        var truth = input.RequireTruth("my-metric");
        input.RequireSameLength("my-metric");

        var counts = new Dictionary<(int Cluster, int Label), int>();
        int scored = 0;
        for (int i = 0; i < predicted.Count; i++)
        {
            int cluster = predicted.Labels[i];
            if (cluster < 0 && !options.PenalizeNoise) continue;
            scored++;
            if (cluster < 0) continue; // noise counts in the denominator only
            var key = (cluster, truth.Codes[i]);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        var majorities = counts.GroupBy(p => p.Key.Cluster).OrderBy(g => g.Key)
            .Select(g => (Cluster: g.Key, Majority: g.Max(p => p.Value), Size: g.Sum(p => p.Value)))
            .ToArray();
        double purity = scored == 0 ? double.NaN : majorities.Sum(m => m.Majority) / (double)scored;
        return new MetricResult<ClusterPurityRow>("my-metric", purity,
            majorities.Select(m => new ClusterPurityRow(m.Cluster, m.Size, m.Majority / (double)m.Size)));
    }
}
