using System.ComponentModel;
using KpLab.Abstractions;

namespace KpLab.Plugins.KpDiscoverability;

/// <summary>What discoverability does with predicted noise (label -1).</summary>
public enum DiscoveryNoise
{
    /// <summary>Noise rows stay in each label's size (they count as missed) but never form a candidate cluster.</summary>
    Unmatched,

    /// <summary>Noise rows are dropped before scoring.</summary>
    Exclude,
}

public sealed record DiscoverabilityOptions : PluginOptions
{
    [Description("A label counts as discovered when its best cluster's F1 is at least this, in (0, 1].")]
    public double Threshold { get; init; } = 0.5;

    [Description("Noise (-1): 'unmatched' keeps the rows as missed, 'exclude' drops them.")]
    public DiscoveryNoise Noise { get; init; } = DiscoveryNoise.Unmatched;

    public override IEnumerable<OptionError> Validate()
    {
        if (!(Threshold > 0 && Threshold <= 1)) yield return new OptionError("threshold", $"must be in (0, 1], got {Threshold}");
    }
}

/// <summary>One expert label's best-matching clusters and whether it is discovered.</summary>
/// <param name="Label">The expert label.</param>
/// <param name="Size">Rows carrying the label (excluded noise not counted).</param>
/// <param name="Cluster">The cluster with the highest F1 (ties: the lowest label); null when no cluster holds the label.</param>
/// <param name="Precision">Share of that cluster's rows carrying the label.</param>
/// <param name="Recall">Share of the label's rows in that cluster.</param>
/// <param name="F1">Their harmonic mean, 2·|L∩C| / (|L| + |C|).</param>
/// <param name="JaccardCluster">The cluster with the highest Jaccard index |L∩C| / |L∪C|; null when none.</param>
/// <param name="Jaccard">That Jaccard index.</param>
/// <param name="Discovered">Whether <paramref name="F1"/> reaches the threshold.</param>
public sealed record DiscoverabilityRow(
    [property: MetricKey] string Label, long Size, int? Cluster, double Precision, double Recall, double F1,
    int? JaccardCluster, double Jaccard, bool Discovered);

/// <summary>
/// The study's per-profile measure. For each expert label: the cluster with the highest F1 (ties: lowest cluster
/// label) with its precision, recall and F1, the cluster with the highest Jaccard index, and whether the label is
/// discovered (F1 ≥ threshold). Value: the share of labels discovered.
/// </summary>
[KpLabPlugin(PluginKind.Metric, "discoverability", Description = "Per expert label: best-matching cluster by F1 and by Jaccard, precision, recall, and whether the label is discovered (F1 >= threshold).")]
public sealed class Discoverability(DiscoverabilityOptions options) : IMetric<DiscoverabilityRow>
{
    public MetricResult<DiscoverabilityRow> Evaluate(EvaluationInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var predicted = input.RequirePredicted("discoverability").Labels;
        var truth = input.RequireTruth("discoverability");
        int n = input.RequireSameLength("discoverability");
        if (n == 0) throw new ArgumentException("Metric 'discoverability': the input is empty (0 rows).");

        var labelSizes = new long[truth.Names.Count];
        var clusterSizes = new Dictionary<int, long>();
        var overlap = new Dictionary<(int Label, int Cluster), long>();
        for (int i = 0; i < n; i++)
        {
            int k = predicted[i];
            if (k == -1 && options.Noise == DiscoveryNoise.Exclude) continue;
            labelSizes[truth.Codes[i]]++;
            if (k == -1) continue;
            clusterSizes[k] = clusterSizes.GetValueOrDefault(k) + 1;
            overlap[(truth.Codes[i], k)] = overlap.GetValueOrDefault((truth.Codes[i], k)) + 1;
        }
        var candidates = overlap.Keys.GroupBy(key => key.Label).ToDictionary(g => g.Key, g => g.Select(key => key.Cluster).Order().ToArray());

        var rows = new List<DiscoverabilityRow>();
        int discovered = 0;
        for (int label = 0; label < labelSizes.Length; label++)
        {
            input.CancellationToken.ThrowIfCancellationRequested();
            if (labelSizes[label] == 0) continue; // every row of it was excluded noise
            double bestF1 = 0, bestPrecision = 0, bestRecall = 0, bestJaccard = 0;
            int bestCluster = -1, bestJaccardCluster = -1;
            foreach (var k in candidates.GetValueOrDefault(label, []))
            {
                long both = overlap[(label, k)], size = clusterSizes[k];
                double f1 = 2.0 * both / (labelSizes[label] + size);
                double jaccard = (double)both / (labelSizes[label] + size - both);
                if (f1 > bestF1) (bestF1, bestCluster, bestPrecision, bestRecall) = (f1, k, (double)both / size, (double)both / labelSizes[label]);
                if (jaccard > bestJaccard) (bestJaccard, bestJaccardCluster) = (jaccard, k);
            }
            bool found = bestCluster >= 0 && bestF1 >= options.Threshold;
            if (found) discovered++;
            rows.Add(new DiscoverabilityRow(truth.Names[label], labelSizes[label], bestCluster >= 0 ? bestCluster : null,
                bestPrecision, bestRecall, bestF1, bestJaccardCluster >= 0 ? bestJaccardCluster : null, bestJaccard, found));
        }
        return new MetricResult<DiscoverabilityRow>("discoverability", (double)discovered / rows.Count, rows)
        {
            Components = new Dictionary<string, double>
            {
                ["discovered"] = discovered,
                ["labels"] = rows.Count,
                ["meanBestF1"] = rows.Average(r => r.F1),
            },
        };
    }
}
