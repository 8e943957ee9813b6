namespace KpLab.Sweeps;

/// <summary>
/// Stability of clustering scores under bootstrap resamples of the units, in the manner of MTEB's clustering
/// evaluation: for each unit, embedder, clusterer configuration, seed and metric, the mean and the population standard
/// deviation (numpy's <c>np.std</c>, ddof = 0, as MTEB reports <c>v_measure_std</c>) of the headline score over the
/// resamples; then per embedder × clusterer × metric the average of those means and of those deviations over units.
/// Non-finite scores (a failed clustering) are left out. Sums are numpy's pairwise sums, so the values equal numpy's.
/// </summary>
public static class ResampleStability
{
    /// <summary>Per unit (and configuration and seed) × metric: mean and std over the resamples of <paramref name="rows"/>' resample rows.</summary>
    public static IReadOnlyList<UnitStability> ByUnit(IEnumerable<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows.Where(r => r.Resample is not null && r.Statistic == ResultRow.HeadlineStatistic && r.Metric != ResultRow.PartitionMetric)
            .GroupBy(r => (r.Unit, r.Embedder, r.Clusterer, r.Options, r.Seed, r.Metric))
            .Select(g =>
            {
                var values = g.Select(r => r.Value).Where(double.IsFinite).ToArray();
                var (mean, std) = MeanAndStd(values);
                return new UnitStability(g.Key.Unit, g.Key.Embedder, g.Key.Clusterer ?? "", g.Key.Options ?? "", g.Key.Seed, g.Key.Metric, mean, std, values.Length);
            }).ToArray();
    }

    /// <summary>
    /// Per embedder × clusterer label × metric: the mean over units of the resample mean and of the resample std. A unit
    /// counts once per configuration and seed (give a grid's configurations their own labels to keep them apart); one
    /// with no finite score is left out.
    /// </summary>
    public static IReadOnlyList<StabilitySummary> Summarize(IEnumerable<UnitStability> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        return units.Where(u => u.Resamples > 0).GroupBy(u => (u.Embedder, u.Clusterer, u.Metric))
            .Select(g =>
            {
                var cells = g.ToArray();
                return new StabilitySummary(g.Key.Embedder, g.Key.Clusterer, g.Key.Metric,
                    NumpySum.Pairwise(cells.Select(c => c.Mean).ToArray()) / cells.Length,
                    NumpySum.Pairwise(cells.Select(c => c.Std).ToArray()) / cells.Length, cells.Length);
            }).ToArray();
    }

    /// <summary>np.mean and np.std (ddof = 0) of <paramref name="values"/>; NaN for none.</summary>
    internal static (double Mean, double Std) MeanAndStd(double[] values)
    {
        if (values.Length == 0) return (double.NaN, double.NaN);
        double mean = NumpySum.Pairwise(values) / values.Length;
        var squares = values.Select(v => (v - mean) * (v - mean)).ToArray();
        return (mean, Math.Sqrt(NumpySum.Pairwise(squares) / values.Length));
    }
}

/// <summary>A score's spread over the bootstrap resamples of one unit, for one embedder, clusterer configuration and seed.</summary>
/// <param name="Unit">The unit.</param>
/// <param name="Embedder">The embedder's label.</param>
/// <param name="Clusterer">The clusterer's label.</param>
/// <param name="Options">The clusterer's options text.</param>
/// <param name="Seed">The clustering seed.</param>
/// <param name="Metric">The metric's label (e.g. "ari").</param>
/// <param name="Mean">Mean over the resamples.</param>
/// <param name="Std">Population standard deviation over the resamples (ddof = 0, MTEB's np.std).</param>
/// <param name="Resamples">Resamples with a finite score.</param>
public sealed record UnitStability(string Unit, string Embedder, string Clusterer, string Options, int Seed, string Metric,
    double Mean, double Std, int Resamples);

/// <summary>Stability of one embedder × clusterer × metric: resample mean ± std, averaged over units.</summary>
/// <param name="Embedder">The embedder's label.</param>
/// <param name="Clusterer">The clusterer's label.</param>
/// <param name="Metric">The metric's label.</param>
/// <param name="Mean">Mean over units of the unit's mean score over its resamples.</param>
/// <param name="Std">Mean over units of the unit's standard deviation over its resamples (ddof = 0).</param>
/// <param name="Units">Units averaged (once per configuration and seed).</param>
public sealed record StabilitySummary(string Embedder, string Clusterer, string Metric, double Mean, double Std, int Units);
