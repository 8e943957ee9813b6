using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KpLab.Kernels;

/// <summary>
/// The blocked, multi-threaded float32 product C = A·Bᵀ of two row-major matrices that share their row length
/// (the depth). It is the workhorse behind cosine similarity, squared Euclidean distance, k-means assignment and
/// silhouette. Each element of C is one fused multiply-add chain over the depth in ascending order, computed by one
/// thread, so C is bit-identical whatever the thread count (<see cref="KernelParallelism"/>).
/// </summary>
/// <remarks>
/// NaN and infinities propagate as IEEE arithmetic does: a NaN in row i of A makes row i of C NaN. When A and B are
/// the same span, or through <see cref="MultiplySelfTransposed(ReadOnlySpan{float}, int, Span{float})"/>, only the
/// upper triangle is computed and mirrored (half the work); the result is identical to the general product.
/// </remarks>
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
        RequireOutput(c, n, m);
        GemmEngine.MultiplyTransposed(a, n, b, m, depth, c, m, KernelParallelism.Current, SimdWidths.Best, IsSameMatrix(a, b));
    }

    /// <summary>Computes and returns C = A·Bᵀ as a new <c>n × m</c> row-major array.</summary>
    /// <param name="a">A, <c>n × depth</c>, row-major.</param>
    /// <param name="b">B, <c>m × depth</c>, row-major.</param>
    /// <param name="depth">The shared row length, at least 1.</param>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public static float[] MultiplyTransposed(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int depth)
    {
        int n = MatrixRows.RowCount(a.Length, depth);
        int m = MatrixRows.RowCount(b.Length, depth);
        var c = GC.AllocateUninitializedArray<float>(checked(n * m));
        GemmEngine.MultiplyTransposed(a, n, b, m, depth, c, m, KernelParallelism.Current, SimdWidths.Best, IsSameMatrix(a, b));
        return c;
    }

    /// <summary>
    /// Computes the Gram matrix C = X·Xᵀ, exploiting its symmetry: the blocks on and above the diagonal are computed
    /// and mirrored, half the work of the general product and bit-identical to it.
    /// </summary>
    /// <param name="x">X, <c>n × depth</c>, row-major.</param>
    /// <param name="depth">Row length, at least 1.</param>
    /// <param name="c">Receives C, <c>n × n</c>, row-major; must hold at least <c>n·n</c> values.</param>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public static void MultiplySelfTransposed(ReadOnlySpan<float> x, int depth, Span<float> c)
    {
        int n = MatrixRows.RowCount(x.Length, depth);
        RequireOutput(c, n, n);
        GemmEngine.MultiplyTransposed(x, n, x, n, depth, c, n, KernelParallelism.Current, SimdWidths.Best, symmetric: true);
    }

    /// <summary>Computes and returns the Gram matrix X·Xᵀ as a new <c>n × n</c> row-major array.</summary>
    /// <param name="x">X, <c>n × depth</c>, row-major.</param>
    /// <param name="depth">Row length, at least 1.</param>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public static float[] MultiplySelfTransposed(ReadOnlySpan<float> x, int depth)
    {
        int n = MatrixRows.RowCount(x.Length, depth);
        var c = GC.AllocateUninitializedArray<float>(checked(n * n));
        GemmEngine.MultiplyTransposed(x, n, x, n, depth, c, n, KernelParallelism.Current, SimdWidths.Best, symmetric: true);
        return c;
    }

    internal static bool IsSameMatrix(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        a.Length == b.Length && Unsafe.AreSame(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b));

    private static void RequireOutput(Span<float> c, int n, int m)
    {
        if ((long)c.Length < (long)n * m)
            throw new ArgumentException($"C has {c.Length} values; {n} x {m} = {(long)n * m} needed.", nameof(c));
    }
}
