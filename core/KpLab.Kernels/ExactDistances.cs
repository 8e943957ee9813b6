using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// Distances between float32 rows computed exactly as SciPy's <c>pdist</c> does on float32 input: every value is
/// widened to double, differences are taken and squared in double and summed in double. The GEMM identity
/// |a|² + |b|² − 2a·b in float32 cancels catastrophically for close points; hierarchical clustering and HDBSCAN need
/// heights that agree with the double-precision references to far better than that, so they use this kernel.
/// Supported measures: <see cref="PairwiseMeasure.Euclidean"/>, <see cref="PairwiseMeasure.SquaredEuclidean"/>
/// and <see cref="PairwiseMeasure.CosineDistance"/> (1 − cos, SciPy's <c>'cosine'</c>).
/// </summary>
public static class ExactDistances
{
    /// <summary>The squared Euclidean distance between two rows, accumulated in double.</summary>
    /// <exception cref="ArgumentException">The rows differ in length.</exception>
    public static double SquaredEuclidean(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => SquaredEuclidean(x, y, SimdWidths.Best);

    internal static double SquaredEuclidean(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdWidth width) =>
        Accumulate<SquaredDifferences>(x, y, width);

    /// <summary>The dot product of two rows, accumulated in double.</summary>
    /// <exception cref="ArgumentException">The rows differ in length.</exception>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => Dot(x, y, SimdWidths.Best);

    internal static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdWidth width) => Accumulate<Products>(x, y, width);

