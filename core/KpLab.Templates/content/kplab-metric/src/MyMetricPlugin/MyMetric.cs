using System.ComponentModel;
using KpLab.Abstractions;

namespace MyMetricPlugin;

/// <summary>Options of <see cref="MyMetric"/>: every option has a default and a description.</summary>
public sealed record MyMetricOptions : PluginOptions
{
    [Description("Noise rows (-1): true scores them as wrongly placed, false leaves them out.")]
    public bool PenalizeNoise { get; init; } = true;
}

/// <summary>
/// An example metric to replace with your own: purity, the share of rows carrying their cluster's most common expert
/// label. NaN when no row is scored.
/// </summary>
[KpLabPlugin(PluginKind.Metric, "my-metric", Description = "Purity: share of rows carrying their cluster's majority expert label.")]
public sealed class MyMetric(MyMetricOptions options) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
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
        return new MetricResult("my-metric", purity)
        {
            Rows = majorities.Select(m => new MetricRow($"cluster {m.Cluster}", new Dictionary<string, double>
            {
                ["size"] = m.Size,
                ["purity"] = m.Majority / (double)m.Size,
            })).ToArray(),
        };
    }
}
