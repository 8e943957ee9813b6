namespace KpLab.Sweeps;

/// <summary>
/// Percentile bootstrap intervals of a mean. Resamples are drawn with SplitMix64 from a seed the run's
/// <see cref="KpLab.Abstractions.RandomSource"/> derives, index = ⌊u·n⌋ with u the top 53 bits as a fraction, so the
/// same draws are reproducible outside .NET (tests/KpLab.Sweeps.Tests/Fixtures/bootstrap_reference.py does so in numpy).
/// </summary>
public static class Bootstrap
{
    /// <summary>
    /// The mean of the finite values of <paramref name="values"/> and its <paramref name="level"/> percentile interval
    /// over <paramref name="resamples"/> resampled means (quantiles interpolated linearly, numpy's default). NaN values
    /// are left out; no values give NaN, one value gives an interval of that value.
    /// </summary>
    public static Estimate Mean(IEnumerable<double> values, ulong seed, int resamples = 2000, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (level is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(level), level, "must be in (0, 1).");
        var x = values.Where(double.IsFinite).ToArray();
        if (x.Length == 0) return new Estimate(double.NaN, double.NaN, double.NaN, 0);
        double mean = Sum(x) / x.Length;
        if (x.Length == 1) return new Estimate(mean, mean, mean, 1);
        var means = new double[resamples];
        ulong state = seed;
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < x.Length; i++) sum += x[(int)(NextUnit(ref state) * x.Length)];
            means[r] = sum / x.Length;
        }
        Array.Sort(means);
        double alpha = (1 - level) / 2;
        return new Estimate(mean, Quantile(means, alpha), Quantile(means, 1 - alpha), x.Length);
    }

    /// <summary>
    /// The 64-bit seed of the stream named <paramref name="stream"/>: two 31-bit seeds <paramref name="random"/> derives
    /// (for the name and for the name + " (low)"), high and low halves.
    /// </summary>
    public static ulong StreamSeed(KpLab.Abstractions.RandomSource random, string stream)
    {
        ArgumentNullException.ThrowIfNull(random);
        return ((ulong)(uint)random.DeriveSeed(stream) << 32) | (uint)random.DeriveSeed(stream + " (low)");
    }

    /// <summary>
    /// <paramref name="count"/> indices drawn uniformly with replacement from 0 .. <paramref name="count"/> − 1 (one
    /// bootstrap resample of that many rows), with the same SplitMix64 draws as <see cref="Mean"/>.
    /// </summary>
    public static int[] ResampleIndices(int count, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var indices = new int[count];
        ulong state = seed;
        for (int i = 0; i < count; i++) indices[i] = (int)(NextUnit(ref state) * count);
        return indices;
    }

    /// <summary>Linear-interpolation quantile of sorted values (numpy's default method).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) return double.NaN;
        var position = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(position), hi = Math.Min(lo + 1, sorted.Count - 1);
        double t = position - lo, a = sorted[lo], b = sorted[hi], difference = b - a;
        // numpy's _lerp: from the nearer end, so the result is exact at both ends and monotone.
        return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
    }

    // Left-to-right summation, as numpy's reference does it for these small arrays (np.add.reduce pairs only beyond 8).
    private static double Sum(double[] x)
    {
        double s = 0;
        foreach (var v in x) s += v;
        return s;
    }

    private static double NextUnit(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        ulong z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}

/// <summary>A mean with its bootstrap interval.</summary>
/// <param name="Mean">The mean of the finite values.</param>
/// <param name="Low">Lower end of the interval.</param>
/// <param name="High">Upper end of the interval.</param>
/// <param name="Count">How many finite values it summarises.</param>
public sealed record Estimate(double Mean, double Low, double High, int Count);
