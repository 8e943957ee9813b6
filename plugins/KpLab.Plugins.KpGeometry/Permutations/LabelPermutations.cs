namespace KpLab.Plugins.KpGeometry.Permutations;

/// <summary>
/// Seeded, size-preserving label permutations for permutation nulls. Compiled into kp-geometry (density null) and
/// discoverability (F1 null), so both draw and summarise their nulls the same way.
/// </summary>
internal static class LabelPermutations
{
    /// <summary>
    /// <paramref name="count"/> uniformly random permutations π of 0 .. n − 1, drawn by Fisher–Yates shuffles of one
    /// index array (starting from the identity; for i = n − 1 down to 1: j = <c>random.Next(i + 1)</c>, swap π[i] and
    /// π[j]), each shuffle continuing from the previous one (every draw is still uniform and independent of the ones
    /// before). Permutation p relabels row i with the label of row π[i], which keeps every label's size.
    /// The array yielded is reused: it is valid until the next one is drawn.
    /// </summary>
    public static IEnumerable<int[]> Draw(int n, int count, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(random);
        return Shuffles(n, count, random);
    }

    private static IEnumerable<int[]> Shuffles(int n, int count, Random random)
    {
        var pi = new int[n];
        for (int i = 0; i < n; i++) pi[i] = i;
        for (int p = 0; p < count; p++)
        {
            for (int i = n - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (pi[i], pi[j]) = (pi[j], pi[i]);
            }
            yield return pi;
        }
    }
}

/// <summary>
/// An observed statistic read against its permutation null: the null's mean and standard deviation (ddof = 1), the
/// one-sided p-value (1 + #{null ≥ observed}) / (1 + permutations), and the excess observed − null mean.
/// </summary>
/// <remarks>
/// A null value within <see cref="Tolerance"/> below the observed one counts as reaching it, so that a permutation
/// that gives the observed grouping back (or one equal to it up to rounding, e.g. swapping duplicated rows) is never
/// counted as less extreme because of the order of a floating-point sum (scipy.stats.permutation_test does the same
/// with a relative tolerance). The statistics tested are cosines and F1s, in [−1, 1].
/// </remarks>
/// <param name="NullMean">Mean of the null values.</param>
/// <param name="NullSd">Their sample standard deviation (ddof = 1; NaN for fewer than two permutations).</param>
/// <param name="PValue">(1 + #{null ≥ observed − tolerance}) / (1 + permutations).</param>
/// <param name="Excess">Observed minus <paramref name="NullMean"/>.</param>
internal readonly record struct PermutationNull(double NullMean, double NullSd, double PValue, double Excess)
{
    /// <summary>How far below the observed value a null value may lie and still count as reaching it.</summary>
    public const double Tolerance = 1e-12;

    /// <summary>No null (no permutations, or an undefined statistic): every field NaN.</summary>
    public static PermutationNull None { get; } = new(double.NaN, double.NaN, double.NaN, double.NaN);

    /// <summary>The summary of <paramref name="observed"/> against <paramref name="nulls"/>; <see cref="None"/> when either is missing.</summary>
    public static PermutationNull Of(double observed, ReadOnlySpan<double> nulls)
    {
        if (nulls.Length == 0 || double.IsNaN(observed)) return None;
        double sum = 0;
        int reaching = 0;
        foreach (var v in nulls)
        {
            sum += v;
            if (v >= observed - Tolerance) reaching++;
        }
        double mean = sum / nulls.Length, squares = 0;
        foreach (var v in nulls) squares += (v - mean) * (v - mean);
        double sd = nulls.Length > 1 ? Math.Sqrt(squares / (nulls.Length - 1)) : double.NaN;
        return new PermutationNull(mean, sd, (1.0 + reaching) / (1.0 + nulls.Length), observed - mean);
    }
}