    private static double Accumulate<TTerm>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdWidth width)
        where TTerm : struct, ITerm
    {
        if (x.Length != y.Length) throw new ArgumentException($"Rows of length {x.Length} and {y.Length} differ.", nameof(y));
        return width.ForLength(x.Length) switch
        {
            SimdWidth.V512 => Accumulate<Lanes512<double>, Vector512<double>, TTerm>(x, y),
            SimdWidth.V256 => Accumulate<Lanes256<double>, Vector256<double>, TTerm>(x, y),
            SimdWidth.V128 => Accumulate<Lanes128<double>, Vector128<double>, TTerm>(x, y),
            _ => AccumulateTail<TTerm>(x, y, 0, 0),
        };
    }

    /// <summary>What the accumulation sums over a pair of widened values.</summary>
    private interface ITerm
    {
        static abstract TVector Of<TLanes, TVector>(TVector x, TVector y)
            where TLanes : struct, ILanes<TVector, double>
            where TVector : struct;

        static abstract double Of(double x, double y);
    }

    /// <summary>(x − y)², multiplied and added separately as SciPy's loop does (no fused multiply-add).</summary>
    private readonly struct SquaredDifferences : ITerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Of<TLanes, TVector>(TVector x, TVector y)
            where TLanes : struct, ILanes<TVector, double>
            where TVector : struct
        {
            var d = TLanes.Subtract(x, y);
            return TLanes.Multiply(d, d);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Of(double x, double y) => (x - y) * (x - y);
    }

    /// <summary>x · y, multiplied and added separately.</summary>
    private readonly struct Products : ITerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Of<TLanes, TVector>(TVector x, TVector y)
            where TLanes : struct, ILanes<TVector, double>
            where TVector : struct => TLanes.Multiply(x, y);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Of(double x, double y) => x * y;
    }

    /// <summary>Σ term(x_i, y_i) in double: two accumulators (the widened lower and upper halves), then the scalar tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Accumulate<TLanes, TVector, TTerm>(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        where TLanes : struct, ILanes<TVector, double>
        where TVector : struct
        where TTerm : struct, ITerm
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0, floats = 2 * TLanes.Count;
        var acc0 = TLanes.Zero;
        var acc1 = TLanes.Zero;
        for (; i <= n - floats; i += floats)
        {
            var (xl, xu) = TLanes.LoadWidened(ref px, (nuint)i);
            var (yl, yu) = TLanes.LoadWidened(ref py, (nuint)i);
            acc0 = TLanes.Add(acc0, TTerm.Of<TLanes, TVector>(xl, yl));
            acc1 = TLanes.Add(acc1, TTerm.Of<TLanes, TVector>(xu, yu));
        }
        return AccumulateTail<TTerm>(x, y, i, TLanes.Sum(TLanes.Add(acc0, acc1)));
    }

    private static double AccumulateTail<TTerm>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int i, double sum)
        where TTerm : struct, ITerm
    {
        for (; i < x.Length; i++) sum += TTerm.Of(x[i], y[i]);
        return sum;
    }

    /// <summary>
    /// The Euclidean norm of every row in double (used by <see cref="PairwiseMeasure.CosineDistance"/>).
    /// </summary>
    public static double[] Norms(ReadOnlySpan<float> data, int depth)
    {
        int n = MatrixRows.RowCount(data.Length, depth);
        var norms = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = data.Slice(i * depth, depth);
            norms[i] = Math.Sqrt(Dot(row, row));
        }
        return norms;
    }

    /// <summary>
    /// The distance between rows <paramref name="i"/> and <paramref name="j"/> of <paramref name="data"/>.
    /// </summary>
    /// <param name="data">Row-major rows of length <paramref name="depth"/>.</param>
    /// <param name="depth">Row length.</param>
    /// <param name="i">First row.</param>
    /// <param name="j">Second row.</param>
    /// <param name="measure">The measure (see the class summary).</param>
    /// <param name="norms">Row norms from <see cref="Norms"/>; required for cosine, ignored otherwise.</param>
    public static double Between(ReadOnlySpan<float> data, int depth, int i, int j, PairwiseMeasure measure, ReadOnlySpan<double> norms)
    {
        var x = data.Slice(i * depth, depth);
        var y = data.Slice(j * depth, depth);
        return measure switch
        {
            PairwiseMeasure.SquaredEuclidean => SquaredEuclidean(x, y),
            PairwiseMeasure.Euclidean => Math.Sqrt(SquaredEuclidean(x, y)),
            PairwiseMeasure.CosineDistance => CosineDistance(Dot(x, y), norms[i], norms[j]),
            _ => throw Unsupported(measure),
        };
    }

    /// <summary>
    /// The condensed distance matrix of the rows in SciPy's order: entry (i, j) with i &lt; j lives at
    /// <see cref="CondensedIndex"/>(n, i, j). Rows are computed in parallel under <see cref="KernelParallelism"/>,
    /// each value by one thread in a fixed order, so the result does not depend on the thread count.
    /// </summary>
    /// <param name="data">Row-major rows, n × <paramref name="depth"/>.</param>
    /// <param name="depth">Row length, at least 1.</param>
    /// <param name="measure">The measure (see the class summary).</param>
    /// <param name="cancellationToken">Stops the computation between rows.</param>
    /// <returns>n (n − 1) / 2 distances.</returns>
    /// <exception cref="ArgumentException">The measure is unsupported, or the matrix is too large for one array.</exception>
    public static unsafe double[] Condensed(ReadOnlySpan<float> data, int depth, PairwiseMeasure measure,
        CancellationToken cancellationToken = default)
    {
        if (measure is not (PairwiseMeasure.Euclidean or PairwiseMeasure.SquaredEuclidean or PairwiseMeasure.CosineDistance))
            throw Unsupported(measure);
        int n = MatrixRows.RowCount(data.Length, depth);
        long count = (long)n * (n - 1) / 2;
        if (count > Array.MaxLength)
            throw new ArgumentException($"A condensed distance matrix of {n} rows ({count} values) exceeds one array.", nameof(data));
        var result = GC.AllocateUninitializedArray<double>((int)count);
        var norms = measure == PairwiseMeasure.CosineDistance ? Norms(data, depth) : null;
        // Blocks of rows against blocks of columns keep both in L2; the triangle is cut into row bands of roughly equal
        // work so both threads finish together.
        const int block = 64;
        int bands = (n + block - 1) / block;
        fixed (float* p = data)
        {
            nint basePtr = (nint)p;
            var options = KernelParallelism.Options();
            options.CancellationToken = KernelParallelism.Or(cancellationToken);
            Parallel.For(0, bands, options, band =>
            {
                var all = new ReadOnlySpan<float>((void*)basePtr, n * depth);
                int i0 = band * block, i1 = Math.Min(n, i0 + block);
                for (int j0 = i0; j0 < n; j0 += block)
                {
                    int j1 = Math.Min(n, j0 + block);
                    for (int i = i0; i < i1; i++)
                    {
                        var x = all.Slice(i * depth, depth);
                        long rowBase = CondensedIndex(n, i, i + 1) - (i + 1);
                        for (int j = Math.Max(j0, i + 1); j < j1; j++)
                        {
                            var y = all.Slice(j * depth, depth);
                            result[rowBase + j] = measure switch
                            {
                                PairwiseMeasure.SquaredEuclidean => SquaredEuclidean(x, y),
                                PairwiseMeasure.Euclidean => Math.Sqrt(SquaredEuclidean(x, y)),
                                _ => CosineDistance(Dot(x, y), norms![i], norms[j]),
                            };
                        }
                    }
                }
            });
        }
        return result;
    }

    /// <summary>The position of pair (i, j), i ≠ j, in a condensed matrix of <paramref name="n"/> rows (SciPy's order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long CondensedIndex(int n, int i, int j)
    {
        if (i > j) (i, j) = (j, i);
        return (long)n * i - (long)i * (i + 1) / 2 + (j - i - 1);
    }

    /// <summary>1 − dot / (|x| |y|), the cosine clipped to [−1, 1] as SciPy does; 0 when both norms are zero is not defined
    /// and gives NaN, so callers reject zero rows first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double CosineDistance(double dot, double normX, double normY)
    {
        double cosine = dot / (normX * normY);
        if (Math.Abs(cosine) > 1.0) cosine = Math.CopySign(1.0, cosine);
        return 1.0 - cosine;
    }

    private static ArgumentException Unsupported(PairwiseMeasure measure) =>
        new($"Exact distances support Euclidean, SquaredEuclidean and CosineDistance, not {measure}.", nameof(measure));
}
