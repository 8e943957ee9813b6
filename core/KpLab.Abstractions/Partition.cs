namespace KpLab.Abstractions;

/// <summary>
/// A clusterer's answer: one integer label per row, -1 for noise, plus optional per-row membership probabilities,
/// outlier scores and named extra outputs (centroids, a merge tree, a condensed tree, inertia, ...).
/// </summary>
public sealed class Partition
{
    /// <summary>Well-known keys of <see cref="Extras"/>.</summary>
    public static class ExtraKeys
    {
        /// <summary>Cluster centres, an <see cref="EmbeddingMatrix"/> with one row per cluster label.</summary>
        public const string Centroids = "centroids";

        /// <summary>The full merge tree, a <see cref="Abstractions.MergeTree"/>.</summary>
        public const string MergeTree = "mergeTree";

        /// <summary>HDBSCAN's condensed tree, a <see cref="ResultTable"/> (parent, child, lambda, size).</summary>
        public const string CondensedTree = "condensedTree";

        /// <summary>The objective's final value as a <see cref="double"/> (e.g. k-means inertia).</summary>
        public const string Inertia = "inertia";

        /// <summary>The number of iterations run, an <see cref="int"/>.</summary>
        public const string Iterations = "iterations";
    }

    /// <summary>Creates a partition from labels (a copy is kept); -1 marks noise.</summary>
    /// <exception cref="ArgumentException">A label is below -1.</exception>
    public Partition(int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < -1)
                throw new ArgumentException($"Label {labels[i]} at row {i} is invalid: labels are -1 (noise) or at least 0.", nameof(labels));
        Labels = (int[])labels.Clone();
        ClusterCount = Labels.Where(l => l >= 0).Distinct().Count();
        NoiseCount = Labels.Count(l => l < 0);
    }

    /// <summary>Cluster label per row; -1 is noise.</summary>
    public int[] Labels { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Labels.Length;

    /// <summary>Number of distinct non-noise labels.</summary>
    public int ClusterCount { get; }

    /// <summary>Number of rows labelled noise.</summary>
    public int NoiseCount { get; }

    /// <summary>Membership strength per row in [0, 1], when the clusterer gives one (HDBSCAN does).</summary>
    public IReadOnlyList<double>? Probabilities { get; init => field = Check(value, nameof(Probabilities)); }

    /// <summary>Outlier score per row (e.g. GLOSH), when the clusterer gives one.</summary>
    public IReadOnlyList<double>? OutlierScores { get; init => field = Check(value, nameof(OutlierScores)); }

    /// <summary>Named extra outputs; see <see cref="ExtraKeys"/> for the common ones.</summary>
    public IReadOnlyDictionary<string, object> Extras { get; init; } = new Dictionary<string, object>();

    /// <summary>Cluster centres, when the clusterer has them.</summary>
    public EmbeddingMatrix? Centroids => Extra<EmbeddingMatrix>(ExtraKeys.Centroids);

    /// <summary>The merge tree, when the clusterer is hierarchical.</summary>
    public MergeTree? MergeTree => Extra<MergeTree>(ExtraKeys.MergeTree);

    /// <summary>The extra output named <paramref name="key"/> as <typeparamref name="T"/>, or default when absent.</summary>
    public T? Extra<T>(string key) => Extras.TryGetValue(key, out var value) && value is T typed ? typed : default;

    private IReadOnlyList<double>? Check(IReadOnlyList<double>? values, string name)
    {
        if (values is not null && values.Count != Labels.Length)
            throw new ArgumentException($"{name} has {values.Count} values for {Labels.Length} rows.", name);
        return values;
    }
}
