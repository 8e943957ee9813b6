using KpLab.Kernels;

namespace KpLab.Plugins.KpGeometry;

/// <summary>
/// Percentile bootstrap interval of a label's mean within-label cosine. One replicate draws the label's n members
/// with replacement (n draws of <c>Random.Next(n)</c>, in order) and recomputes the statistic on the resample exactly
/// as on the sample: the mean cosine over pairs of distinct positions p &lt; q of the resample, so a member drawn twice
/// contributes its self-similarity 1 for that pair (the textbook plug-in bootstrap). Each replicate is O(n · d) or
/// O(n²) (see <see cref="Replicates"/>), never O(n² · d). The interval is the (1 − confidence)/2 and (1 + confidence)/2
/// quantiles of the replicates, linearly interpolated (NumPy's default percentile).
/// </summary>
internal static class WithinCosineBootstrap
{
    /// <summary>Replicates whose resamples are drawn before they are computed in parallel; bounds the count buffer.</summary>
    private const int Batch = 64;

    /// <summary>Largest label evaluated through its Gram matrix (n² float64 values).</summary>
    private const int MaxGramSize = 4096;

    /// <summary>
    /// The sorted bootstrap replicates for the label with <paramref name="members"/>. Resamples are drawn sequentially
    /// from <paramref name="random"/> (so the result depends only on its state, not on the thread count) as member
    /// counts w, and evaluated in parallel under <see cref="KernelParallelism.Current"/>:
    /// Σ_{p≠q} x̂_p·x̂_q = Σ_{a,b} w_a w_b x̂_a·x̂_b − Σ_a w_a |x̂_a|², either from the label's Gram matrix (O(m²) per
    /// replicate for the m ≈ 0.63 n members drawn; chosen while that beats O(m · d)) or from Σ_a w_a x̂_a directly.
    /// </summary>
    public static double[] Replicates(UnitRows rows, IReadOnlyList<int> members, int resamples, Random random,
        BootstrapMethod method = BootstrapMethod.Auto)
    {
        int n = members.Count;
        if (method == BootstrapMethod.Auto)
            method = n <= MaxGramSize && n < 1.5 * rows.Columns ? BootstrapMethod.Gram : BootstrapMethod.Direct;
        var gram = method == BootstrapMethod.Gram ? Gram(rows, members) : null;
        double pairs = (double)n * (n - 1);
        var replicates = new double[resamples];
        var counts = new int[Batch * n];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current };
        for (int start = 0; start < resamples; start += Batch)
        {
            int batch = Math.Min(Batch, resamples - start);
            Array.Clear(counts);
            for (int b = 0; b < batch; b++)
                for (int t = 0; t < n; t++) counts[b * n + random.Next(n)]++;
            Parallel.For(0, batch, parallel, () => (Sum: new double[rows.Columns], Drawn: new int[n]), (b, _, scratch) =>
            {
                var w = counts.AsSpan(b * n, n);
                replicates[start + b] = (gram is null ? Direct(rows, members, w, scratch.Sum) : FromGram(gram, w, scratch.Drawn)) / pairs;
                return scratch;
            }, _ => { });
        }
        Array.Sort(replicates);
        return replicates;
    }

    /// <summary>The label's cosines x̂_a·x̂_b, row-major n × n, in float64.</summary>
    private static double[] Gram(UnitRows rows, IReadOnlyList<int> members)
    {
        int n = members.Count;
        var gram = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int b = a; b < n; b++) gram[a * n + b] = gram[b * n + a] = rows.Cosine(members[a], members[b]);
        return gram;
    }

    /// <summary>Σ_{p≠q} over the resample with counts <paramref name="w"/>, through Σ_a w_a x̂_a (O(m · d)).</summary>
    private static double Direct(UnitRows rows, IReadOnlyList<int> members, ReadOnlySpan<int> w, Span<double> sum)
    {
        sum.Clear();
        double diagonal = 0;
        for (int a = 0; a < w.Length; a++)
        {
            if (w[a] == 0) continue;
            rows.AddTo(members[a], w[a], sum);
            diagonal += w[a] * rows.SquaredNorm(members[a]);
        }
        return WideningSums.Dot(sum, sum) - diagonal;
    }

    /// <summary>Σ_{p≠q} over the resample with counts <paramref name="w"/>, through the Gram matrix (O(m²)).</summary>
    private static double FromGram(double[] gram, ReadOnlySpan<int> w, Span<int> drawn)
    {
        int n = w.Length, m = 0;
        for (int a = 0; a < n; a++) if (w[a] != 0) drawn[m++] = a;
        double total = 0;
        for (int i = 0; i < m; i++)
        {
            int a = drawn[i];
            var row = gram.AsSpan(a * n, n);
            double inner = 0;
            for (int j = 0; j < m; j++) inner += w[drawn[j]] * row[drawn[j]];
            total += w[a] * (inner - row[a]);
        }
        return total;
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

/// <summary>How bootstrap replicates are evaluated (the answers agree to rounding).</summary>
internal enum BootstrapMethod
{
    /// <summary>Gram for labels with fewer than 1.5·d members (up to 4096), direct otherwise.</summary>
    Auto,

    /// <summary>|Σ_a w_a x̂_a|² from the weighted sum of the unit rows.</summary>
    Direct,

    /// <summary>wᵀ G w from the label's precomputed Gram matrix.</summary>
    Gram,
}
