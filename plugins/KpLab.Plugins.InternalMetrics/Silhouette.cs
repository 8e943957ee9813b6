using System.ComponentModel;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.InternalMetrics;

/// <summary>The distance a silhouette is computed with.</summary>
public enum SilhouetteDistance
{
    /// <summary>Euclidean distance.</summary>
    Euclidean,

    /// <summary>Cosine distance 1 − cos (a zero row has cosine 0 with everything, as in scikit-learn).</summary>
    Cosine,
}

/// <summary>How the per-row, per-cluster distance sums are obtained.</summary>
public enum SilhouetteMethod
{
    /// <summary>Decomposed for cosine with few clusters, tiled otherwise.</summary>
    Auto,

    /// <summary>Tiled pairwise distances (<see cref="PairwiseKernel.ForEachTile"/>), O(n² d) time, O(n · tile) memory.</summary>
    Pairwise,

    /// <summary>
    /// Cosine only: Σ_{j∈C} (1 − x̂ᵢ·x̂ⱼ) = |C| − x̂ᵢ·Σ_{j∈C} x̂ⱼ, exact and O(n K d) in float64.
    /// </summary>
    Decomposed,
}

public sealed record SilhouetteOptions : MemoryBoundedOptions
{
    [Description("Distance: euclidean or cosine.")]
    public SilhouetteDistance Distance { get; init; } = SilhouetteDistance.Euclidean;

    [Description("Noise (-1): 'cluster' treats it as one more cluster (scikit-learn), 'exclude' drops those rows.")]
    public NoiseHandling Noise { get; init; } = NoiseHandling.Cluster;

    [Description("auto, pairwise (tiled distances) or decomposed (cosine only, via cluster sums of unit vectors).")]
    public SilhouetteMethod Method { get; init; } = SilhouetteMethod.Auto;

    [Description("Rows per distance tile in the pairwise method (memory is about tileRows x n floats per thread).")]
    public int TileRows { get; init; } = PairwiseKernel.DefaultTileRows;

    public override IEnumerable<OptionError> Validate()
    {
        foreach (var error in base.Validate()) yield return error;
        if (TileRows < 1) yield return new OptionError("tileRows", $"must be at least 1, got {TileRows}");
        if (Method == SilhouetteMethod.Decomposed && Distance != SilhouetteDistance.Cosine)
            yield return new OptionError("method", "'decomposed' needs distance 'cosine'");
    }
}

/// <summary>One cluster's silhouette.</summary>
/// <param name="Cluster">The cluster label (-1: noise, when noise counts as a cluster).</param>
/// <param name="Size">Rows scored in it.</param>
/// <param name="Silhouette">The mean silhouette of its rows.</param>
public sealed record SilhouetteRow([property: MetricKey] int Cluster, int Size, double Silhouette);

