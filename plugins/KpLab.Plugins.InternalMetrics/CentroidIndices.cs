using System.ComponentModel;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.InternalMetrics;

public sealed record CentroidIndexOptions : MemoryBoundedOptions
{
    [Description("Noise (-1): 'cluster' treats it as one more cluster (scikit-learn), 'exclude' drops those rows.")]
    public NoiseHandling Noise { get; init; } = NoiseHandling.Cluster;
}

/// <summary>scikit-learn's davies_bouldin_score, in float64 (Euclidean).</summary>
[KpLabPlugin(PluginKind.Metric, "davies-bouldin", Description = "Davies-Bouldin index (lower is better), as scikit-learn's davies_bouldin_score.")]
public sealed class DaviesBouldin(CentroidIndexOptions options, PluginContext? context = null) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var labels = ClusterLabels.From(input, "davies-bouldin", options.Noise);
        input.CancellationToken.ThrowIfCancellationRequested();
        int k = labels.ClusterCount;
        // The k x k centroid distances dominate when clusters are many (singletons: k = n).
        options.BudgetIn(context ?? PluginContext.Default).EnsureFits("davies-bouldin",
            8L * k * k + 8L * k * (labels.Data.Columns + 1), $"the {k} x {k} centroid distance table",
            "Merge small clusters first (or exclude noise), or raise memoryBudgetGb.");
        var centroids = labels.Centroids();
        var intra = new double[k];
        for (int r = 0; r < labels.Count; r++)
            intra[labels.Codes[r]] += Math.Sqrt(WideningSums.SquaredDistance(labels.Row(r), centroids[labels.Codes[r]]));
        for (int c = 0; c < k; c++) intra[c] /= labels.Sizes[c];
        var between = new double[k, k];
        bool allCentroidsTogether = true;
        for (int a = 0; a < k; a++)
        {
            // k × k centroid distances: with many small clusters (k near n) this is the O(n²·d) part.
            input.CancellationToken.ThrowIfCancellationRequested();
            for (int b = 0; b < k; b++)
            {
                between[a, b] = Math.Sqrt(WideningSums.SquaredDistance(centroids[a], centroids[b]));
                allCentroidsTogether &= between[a, b] <= 1e-8; // np.allclose(…, 0)
            }
        }
        if (intra.All(v => Math.Abs(v) <= 1e-8) || allCentroidsTogether) return new MetricResult("davies-bouldin", 0.0);
        double total = 0;
        for (int a = 0; a < k; a++)
        {
            double worst = double.NegativeInfinity;
            for (int b = 0; b < k; b++)
            {
                double distance = between[a, b] == 0 ? double.PositiveInfinity : between[a, b];
                worst = Math.Max(worst, (intra[a] + intra[b]) / distance);
            }
            total += worst;
        }
        return new MetricResult("davies-bouldin", total / k);
    }
}

/// <summary>scikit-learn's calinski_harabasz_score, in float64.</summary>
[KpLabPlugin(PluginKind.Metric, "calinski-harabasz", Description = "Calinski-Harabasz variance ratio (higher is better), as scikit-learn's calinski_harabasz_score.")]
public sealed class CalinskiHarabasz(CentroidIndexOptions options, PluginContext? context = null) : IMetric
{
    public MetricResult Evaluate(EvaluationInput input)
    {
        var labels = ClusterLabels.From(input, "calinski-harabasz", options.Noise);
        input.CancellationToken.ThrowIfCancellationRequested(); // O(n·d): one check before the work is enough
        int k = labels.ClusterCount, n = labels.Count, d = labels.Data.Columns;
        options.BudgetIn(context ?? PluginContext.Default).EnsureFits("calinski-harabasz", 8L * k * (d + 1) + 8L * d,
            $"{k} centroids of {d} values", "Merge small clusters first (or exclude noise), or raise memoryBudgetGb.");
        var centroids = labels.Centroids();
        var mean = new double[d];
        for (int r = 0; r < n; r++) WideningSums.AddTo(labels.Row(r), mean);
        for (int j = 0; j < d; j++) mean[j] /= n;
        double extra = 0, intra = 0;
        for (int c = 0; c < k; c++) extra += labels.Sizes[c] * WideningSums.SquaredDistance(centroids[c], mean);
        for (int r = 0; r < n; r++) intra += WideningSums.SquaredDistance(labels.Row(r), centroids[labels.Codes[r]]);
        double value = intra == 0.0 ? 1.0 : extra * (n - k) / (intra * (k - 1.0));
        return new MetricResult("calinski-harabasz", value)
        {
            Components = new Dictionary<string, double> { ["betweenDispersion"] = extra, ["withinDispersion"] = intra },
        };
    }
}
