using KpLab.Abstractions;

namespace KpLab.Sweeps;

/// <summary>
/// One trial of a sweep: a unit embedded by one embedder and either clustered by one clusterer configuration with one
/// seed and scored by the partition metrics, or (with no clusterer) scored by the unit metrics.
/// </summary>
/// <param name="Index">Its position in the sweep's deterministic order (0-based).</param>
/// <param name="Id">Stable id: a hash of the unit's content, every plugin's identity and options, and the seed.</param>
/// <param name="Unit">The unit.</param>
/// <param name="Embedder">The embedder configuration.</param>
/// <param name="Clusterer">The clusterer configuration, or null for a unit-metrics trial.</param>
/// <param name="Rows">What the clusterer sees of the embeddings.</param>
/// <param name="Seed">The seed of the clusterer's random source.</param>
public sealed record Trial(int Index, string Id, SweepUnit Unit, PluginConfig Embedder, PluginConfig? Clusterer,
    RowTransform Rows, int Seed)
{
    /// <summary>
    /// For a resample trial (<see cref="Sweep.Resamples"/>): which bootstrap resample of the unit it clusters and scores;
    /// null for a trial on the whole unit.
    /// </summary>
    public UnitResample? Resample { get; init; }

    /// <summary>The stable id of a trial with these parts.</summary>
    public static string CreateId(SweepUnit unit, PluginConfig embedder, PluginConfig? clusterer, RowTransform rows, int seed) =>
        ContentHash.OfFields([
            "kplab-trial/1", unit.ContentHash, .. embedder.IdentityFields(),
            .. clusterer?.IdentityFields() ?? ["no clusterer"], rows.ToString(),
            seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ])[..16];

    /// <summary>
    /// The stable id of a resample trial: the fields of the whole-unit trial's id, then the resample's index and draw
    /// seed and the metrics that score it (whole-unit ids are unchanged by resampling).
    /// </summary>
    public static string CreateId(SweepUnit unit, PluginConfig embedder, PluginConfig clusterer, RowTransform rows, int seed,
        UnitResample resample, IEnumerable<PluginConfig> metrics)
    {
        ArgumentNullException.ThrowIfNull(clusterer);
        ArgumentNullException.ThrowIfNull(resample);
        ArgumentNullException.ThrowIfNull(metrics);
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return ContentHash.OfFields([
            "kplab-trial/1", unit.ContentHash, .. embedder.IdentityFields(), .. clusterer.IdentityFields(), rows.ToString(),
            seed.ToString(invariant), "resample", resample.Index.ToString(invariant), resample.DrawSeed.ToString(invariant),
            .. metrics.SelectMany(m => m.IdentityFields()),
        ])[..16];
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"#{Index} {Unit.Id} × {Embedder}{(Clusterer is null ? "" : $" × {Clusterer}")} seed {Seed}{(Resample is null ? "" : $" {Resample}")} [{Id}]";
}
