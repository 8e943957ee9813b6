namespace KpLab.Plugins.ExternalMetrics;

/// <summary>How a normalised mutual information divides: by a mean of the two entropies.</summary>
public enum AverageMethod
{
    /// <summary>(H(U) + H(V)) / 2, scikit-learn's default.</summary>
    Arithmetic,

    /// <summary>√(H(U) · H(V)).</summary>
    Geometric,

    /// <summary>min(H(U), H(V)).</summary>
    Min,

    /// <summary>max(H(U), H(V)).</summary>
    Max,
}

/// <summary>
/// Entropies and mutual information of a contingency table, in nats, written term for term as scikit-learn 1.2.1's
/// <c>entropy</c>, <c>mutual_info_score</c> and <c>_expected_mutual_info_fast</c> so the results agree to rounding.
/// </summary>
internal static class InformationTheory
{
    /// <summary>NumPy's <c>finfo(float64).eps</c>.</summary>
    public const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Entropy of a labelling given its group sizes (sklearn <c>entropy</c>); 0 for a single group.</summary>
    public static double Entropy(IReadOnlyList<long> sizes)
    {
        var nonEmpty = sizes.Where(s => s > 0).ToArray();
        if (nonEmpty.Length <= 1) return 0.0;
        double total = NumPySum.Pairwise(nonEmpty.Select(s => (double)s).ToArray()), logTotal = Math.Log(total);
        return -NumPySum.Pairwise(nonEmpty.Select(s => s / total * (Math.Log(s) - logTotal)).ToArray());
    }

    /// <summary>Mutual information I(classes; clusters) (sklearn <c>mutual_info_score</c>), clipped at 0.</summary>
    public static double MutualInformation(ContingencyTable table)
    {
        if (table.ClassCount == 1 || table.ClusterCount == 1) return 0.0;
        // When one labelling refines the other, MI is exactly the coarser one's entropy; returning that (rather than
        // a sum that rounds differently) keeps ratios such as AMI(min) at exactly 1, as scikit-learn's arithmetic gives.
        if (table.Cells.Length == table.ClusterCount) return Entropy(table.ClassSizes);
        if (table.Cells.Length == table.ClassCount) return Entropy(table.ClusterSizes);
        double total = table.Total, logTotal = Math.Log(total);
        var terms = new double[table.Cells.Length];
        for (int c = 0; c < terms.Length; c++)
        {
            var cell = table.Cells[c];
            double nm = cell.Count / total;
            double outer = (double)(table.ClassSizes[cell.Class] * table.ClusterSizes[cell.Cluster]);
            // (-log(outer) + log(Σpi)) + log(Σpj), left to right as NumPy evaluates it; both sums are the total.
            double term = nm * (Math.Log(cell.Count) - logTotal) + nm * (-Math.Log(outer) + logTotal + logTotal);
            // sklearn zeroes terms below machine epsilon before summing.
            terms[c] = Math.Abs(term) < MachineEpsilon ? 0.0 : term;
        }
        double mi = NumPySum.Pairwise(terms);
        return Math.Max(mi, 0.0);
    }

