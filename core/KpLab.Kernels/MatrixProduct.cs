namespace KpLab.Kernels;

/// <summary>
/// The blocked, multi-threaded float32 product C = A·Bᵀ of two row-major matrices that share their row length
/// (the depth). It is the workhorse behind cosine similarity, squared Euclidean distance, k-means assignment and
/// silhouette. Each element of C is accumulated by one thread in a fixed order, so C does not depend on the thread
/// count.
/// </summary>
public static class MatrixProduct
{
    /// <summary>Computes C = A·Bᵀ.</summary>
    /// <param name="a">A, <c>n × depth</c>, row-major.</param>
    /// <param name="b">B, <c>m × depth</c>, row-major.</param>
    /// <param name="depth">The shared row length, at least 1.</param>
    /// <param name="c">Receives C, <c>n × m</c>, row-major; must hold at least <c>n·m</c> values.</param>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public static void MultiplyTransposed(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int depth, Span<float> c)
    {
        int n = MatrixRows.RowCount(a.Length, depth);
        int m = MatrixRows.RowCount(b.Length, depth);
        if ((long)c.Length < (long)n * m)
            throw new ArgumentException($"C has {c.Length} values; {n} x {m} = {(long)n * m} needed.", nameof(c));
        GemmEngine.MultiplyTransposed(a, n, b, m, depth, c, m);
    }

    /// <summary>Computes and returns C = A·Bᵀ as a new <c>n × m</c> row-major array.</summary>
    public static float[] MultiplyTransposed(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int depth)
    {
        int n = MatrixRows.RowCount(a.Length, depth);
        int m = MatrixRows.RowCount(b.Length, depth);
        var c = GC.AllocateUninitializedArray<float>(checked(n * m));
        GemmEngine.MultiplyTransposed(a, n, b, m, depth, c, m);
        return c;
    }
}
