namespace KpLab.Sweeps;

/// <summary>
/// One number a trial produced, in long (tidy) form: which unit, embedder, clusterer configuration and seed, which
/// metric, which label (for per-label rows), which statistic, and the value.
/// </summary>
/// <param name="Unit">The unit's id (e.g. the question).</param>
/// <param name="Embedder">The embedder's label.</param>
/// <param name="Clusterer">The clusterer's label, or null for a unit metric.</param>
/// <param name="Options">The clusterer's options as the script gave them ("k=3, nInit=10"), or null.</param>
/// <param name="Seed">The clustering seed.</param>
/// <param name="Metric">The metric's label, or "partition" for the partition's own counts (rows, clusters, noise).</param>
/// <param name="Label">The expert label (or other row key) of a per-label row; null for a whole-unit value.</param>
/// <param name="Statistic">"value" for a metric's headline number; otherwise the component or column name.</param>
/// <param name="Value">The number (NaN where the metric is undefined).</param>
/// <param name="TrialId">The trial that produced it.</param>
public sealed record ResultRow(string Unit, string Embedder, string? Clusterer, string? Options, int Seed, string Metric,
    string? Label, string Statistic, double Value, string TrialId)
{
    /// <summary>
    /// The bootstrap resample of the unit the trial scored (0-based; <see cref="Sweep.Resamples"/>), or null for a
    /// trial on the whole unit. The last column of the long table.
    /// </summary>
    public int? Resample { get; init; }

    /// <summary>The statistic of a metric's headline number.</summary>
    public const string HeadlineStatistic = "value";

    /// <summary>The metric name of a partition's own counts.</summary>
    public const string PartitionMetric = "partition";
}

/// <summary>A trial's own numbers before the trial's coordinates are attached (what the trial store keeps).</summary>
/// <param name="Metric">The metric's label.</param>
/// <param name="Label">The per-label key, or null.</param>
/// <param name="Statistic">The statistic.</param>
/// <param name="Value">The number.</param>
public sealed record TrialValue(string Metric, string? Label, string Statistic, double Value);
