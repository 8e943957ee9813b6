using KpLab.Abstractions;

namespace KpLab.Testing;

/// <summary>How far apart two outputs are, for checks that compare runs.</summary>
internal static class Comparison
{
    /// <summary>The largest absolute difference between two matrices; infinity when their shapes differ or one has a NaN the other lacks.</summary>
    public static double MaxAbsDifference(EmbeddingMatrix a, EmbeddingMatrix b)
    {
        if (a.Rows != b.Rows || a.Columns != b.Columns) return double.PositiveInfinity;
        double worst = 0;
        var x = a.Values;
        var y = b.Values;
        for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Difference(x[i], y[i]));
        return worst;
    }

    /// <summary>The largest absolute difference between row <paramref name="i"/> of <paramref name="a"/> and row <paramref name="j"/> of <paramref name="b"/>.</summary>
    public static double RowDifference(EmbeddingMatrix a, int i, EmbeddingMatrix b, int j)
    {
        if (a.Columns != b.Columns) return double.PositiveInfinity;
        var x = a.Row(i);
        var y = b.Row(j);
        double worst = 0;
        for (int k = 0; k < x.Length; k++) worst = Math.Max(worst, Difference(x[k], y[k]));
        return worst;
    }

    /// <summary>|a − b|, 0 for two NaNs or two equal infinities, infinity when only one is NaN.</summary>
    public static double Difference(double a, double b)
    {
        if (double.IsNaN(a) || double.IsNaN(b)) return double.IsNaN(a) && double.IsNaN(b) ? 0 : double.PositiveInfinity;
        if (a == b) return 0;
        return Math.Abs(a - b);
    }

    /// <summary>|a − b| relative to the larger magnitude when that exceeds 1.</summary>
    public static double RelativeDifference(double a, double b)
    {
        var difference = Difference(a, b);
        var scale = Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));
        return double.IsFinite(scale) ? difference / scale : difference;
    }

    /// <summary>The largest relative difference between two metric results (value, components, rows); infinity when their keys differ.</summary>
    public static double MetricDifference(MetricResult a, MetricResult b)
    {
        if (a.Metric != b.Metric || a.Rows.Count != b.Rows.Count || !SameKeys(a.Components, b.Components))
            return double.PositiveInfinity;
        var worst = RelativeDifference(a.Value, b.Value);
        foreach (var (key, value) in a.Components) worst = Math.Max(worst, RelativeDifference(value, b.Components[key]));
        for (int r = 0; r < a.Rows.Count; r++)
        {
            if (a.Rows[r].Key != b.Rows[r].Key || !SameKeys(a.Rows[r].Values, b.Rows[r].Values)) return double.PositiveInfinity;
            foreach (var (key, value) in a.Rows[r].Values)
                worst = Math.Max(worst, RelativeDifference(value, b.Rows[r].Values[key]));
        }
        return worst;
    }

    private static bool SameKeys(IReadOnlyDictionary<string, double> a, IReadOnlyDictionary<string, double> b) =>
        a.Count == b.Count && a.Keys.All(b.ContainsKey);
}
