namespace KpLab.Plugins.KpGeometry;

/// <summary>Spearman's rank correlation, as scipy.stats.spearmanr: the Pearson correlation of average ranks.</summary>
internal static class RankCorrelation
{
    /// <summary>
    /// Spearman's ρ of the pairs (x[i], y[i]) whose values are both finite (pairs with NaN are left out, as
    /// <c>nan_policy='omit'</c>). NaN with fewer than two pairs or when either side is constant (scipy answers NaN too).
    /// </summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"Lengths differ: {x.Count} and {y.Count}.", nameof(y));
        var keep = Enumerable.Range(0, x.Count).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
        if (keep.Length < 2) return double.NaN;
        return Pearson(AverageRanks(keep.Select(i => x[i]).ToArray()), AverageRanks(keep.Select(i => y[i]).ToArray()));
    }

    /// <summary>Ranks 1..n, tied values sharing the mean of their ranks (scipy.stats.rankdata's 'average').</summary>
    public static double[] AverageRanks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start + 1;
            while (end < order.Length && values[order[end]] == values[order[start]]) end++;
            double rank = (start + 1 + end) / 2.0; // mean of ranks start+1 .. end
            for (int t = start; t < end; t++) ranks[order[t]] = rank;
            start = end;
        }
        return ranks;
    }

    private static double Pearson(double[] x, double[] y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) return double.NaN;
        return Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1);
    }
}