/// <summary>
/// scikit-learn's silhouette: a = mean distance to the rest of the own cluster, b = smallest mean distance to another
/// cluster, s = (b − a) / max(a, b), and 0 for a row alone in its cluster. Value: the mean; Details["samples"]: s per
/// input row (NaN for excluded noise rows); rows: per-cluster means (<see cref="SilhouetteRow"/>). Reports the share of rows
/// done (stage "distances") through the context's progress and checks the cancellation token once per row of distances.
/// </summary>
[KpLabPlugin(PluginKind.Metric, "silhouette", Description = "Silhouette coefficient per sample and mean (euclidean or cosine), as scikit-learn's silhouette_samples/silhouette_score.")]
public sealed class Silhouette(SilhouetteOptions options, PluginContext? context = null) : IMetric<SilhouetteRow>
{
    public MetricResult<SilhouetteRow> Evaluate(EvaluationInput input)
    {
        var labels = ClusterLabels.From(input, "silhouette", options.Noise);
        bool decomposed = options.Distance == SilhouetteDistance.Cosine && options.Method switch
        {
            SilhouetteMethod.Decomposed => true,
            SilhouetteMethod.Pairwise => false,
            // The decomposition costs K float64 dot products per row against n float32 ones for the tiles.
            _ => labels.ClusterCount * 8 <= labels.Count,
        };
        options.BudgetIn(context ?? PluginContext.Default).EnsureFits("silhouette", PeakBytes(labels, decomposed, options.TileRows),
            $"the silhouette of {labels.Count} rows in {labels.ClusterCount} clusters",
            decomposed ? "Merge small clusters first, or raise memoryBudgetGb."
                : "Use fewer tileRows, or distance 'cosine' (decomposed through cluster sums), or raise memoryBudgetGb.");
        var cancellation = input.CancellationToken;
        cancellation.ThrowIfCancellationRequested();
        var sums = Cancellable.Run(cancellation, () => decomposed
            ? CosineSumsDecomposed(labels, cancellation)
            : SumsTiled(labels, options.Distance, options.TileRows, cancellation, context?.Progress));
        var scores = Scores(labels, sums);

        var samples = new double[input.Embeddings!.Rows];
        Array.Fill(samples, double.NaN);
        for (int r = 0; r < labels.Count; r++) samples[labels.Rows[r]] = scores[r];
        var perCluster = new double[labels.ClusterCount];
        for (int r = 0; r < labels.Count; r++) perCluster[labels.Codes[r]] += scores[r];
        var names = labels.Rows.Select(i => input.Predicted!.Labels[i]).Distinct().Order().ToArray();
        return new MetricResult<SilhouetteRow>("silhouette", scores.Average(),
            names.Select((name, k) => new SilhouetteRow(name, labels.Sizes[k], perCluster[k] / labels.Sizes[k])))
        {
            Details = new Dictionary<string, object> { ["samples"] = samples },
            Components = new Dictionary<string, double> { ["samples"] = labels.Count, ["clusters"] = labels.ClusterCount },
        };
    }

    /// <summary>The estimated peak of what <see cref="Evaluate"/> allocates beyond its input.</summary>
    private static long PeakBytes(ClusterLabels labels, bool decomposed, int tileRows)
    {
        long n = labels.Count, k = labels.ClusterCount, d = labels.Data.Columns;
        long common = 8 * n * k + 8 * n + 4 * n; // the sums, the scores, the row order
        if (decomposed) return common + 8 * k * d + 8 * n;
        long threads = KernelParallelism.Current;
        // The grouped copy and its packed panels, per thread one tile and one row of distances, the norms.
        return common + 8 * n * d + threads * (4 * Math.Min(tileRows, n) * n + 4 * n) + 8 * n;
    }

    /// <summary>s per scored row from the per-row, per-cluster distance sums (self included, at distance 0).</summary>
    private static double[] Scores(ClusterLabels labels, double[] sums)
    {
        int k = labels.ClusterCount;
        var s = new double[labels.Count];
        for (int r = 0; r < labels.Count; r++)
        {
            int own = labels.Codes[r];
            var row = sums.AsSpan(r * k, k);
            double inter = double.PositiveInfinity;
            for (int c = 0; c < k; c++)
                if (c != own) inter = Math.Min(inter, row[c] / labels.Sizes[c]);
            if (labels.Sizes[own] == 1) continue; // alone in its cluster: 0, as sklearn (0/0 through nan_to_num)
            double intra = row[own] / (labels.Sizes[own] - 1);
            double value = (inter - intra) / Math.Max(intra, inter);
            s[r] = double.IsNaN(value) ? 0.0 : value; // a = b = 0, as sklearn's nan_to_num
        }
        return s;
    }

