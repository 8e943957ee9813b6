using KpLab.Kernels;

namespace KpLab.Plugins.KpGeometry;

/// <summary>
/// Percentile bootstrap interval of a label's mean within-label cosine. One replicate draws the label's n members
/// with replacement (n draws of <c>Random.Next(n)</c>, in order), giving each member a count w_a, and averages the
/// cosine over the pairs of positions p &lt; q of the resample that hold different members: a member drawn twice is
/// not paired with itself. (Pairing duplicates would add self-similarities of 1 to about 1/n of the pairs and shift the
/// whole interval upwards, past the point estimate for tight small labels.) So a replicate is the weighted mean
/// Σ_{a≠b} w_a w_b x̂_a·x̂_b / Σ_{a≠b} w_a w_b = (|Σ_a w_a x̂_a|² − Σ_a w_a² |x̂_a|²) / (n² − Σ_a w_a²), O(n · d)
/// or O(n²), never O(n² · d); with all unit weights it is withinCosine itself. A resample of one member repeated has
/// no such pair and yields no replicate. The interval is the (1 − confidence)/2 and (1 + confidence)/2 quantiles of
/// the replicates, linearly interpolated (NumPy's default percentile).
/// </summary>
internal static class WithinCosineBootstrap
{
    /// <summary>Replicates whose resamples are drawn before they are computed in parallel; bounds the count buffer.</summary>
    private const int Batch = 64;

    /// <summary>Largest label evaluated through its Gram matrix (n² float64 values).</summary>
    private const int MaxGramSize = 4096;

    /// <summary>
    /// The sorted bootstrap replicates for the label with <paramref name="members"/> (resamples without a pair of
    /// different members left out). Resamples are drawn sequentially from <paramref name="random"/> (so the result
    /// depends only on its state, not on the thread count) and evaluated in parallel under
    /// <see cref="KernelParallelism.Current"/>, from the label's Gram matrix (O(m · n) per replicate for the
    /// m ≈ 0.63 n members drawn; chosen while n &lt; d/2, where it measured faster) or from Σ_a w_a x̂_a (O(m · d)).
    /// </summary>
    public static double[] Replicates(UnitRows rows, IReadOnlyList<int> members, int resamples, Random random,
        BootstrapMethod method = BootstrapMethod.Auto, CancellationToken cancellation = default)
    {
        int n = members.Count;
        var gram = Resolve(method, n, rows.Columns) == BootstrapMethod.Gram ? Gram(rows, members, cancellation) : null;
        var replicates = new double[resamples];
        var counts = new int[Batch * n];
        // The token is checked between replicates (one is O(m · n) or O(m · d)).
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current, CancellationToken = cancellation };
        for (int start = 0; start < resamples; start += Batch)
        {
            int batch = Math.Min(Batch, resamples - start);
            Array.Clear(counts);
            for (int b = 0; b < batch; b++)
                for (int t = 0; t < n; t++) counts[b * n + random.Next(n)]++;
            Parallel.For(0, batch, parallel, () => new Scratch(rows.Columns, n), (b, _, scratch) =>
            {
                replicates[start + b] = Replicate(rows, members, counts.AsSpan(b * n, n), gram, scratch);
                return scratch;
            }, _ => { });
        }
        var finite = replicates.Where(double.IsFinite).ToArray();
        Array.Sort(finite);
        return finite;
    }

    /// <summary>One replicate from the member counts <paramref name="w"/>; NaN when only one member was drawn.</summary>
    public static double Replicate(UnitRows rows, IReadOnlyList<int> members, ReadOnlySpan<int> w, BootstrapMethod method) =>
        Replicate(rows, members, w, Resolve(method, members.Count, rows.Columns) == BootstrapMethod.Gram ? Gram(rows, members) : null,
            new Scratch(rows.Columns, members.Count));

    private static double Replicate(UnitRows rows, IReadOnlyList<int> members, ReadOnlySpan<int> w, double[]? gram, Scratch scratch)
    {
        double total = 0, selfPairs = 0;
        foreach (var count in w) (total, selfPairs) = (total + count, selfPairs + (double)count * count);
        double pairs = total * total - selfPairs; // ordered pairs of positions holding different members
        if (pairs == 0) return double.NaN;
        return (gram is null ? Direct(rows, members, w, scratch.Sum) : FromGram(gram, w, scratch.Weights)) / pairs;
    }

    private static BootstrapMethod Resolve(BootstrapMethod method, int n, int columns) =>
        method != BootstrapMethod.Auto ? method
        : n <= MaxGramSize && 2 * n < columns ? BootstrapMethod.Gram : BootstrapMethod.Direct;

    /// <summary>The label's cosines x̂_a·x̂_b, row-major n × n, in float64.</summary>
    private static double[] Gram(UnitRows rows, IReadOnlyList<int> members, CancellationToken cancellation = default)
    {
        int n = members.Count;
        var gram = new double[n * n];
        for (int a = 0; a < n; a++)
        {
            cancellation.ThrowIfCancellationRequested(); // O(n · d) per row
            for (int b = a; b < n; b++) gram[a * n + b] = gram[b * n + a] = rows.Cosine(members[a], members[b]);
        }
        return gram;
    }

    /// <summary>Σ_{a≠b} w_a w_b x̂_a·x̂_b through the weighted sum Σ_a w_a x̂_a.</summary>
    private static double Direct(UnitRows rows, IReadOnlyList<int> members, ReadOnlySpan<int> w, Span<double> sum)
    {
        sum.Clear();
        double diagonal = 0;
        for (int a = 0; a < w.Length; a++)
        {
            if (w[a] == 0) continue;
            rows.AddTo(members[a], w[a], sum);
            diagonal += (double)w[a] * w[a] * rows.SquaredNorm(members[a]);
        }
        return WideningSums.Dot(sum, sum) - diagonal;
    }

    /// <summary>Σ_{a≠b} w_a w_b x̂_a·x̂_b through the Gram matrix (one SIMD row of n per member drawn).</summary>
    private static double FromGram(double[] gram, ReadOnlySpan<int> w, Span<double> weights)
    {
        int n = w.Length;
        for (int a = 0; a < n; a++) weights[a] = w[a];
        double total = 0;
        for (int a = 0; a < n; a++)
        {
            if (w[a] == 0) continue;
            var row = gram.AsSpan(a * n, n);
            total += w[a] * (WideningSums.Dot(row, weights) - w[a] * row[a]);
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

    private sealed class Scratch(int columns, int members)
    {
        public double[] Sum { get; } = new double[columns];

        public double[] Weights { get; } = new double[members];
    }
}

/// <summary>How bootstrap replicates are evaluated (the answers agree to rounding).</summary>
internal enum BootstrapMethod
{
    /// <summary>Gram for labels with fewer than d/2 members, direct otherwise.</summary>
    Auto,

    /// <summary>|Σ_a w_a x̂_a|² from the weighted sum of the unit rows.</summary>
    Direct,

    /// <summary>wᵀ G w from the label's precomputed Gram matrix.</summary>
    Gram,
}
