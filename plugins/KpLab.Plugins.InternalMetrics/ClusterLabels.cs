using KpLab.Abstractions;

namespace KpLab.Plugins.InternalMetrics;

/// <summary>What internal metrics do with noise (label -1).</summary>
public enum NoiseHandling
{
    /// <summary>Noise is one more cluster (what scikit-learn does with label -1).</summary>
    Cluster,

    /// <summary>Rows labelled -1 are dropped before scoring.</summary>
    Exclude,
}

/// <summary>The rows an internal metric scores and their dense cluster codes 0..K−1 (ascending label order).</summary>
internal sealed class ClusterLabels
{
    private ClusterLabels(EmbeddingMatrix data, int[] rows, int[] codes, int clusters)
    {
        Data = data;
        Rows = rows;
        Codes = codes;
        ClusterCount = clusters;
        Sizes = new int[clusters];
        foreach (var c in codes) Sizes[c]++;
    }

    public EmbeddingMatrix Data { get; }

    /// <summary>Index in the input of each scored row.</summary>
    public int[] Rows { get; }

    /// <summary>Cluster code of each scored row.</summary>
    public int[] Codes { get; }

    public int ClusterCount { get; }

    public int[] Sizes { get; }

    public int Count => Codes.Length;

    public ReadOnlySpan<float> Row(int scoredRow) => Data.Row(Rows[scoredRow]);

    /// <summary>
    /// Validates the input for <paramref name="metric"/> and encodes its labels. Like scikit-learn, needs
    /// 2 ≤ clusters ≤ n − 1.
    /// </summary>
    /// <exception cref="ArgumentException">Missing parts, length mismatch, empty input, non-finite values or too few/many clusters.</exception>
    public static ClusterLabels From(EvaluationInput input, string metric, NoiseHandling noise)
    {
        ArgumentNullException.ThrowIfNull(input);
        var data = input.RequireEmbeddings(metric);
        var labels = input.RequirePredicted(metric).Labels;
        if (data.Rows != labels.Length)
            throw new ArgumentException($"Metric '{metric}': Embeddings has {data.Rows} rows but Predicted has {labels.Length}.");
        if (labels.Length == 0) throw new ArgumentException($"Metric '{metric}': the input is empty (0 rows).");
        data.ThrowIfNonFinite(metric);
        var rows = Enumerable.Range(0, labels.Length).Where(i => noise == NoiseHandling.Cluster || labels[i] != -1).ToArray();
        var distinct = rows.Select(i => labels[i]).Distinct().Order().ToArray();
        if (distinct.Length < 2 || distinct.Length > rows.Length - 1)
            throw new ArgumentException(
                $"Metric '{metric}': needs 2 <= clusters <= samples - 1 (as scikit-learn), got {distinct.Length} clusters for {rows.Length} samples.");
        var code = new Dictionary<int, int>();
        for (int k = 0; k < distinct.Length; k++) code[distinct[k]] = k;
        return new ClusterLabels(data, rows, rows.Select(i => code[labels[i]]).ToArray(), distinct.Length);
    }

    /// <summary>Per-cluster sums of the scored rows in float64, <c>K × d</c>, each row first scaled by <paramref name="weight"/>.</summary>
    public double[][] ClusterSums(Func<int, double>? weight = null)
    {
        int d = Data.Columns;
        var sums = new double[ClusterCount][];
        for (int k = 0; k < ClusterCount; k++) sums[k] = new double[d];
        for (int r = 0; r < Count; r++)
            KpLab.Kernels.WideningSums.ScaleAddTo(weight?.Invoke(r) ?? 1.0, Row(r), sums[Codes[r]]);
        return sums;
    }

    /// <summary>Cluster centroids (means) in float64.</summary>
    public double[][] Centroids()
    {
        var sums = ClusterSums();
        for (int k = 0; k < ClusterCount; k++)
            for (int j = 0; j < sums[k].Length; j++) sums[k][j] /= Sizes[k];
        return sums;
    }
}
