namespace KpLab.Sweeps;

/// <summary>
/// The Wilcoxon signed-rank test of paired differences against a median of zero, two-sided, computed exactly as
/// <c>scipy.stats.wilcoxon(d)</c> of SciPy 1.10.1 does with its defaults (<c>zero_method='wilcox'</c>,
/// <c>correction=False</c>, <c>alternative='two-sided'</c>, <c>method='auto'</c>):
/// <list type="bullet">
/// <item>With at most 50 differences (zeros counted) and no zero, the p-value comes from the exact null distribution
/// of the positive rank sum; otherwise from the normal approximation.</item>
/// <item>Zeros are dropped before ranking (and force the normal approximation).</item>
/// <item>Equal magnitudes get average ranks. The exact branch then truncates the positive rank sum to an integer, as
/// SciPy 1.10.1 does; the normal approximation subtracts Σ(t³ − t)/48 from the variance for each group of t tied
/// ranks.</item>
/// <item>No differences give NaN; a NaN difference gives NaN (SciPy's <c>nan_policy='propagate'</c>); differences that
/// are all zero are refused, as SciPy refuses them.</item>
/// </list>
/// Tests/KpLab.Sweeps.Tests/Fixtures/wilcoxon_reference.py holds the SciPy values it is checked against.
/// </summary>
public static class WilcoxonSignedRank
{
    /// <summary>The largest count SciPy's <c>method='auto'</c> computes exactly.</summary>
    public const int ExactLimit = 50;

    /// <summary>The two-sided test of <paramref name="differences"/>.</summary>
    /// <exception cref="ArgumentException">Every difference is zero: the test is undefined (SciPy raises ValueError).</exception>
    public static WilcoxonResult Test(IReadOnlyList<double> differences)
    {
        ArgumentNullException.ThrowIfNull(differences);
        int n = differences.Count;
        if (n == 0 || differences.Any(double.IsNaN)) return new WilcoxonResult(double.NaN, double.NaN, WilcoxonMethod.None, 0, 0);
        int zeros = differences.Count(d => d == 0);
        if (zeros == n)
            throw new ArgumentException($"Wilcoxon signed-rank test: all {n} differences are zero; the test is undefined (SciPy raises ValueError here).", nameof(differences));
        bool exact = n <= ExactLimit && zeros == 0;
        var d = differences.Where(v => v != 0).ToArray();
        var ranks = AverageRanks(d.Select(Math.Abs).ToArray());
        // Ranks are multiples of 1/2 far below 2^52: these sums are exact in any order.
        double rPlus = 0, rMinus = 0;
        for (int i = 0; i < d.Length; i++)
        {
            if (d[i] > 0) rPlus += ranks[i];
            else rMinus += ranks[i];
        }
        double statistic = Math.Min(rPlus, rMinus);
        double p = exact ? ExactP(d.Length, (int)rPlus) : NormalP(d.Length, statistic, ranks);
        return new WilcoxonResult(statistic, p, exact ? WilcoxonMethod.Exact : WilcoxonMethod.Normal, d.Length, zeros);
    }

    /// <summary>
    /// P(R+ = r) for r = 0 .. n(n+1)/2 under the null hypothesis (every sign equally likely), built as SciPy builds it:
    /// adding rank k halves the distribution and adds it to itself shifted by k.
    /// </summary>
    public static double[] NullDistribution(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        double[] c = [1.0];
        for (int k = 1; k <= n; k++)
        {
            var previous = c;
            c = new double[k * (k + 1) / 2 + 1];
            int m = previous.Length;
            for (int i = 0; i < m; i++) c[i] = previous[i] * 0.5;
            for (int i = 0; i < m; i++) c[c.Length - m + i] += previous[i] * 0.5;
        }
        return c;
    }

    private static double ExactP(int count, int rPlus)
    {
        var pmf = NullDistribution(count);
        if (rPlus == (pmf.Length - 1) / 2) return 1.0;   // the centre of the distribution
        double less = NumpySum.Pairwise(pmf.AsSpan(0, rPlus + 1));
        double greater = NumpySum.Pairwise(pmf.AsSpan(rPlus));
        return Math.Clamp(2 * Math.Min(greater, less), 0, 1);
    }

    private static double NormalP(int count, double statistic, double[] ranks)
    {
        double mean = count * (count + 1.0) * 0.25;
        double variance = count * (count + 1.0) * (2.0 * count + 1.0);
        // Tie correction over groups of equal ranks (SciPy's find_repeats), summed as integers as numpy does.
        long ties = 0;
        foreach (var group in ranks.GroupBy(r => r))
        {
            long t = group.Count();
            if (t > 1) ties += t * (t * t - 1);
        }
        variance -= 0.5 * ties;
        double z = (statistic - mean) / Math.Sqrt(variance / 24);
        return 2.0 * StandardNormal.Survival(Math.Abs(z));
    }

    /// <summary>Average ranks (1-based) of <paramref name="x"/>, ties sharing the mean of their positions (SciPy's rankdata).</summary>
    internal static double[] AverageRanks(double[] x)
    {
        var order = Enumerable.Range(0, x.Length).OrderBy(i => x[i]).ToArray();
        var ranks = new double[x.Length];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && x[order[end + 1]] == x[order[start]]) end++;
            // Positions start+1 .. end+1 share their average.
            double rank = (start + end + 2) / 2.0;
            for (int i = start; i <= end; i++) ranks[order[i]] = rank;
            start = end + 1;
        }
        return ranks;
    }
}

/// <summary>How a Wilcoxon p-value was computed.</summary>
public enum WilcoxonMethod
{
    /// <summary>Not computed (no differences, or a NaN among them).</summary>
    None,

    /// <summary>From the exact null distribution of the positive rank sum.</summary>
    Exact,

    /// <summary>From the normal approximation, with the tie correction of the variance and no continuity correction.</summary>
    Normal,
}

/// <summary>A two-sided Wilcoxon signed-rank test.</summary>
/// <param name="Statistic">min(R+, R−), SciPy's two-sided statistic.</param>
/// <param name="PValue">The two-sided p-value (NaN when no test was possible).</param>
/// <param name="Method">Exact or normal approximation.</param>
/// <param name="Count">The non-zero differences ranked.</param>
/// <param name="Zeros">The zero differences dropped.</param>
public sealed record WilcoxonResult(double Statistic, double PValue, WilcoxonMethod Method, int Count, int Zeros);
