namespace KpLab.Reporting;

/// <summary>A mean with a percentile bootstrap confidence interval.</summary>
/// <param name="Mean">The sample mean.</param>
/// <param name="Low">Lower end of the interval.</param>
/// <param name="High">Upper end of the interval.</param>
/// <param name="Count">Number of (finite) values it summarises.</param>
public sealed record MeanInterval(double Mean, double Low, double High, int Count);

/// <summary>Percentile bootstrap intervals for means, seeded so a run's seed reproduces them.</summary>
public static class BootstrapInterval
{
    /// <summary>
    /// The mean of the finite values and its percentile bootstrap interval at <paramref name="level"/> (default 95%)
    /// from <paramref name="resamples"/> resamples drawn with <paramref name="random"/>. NaN values are ignored; with no
    /// values the result is NaN; with one value the interval is that value.
    /// </summary>
    public static MeanInterval OfMean(IEnumerable<double> values, Random random, int resamples = 2000, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (level is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(level), level, "must be in (0, 1).");
        var x = values.Where(double.IsFinite).ToArray();
        if (x.Length == 0) return new MeanInterval(double.NaN, double.NaN, double.NaN, 0);
        var mean = x.Average();
        if (x.Length == 1) return new MeanInterval(mean, mean, mean, 1);
        var means = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < x.Length; i++) sum += x[random.Next(x.Length)];
            means[r] = sum / x.Length;
        }
        Array.Sort(means);
        double alpha = (1 - level) / 2;
        return new MeanInterval(mean, Quantile(means, alpha), Quantile(means, 1 - alpha), x.Length);
    }

    /// <summary>Linear-interpolation quantile of sorted values (NumPy's default method).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) return double.NaN;
        var position = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(position), hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
    }
}
