namespace KpLab.Abstractions;

/// <summary>
/// A clusterer's answer: one integer label per row, -1 for noise, plus optional per-row membership probabilities and
/// outlier scores, the typed outputs clusterers share (<see cref="Centroids"/>, <see cref="Inertia"/>,
/// <see cref="Iterations"/>, <see cref="MergeTree"/>, <see cref="CondensedTree"/>, <see cref="CoreDistances"/>) and any
/// other named extra outputs in <see cref="Extras"/>.
/// </summary>
public sealed class Partition
{
    /// <summary>The keys under which <see cref="Extras"/> also holds the typed outputs.</summary>
    public static class ExtraKeys
    {
        /// <summary>Cluster centres, an <see cref="EmbeddingMatrix"/> with one row per cluster label.</summary>
        [Obsolete("Use Partition.Centroids.")]
        public const string Centroids = CentroidsKey;

        /// <summary>The full merge tree, a <see cref="Abstractions.MergeTree"/>.</summary>
        [Obsolete("Use Partition.MergeTree.")]
        public const string MergeTree = MergeTreeKey;

        /// <summary>HDBSCAN's condensed tree, a <see cref="ResultTable"/> (parent, child, lambda, size).</summary>
        [Obsolete("Use Partition.CondensedTree.")]
        public const string CondensedTree = CondensedTreeKey;

        /// <summary>The objective's final value as a <see cref="double"/> (e.g. k-means inertia).</summary>
        [Obsolete("Use Partition.Inertia.")]
        public const string Inertia = InertiaKey;

        /// <summary>The number of iterations run, an <see cref="int"/>.</summary>
        [Obsolete("Use Partition.Iterations.")]
        public const string Iterations = IterationsKey;
    }

    // The legacy keys (contracts 2.0), under which Extras also shows the typed outputs.
    private const string CentroidsKey = "centroids", MergeTreeKey = "mergeTree", CondensedTreeKey = "condensedTree",
        InertiaKey = "inertia", IterationsKey = "iterations", CoreDistancesKey = "coreDistances";

    private readonly IReadOnlyDictionary<string, object> _extras = new Dictionary<string, object>();
    private IReadOnlyDictionary<string, object>? _mergedExtras;

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

    /// <summary>
    /// Named extra outputs: those a clusterer set here plus its typed outputs under their contracts-2.0 keys
    /// ("centroids", "inertia", "iterations", "mergeTree", "condensedTree" as a table, "coreDistances"); a typed property
    /// wins over an entry of the same key. Read the typed properties where one exists.
    /// </summary>
    public IReadOnlyDictionary<string, object> Extras
    {
        get => _mergedExtras ??= MergeExtras();
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _extras = value;
        }
    }

    /// <summary>Cluster centres, one row per cluster label, when the clusterer has them.</summary>
    public EmbeddingMatrix? Centroids { get => field ?? Legacy<EmbeddingMatrix>(CentroidsKey); init => field = value; }

    /// <summary>The full merge tree, when the clusterer is hierarchical.</summary>
    public MergeTree? MergeTree { get => field ?? Legacy<MergeTree>(MergeTreeKey); init => field = value; }

    /// <summary>HDBSCAN's condensed cluster tree, when the clusterer builds one.</summary>
    public CondensedTree? CondensedTree { get => field ?? Legacy<CondensedTree>(CondensedTreeKey); init => field = value; }

    /// <summary>The objective's final value (e.g. k-means inertia: the sum of squared distances to the centres), when the clusterer minimises one.</summary>
    public double? Inertia { get => field ?? LegacyValue<double>(InertiaKey); init => field = value; }

    /// <summary>The number of iterations run (of the chosen restart), when the clusterer iterates.</summary>
    public int? Iterations { get => field ?? LegacyValue<int>(IterationsKey); init => field = value; }

    /// <summary>Per-row core distances (the distance to the minPts-th nearest row), when the clusterer computes them.</summary>
    public IReadOnlyList<double>? CoreDistances
    {
        get => field ?? Legacy<IReadOnlyList<double>>(CoreDistancesKey);
        init => field = Check(value, nameof(CoreDistances));
    }

    /// <summary>The extra output named <paramref name="key"/> as <typeparamref name="T"/>, or default when absent.</summary>
    public T? Extra<T>(string key) => Extras.TryGetValue(key, out var value) && value is T typed ? typed : default;

    // A plugin built against contracts 2.0 sets only Extras: the typed properties read them there.
    private T? Legacy<T>(string key) where T : class => _extras.TryGetValue(key, out var value) ? value as T : null;

    private T? LegacyValue<T>(string key) where T : struct => _extras.TryGetValue(key, out var value) && value is T typed ? typed : null;

    private Dictionary<string, object> MergeExtras()
    {
        var merged = new Dictionary<string, object>(_extras);
        if (Centroids is { } centroids) merged[CentroidsKey] = centroids;
        if (MergeTree is { } tree) merged[MergeTreeKey] = tree;
        // The condensed tree's legacy form is a table (parent, child, lambda, size).
        if (CondensedTree is { } condensed) merged[CondensedTreeKey] = condensed.ToTable();
        if (Inertia is { } inertia) merged[InertiaKey] = inertia;
        if (Iterations is { } iterations) merged[IterationsKey] = iterations;
        if (CoreDistances is { } core) merged[CoreDistancesKey] = core;
        return merged;
    }

    private IReadOnlyList<double>? Check(IReadOnlyList<double>? values, string name)
    {
        if (values is not null && values.Count != Labels.Length)
            throw new ArgumentException($"{name} has {values.Count} values for {Labels.Length} rows.", name);
        return values;
    }
}