    /// <summary>
    /// Expected mutual information of two random labellings with the table's margins (hypergeometric model; sklearn
    /// <c>expected_mutual_information</c>), summing over every feasible cell count with log-gamma terms.
    /// </summary>
    public static double ExpectedMutualInformation(ContingencyTable table)
    {
        var a = table.ClassSizes;
        var b = table.ClusterSizes;
        if (a.Length == 1 || b.Length == 1) return 0.0;
        long nSamples = table.Total;
        double n = nSamples;
        long maxCount = Math.Max(a.Max(), b.Max());
        var logNnij = new double[maxCount + 1];
        var lnGammaNijPlus1 = new double[maxCount + 1];
        for (long k = 0; k <= maxCount; k++)
        {
            double nij = k == 0 ? 1 : k; // sklearn sets nijs[0] = 1; index 0 is never used.
            logNnij[k] = Math.Log(n) + Math.Log(nij);
            lnGammaNijPlus1[k] = LogGamma.OfInteger((long)nij + 1) + LogGamma.OfInteger(nSamples + 1);
        }
        var logA = a.Select(x => Math.Log(x)).ToArray();
        var logB = b.Select(x => Math.Log(x)).ToArray();
        var glnA = a.Select(x => LogGamma.OfInteger(x + 1)).ToArray();
        var glnB = b.Select(x => LogGamma.OfInteger(x + 1)).ToArray();
        var glnNa = a.Select(x => LogGamma.OfInteger(nSamples - x + 1)).ToArray();
        var glnNb = b.Select(x => LogGamma.OfInteger(nSamples - x + 1)).ToArray();
        double emi = 0;
        for (int i = 0; i < a.Length; i++)
        {
            for (int j = 0; j < b.Length; j++)
            {
                long start = Math.Max(1, a[i] - nSamples + b[j]);
                long end = Math.Min(a[i], b[j]) + 1;
                for (long nij = start; nij < end; nij++)
                {
                    double term2 = logNnij[nij] - logA[i] - logB[j];
                    double gln = glnA[i] + glnB[j] + glnNa[i] + glnNb[j] - lnGammaNijPlus1[nij]
                        - LogGamma.OfInteger(a[i] - nij + 1) - LogGamma.OfInteger(b[j] - nij + 1)
                        - LogGamma.OfInteger(nSamples - a[i] - b[j] + nij + 1);
                    emi += nij / n * term2 * Math.Exp(gln);
                }
            }
        }
        return emi;
    }

    /// <summary>The mean of two entropies used as a normaliser (sklearn <c>_generalized_average</c>).</summary>
    public static double GeneralizedAverage(double u, double v, AverageMethod method) => method switch
    {
        AverageMethod.Min => Math.Min(u, v),
        AverageMethod.Geometric => Math.Sqrt(u * v),
        AverageMethod.Arithmetic => (u + v) / 2,
        AverageMethod.Max => Math.Max(u, v),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown average method."),
    };
}

/// <summary>ln Γ(k) for positive integers k, accurate to a few ulps of the result.</summary>
internal static class LogGamma
{
    private const int TableSize = 171; // 170! is the largest factorial a double holds.
    private static readonly double[] LogFactorials = BuildTable();

    /// <summary>ln Γ(k) = ln((k − 1)!) for k ≥ 1.</summary>
    public static double OfInteger(long k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1L, nameof(k));
        if (k - 1 < TableSize) return LogFactorials[k - 1];
        // Stirling's series; at x > 170 the terms after x^-9 are below 1e-22 relative.
        double x = k, inv = 1.0 / x, inv2 = inv * inv;
        double series = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 * (1.0 / 1188)))));
        return (x - 0.5) * Math.Log(x) - x + 0.91893853320467274178 + series;
    }

    private static double[] BuildTable()
    {
        var table = new double[TableSize];
        double factorial = 1;
        for (int k = 0; k < TableSize; k++)
        {
            if (k > 0) factorial *= k;
            table[k] = Math.Log(factorial);
        }
        return table;
    }
}

/// <summary>
/// NumPy's pairwise summation of float64 arrays (<c>np.sum</c>): blocks of up to 128 summed with eight interleaved
/// accumulators, larger arrays split in halves. Used where scikit-learn's result hinges on the last bits, e.g. AMI
/// whose denominator vanishes when one labelling determines the other.
/// </summary>
internal static class NumPySum
{
    private const int BlockSize = 128;

    public static double Pairwise(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            // NumPy starts from -0.0 here, which only matters for an all-(-0.0) input.
            double res = -0.0;
            for (int i = 0; i < n; i++) res += a[i];
            return res;
        }
        if (n <= BlockSize)
        {
            Span<double> r = stackalloc double[8];
            for (int k = 0; k < 8; k++) r[k] = a[k];
            int i = 8;
            for (; i < n - (n % 8); i += 8)
                for (int k = 0; k < 8; k++) r[k] += a[i + k];
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) res += a[i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return Pairwise(a[..n2]) + Pairwise(a[n2..]);
    }
}
