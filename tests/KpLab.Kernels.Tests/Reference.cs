namespace KpLab.Kernels.Tests;

/// <summary>Seeded test matrices and double-precision references.</summary>
internal static class Reference
{
    public static float[] RandomMatrix(int rows, int cols, int seed, double scale = 1.0)
    {
        var rng = new Random(seed);
        var x = new float[rows * cols];
        for (int i = 0; i < x.Length; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return x;
    }

    /// <summary>C = A·Bᵀ in double, and Σ|a_p b_p| per element (the scale of the rounding error).</summary>
    public static (double[] C, double[] Magnitude) Product(float[] a, float[] b, int depth)
    {
        int n = a.Length / depth, m = b.Length / depth;
        var c = new double[n * m];
        var mag = new double[n * m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                double s = 0, t = 0;
                for (int p = 0; p < depth; p++)
                {
                    double v = (double)a[i * depth + p] * b[j * depth + p];
                    s += v;
                    t += Math.Abs(v);
                }
                c[i * m + j] = s;
                mag[i * m + j] = t;
            }
        return (c, mag);
    }

    public static double Measure(float[] a, int i, float[] b, int j, int depth, PairwiseMeasure measure)
    {
        double dot = 0, na = 0, nb = 0;
        for (int p = 0; p < depth; p++)
        {
            double x = a[i * depth + p], y = b[j * depth + p];
            dot += x * y;
            na += x * x;
            nb += y * y;
        }
        double cos = na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
        double d2 = Math.Max(0, na + nb - 2 * dot);
        return measure switch
        {
            PairwiseMeasure.Dot => dot,
            PairwiseMeasure.CosineSimilarity => cos,
            PairwiseMeasure.CosineDistance => 1 - cos,
            PairwiseMeasure.SquaredEuclidean => d2,
            _ => Math.Sqrt(d2),
        };
    }

    /// <summary>Float32 rounding bound for a length-<paramref name="depth"/> dot product of magnitude <paramref name="magnitude"/>.</summary>
    public static double DotTolerance(int depth, double magnitude) => (depth + 2) * 6e-8 * magnitude + 1e-30;

    public static void AssertBitIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} differs: {expected[i]:R} vs {actual[i]:R}");
    }
}
