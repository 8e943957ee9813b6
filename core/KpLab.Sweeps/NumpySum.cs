namespace KpLab.Sweeps;

/// <summary>
/// numpy's float64 <c>np.sum</c> of a contiguous array: the identity 0.0 plus a pairwise sum (blocks of at most 128
/// summed with eight accumulators, longer runs split in halves rounded down to a multiple of eight). Summing in this
/// order gives numpy's result to the bit, where a left-to-right sum can differ in the last places.
/// </summary>
internal static class NumpySum
{
    private const int BlockSize = 128;

    public static double Pairwise(ReadOnlySpan<double> a) => 0.0 + Sum(a);

    private static double Sum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double s = 0.0;
            foreach (var v in a) s += v;
            return s;
        }
        if (n <= BlockSize)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            int i = 8;
            for (; i < n - n % 8; i += 8)
                for (int j = 0; j < 8; j++) r[j] += a[i + j];
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) res += a[i];
            return res;
        }
        int half = n / 2;
        half -= half % 8;
        return Sum(a[..half]) + Sum(a[half..]);
    }
}