    /// <summary>
    /// Per-row, per-cluster distance sums from tiles of the pairwise matrix. Rows are grouped by cluster first, so each
    /// cluster is one contiguous segment of a tile row and its sum is one float64 segment sum.
    /// </summary>
    private static double[] SumsTiled(ClusterLabels labels, SilhouetteDistance distance, int tileRows, CancellationToken cancellation,
        IProgress<FitProgress>? progress)
    {
        int n = labels.Count, d = labels.Data.Columns, k = labels.ClusterCount;
        var order = Enumerable.Range(0, n).OrderBy(r => labels.Codes[r]).ToArray();
        var boundaries = new int[k + 1];
        for (int c = 0; c < k; c++) boundaries[c + 1] = boundaries[c] + labels.Sizes[c];
        // Euclidean distances are translation invariant: centring first shrinks the norms and so the cancellation in
        // |x|² + |y|² − 2x·y that float32 tiles suffer from.
        double[] shift = new double[d];
        if (distance == SilhouetteDistance.Euclidean)
        {
            for (int r = 0; r < n; r++) WideningSums.AddTo(labels.Row(r), shift);
            for (int j = 0; j < d; j++) shift[j] /= n;
        }
        var grouped = new float[(long)n * d];
        for (int p = 0; p < n; p++)
        {
            var src = labels.Row(order[p]);
            var dst = grouped.AsSpan(p * d, d);
            for (int j = 0; j < d; j++) dst[j] = (float)(src[j] - shift[j]);
        }
        var sums = new double[(long)n * k];
        bool euclidean = distance == SilhouetteDistance.Euclidean;
        var measure = euclidean ? PairwiseMeasure.SquaredEuclidean : PairwiseMeasure.CosineDistance;
        var squaredNorms = new float[n];
        if (euclidean) MatrixRows.SquaredNorms(grouped, d, squaredNorms);
        int done = 0;
        PairwiseKernel.ForEachTile(grouped, grouped, d, measure, (r0, rows, tile) =>
        {
            var distances = euclidean ? new float[n] : null;
            for (int i = 0; i < rows; i++)
            {
                // A row of the tile is n distances: checking per row bounds the work between checks far below 100 ms.
                cancellation.ThrowIfCancellationRequested();
                int p = r0 + i;
                var tileRow = tile.Slice(i * n, n);
                if (distances is not null)
                {
                    CloseEuclideanDistances.Resolve(tileRow, squaredNorms, p, distances,
                        j => ExactDistances.SquaredEuclidean(labels.Row(order[p]), labels.Row(order[j])));
                    tileRow = distances;
                }
                var rowSums = sums.AsSpan((int)((long)order[p] * k), k);
                WideningSums.SegmentSums(tileRow, boundaries, rowSums);
                // The self distance counts as exactly 0, as sklearn zeroes the diagonal (for cosine too, whenever the
                // data fit one chunk), even for a zero row whose cosine distance to everything else is 1.
                rowSums[labels.Codes[order[p]]] -= tileRow[p];
            }
            progress?.Report(new FitProgress("silhouette", "distances", (double)Interlocked.Add(ref done, rows) / n));
        }, tileRows);
        return sums;
    }

    /// <summary>Cosine distance sums through cluster sums of unit rows, in float64.</summary>
    private static double[] CosineSumsDecomposed(ClusterLabels labels, CancellationToken cancellation)
    {
        int n = labels.Count, k = labels.ClusterCount;
        var inverseNorms = new double[n];
        for (int r = 0; r < n; r++)
        {
            var row = labels.Row(r);
            double norm = Math.Sqrt(WideningSums.Dot(row, row));
            inverseNorms[r] = norm > 0 ? 1.0 / norm : 0.0; // a zero row stays zero, as sklearn's normalize leaves it
        }
        var unitSums = labels.ClusterSums(r => inverseNorms[r]);
        var sums = new double[(long)n * k];
        Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current, CancellationToken = cancellation }, r =>
        {
            var row = labels.Row(r);
            for (int c = 0; c < k; c++)
                sums[(long)r * k + c] = labels.Sizes[c] - WideningSums.Dot(row, unitSums[c]) * inverseNorms[r];
            // The sums include the self term 1 − |x̂|²: 0 for a unit row, 1 for a zero row, whose self distance
            // counts as 0 (see SumsTiled).
            if (inverseNorms[r] == 0) sums[(long)r * k + labels.Codes[r]] -= 1.0;
        });
        return sums;
    }
}
