using KpLab.Kernels;

namespace KpLab.Plugins.KpGeometry;

/// <summary>
/// Percentile bootstrap interval of a label's mean within-label cosine. One replicate draws the label's n members
/// with replacement (n draws of <c>Random.Next(n)</c>, in order) and recomputes the statistic on the resample exactly
/// as on the sample: the mean cosine over pairs of distinct positions p &lt; q of the resample, so a member drawn twice
/// contributes its self-similarity 1 for that pair (the textbook plug-in bootstrap). Each replicate is O(n · d)
/// through <see cref="UnitRows.MeanPairwiseCosine"/>. The interval is the (1 − confidence)/2 and (1 + confidence)/2
/// quantiles of the replicates, linearly interpolated (NumPy's default percentile).
/// </summary>
internal static class WithinCosineBootstrap
{
    /// <summary>Replicates whose resamples are drawn before they are computed in parallel; bounds the index buffer.</summary>
    private const int Batch = 64;

    /// <summary>
    /// The sorted bootstrap replicates for the label with <paramref name="members"/>. Resamples are drawn sequentially
    /// from <paramref name="random"/> (so the result depends only on its state, not on the thread count) and evaluated
    /// in parallel under <see cref="KernelParallelism.Current"/>.
    /// </summary>
    public static double[] Replicates(UnitRows rows, IReadOnlyList<int> members, int resamples, Random random)
    {
        int n = members.Count;
        var replicates = new double[resamples];
        var positions = new int[Batch * n];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current };
        for (int start = 0; start < resamples; start += Batch)
        {
            int count = Math.Min(Batch, resamples - start);
            for (int p = 0; p < count * n; p++) positions[p] = members[random.Next(n)];
            Parallel.For(0, count, parallel, () => new double[rows.Columns], (b, _, sum) =>
            {
                replicates[start + b] = rows.MeanPairwiseCosine(positions.AsSpan(b * n, n), sum);
                return sum;
            }, _ => { });
        }
        Array.Sort(replicates);
        return replicates;
    }

    /// <summary>The <paramref name="q"/>-quantile of sorted values by linear interpolation (NumPy's default).</summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        double position = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(position), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
    }
}
