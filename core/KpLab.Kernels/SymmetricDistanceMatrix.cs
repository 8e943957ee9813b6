using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KpLab.Kernels;

/// <summary>
/// The full n × n matrix of exact double distances between rows (<see cref="ExactDistances"/>, bit for bit the values
/// of <see cref="ExactDistances.Condensed"/>), stored row-major in native memory so that every row, and so every
/// nearest-neighbour scan, is contiguous: 8·n² bytes (3.2 GB at n = 20,000, twice the condensed form). Algorithms that
/// update it in place (the nearest-neighbour chain) own it and must dispose it.
/// </summary>
public sealed unsafe class SymmetricDistanceMatrix : IDisposable
{
    private double* _values;

    private SymmetricDistanceMatrix(int size)
    {
        Size = size;
        nuint bytes = (nuint)size * (nuint)size * sizeof(double);
        _values = (double*)NativeMemory.AlignedAlloc(Math.Max(bytes, 1), 4096);
        if (size > 0) GC.AddMemoryPressure((long)bytes);
    }

    /// <summary>The number of rows (and columns).</summary>
    public int Size { get; }

    /// <summary>Row <paramref name="i"/>: the distances from row i to every row, writable.</summary>
    public Span<double> Row(int i)
    {
        ObjectDisposedException.ThrowIf(_values == null, this);
        if ((uint)i >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(i), i, $"Row index must be below {Size}.");
        return new Span<double>(_values + (long)i * Size, Size);
    }

    /// <summary>The entry in row <paramref name="i"/>, column <paramref name="j"/>, writable.</summary>
    public ref double this[int i, int j]
    {
        get
        {
            ObjectDisposedException.ThrowIf(_values == null, this);
            if ((uint)i >= (uint)Size || (uint)j >= (uint)Size)
                throw new ArgumentOutOfRangeException(nameof(i), $"Entry ({i}, {j}) is outside a {Size} x {Size} matrix.");
            return ref _values[(long)i * Size + j];
        }
    }

    /// <summary>
    /// Copies row <paramref name="row"/> into its column and sets column <paramref name="retired"/> to +∞, in every
    /// row i ≥ <paramref name="start"/> other than <paramref name="row"/> whose <paramref name="weights"/>[i] is not 0
    /// (the rows still in use). Each write lands in its own cache line of a different row, a line that will not be read
    /// soon, so on x64 they are non-temporal stores: no read-for-ownership, no eviction of useful lines.
    /// </summary>
    /// <param name="row">The row to mirror.</param>
    /// <param name="retired">The column to fill with +∞ (a row that left the matrix).</param>
    /// <param name="weights">One value per row; rows with 0 are skipped.</param>
    /// <param name="start">The first row to update.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MirrorRow(int row, int retired, ReadOnlySpan<double> weights, int start)
    {
        ObjectDisposedException.ThrowIf(_values == null, this);
        int n = Size;
        if ((uint)row >= (uint)n) throw new ArgumentOutOfRangeException(nameof(row), row, $"Row index must be below {n}.");
        if ((uint)retired >= (uint)n) throw new ArgumentOutOfRangeException(nameof(retired), retired, $"Column index must be below {n}.");
        if (weights.Length != n) throw new ArgumentException($"{weights.Length} weights for {n} rows.", nameof(weights));
        ArgumentOutOfRangeException.ThrowIfNegative(start, nameof(start));
        double* source = _values + (long)row * n;
        if (Sse2.X64.IsSupported)
        {
            long infinity = BitConverter.DoubleToInt64Bits(double.PositiveInfinity);
            for (int i = start; i < n; i++)
            {
                if (weights[i] == 0 || i == row) continue;
                double* target = _values + (long)i * n;
                Sse2.X64.StoreNonTemporal((long*)(target + row), BitConverter.DoubleToInt64Bits(source[i]));
                Sse2.X64.StoreNonTemporal((long*)(target + retired), infinity);
            }
            Sse.StoreFence();
        }
        else
        {
            for (int i = start; i < n; i++)
            {
                if (weights[i] == 0 || i == row) continue;
                double* target = _values + (long)i * n;
                target[row] = source[i];
                target[retired] = double.PositiveInfinity;
            }
        }
    }

    /// <summary>
    /// Computes the matrix. The upper triangle is computed in 64 × 64 blocks (both in L2) in parallel under
    /// <see cref="KernelParallelism"/> and mirrored; each value is computed by one thread in a fixed order, so the
    /// matrix does not depend on the thread count. With 512-bit vectors the rows are widened to double once and
    /// register-blocked 2 × 4 pairs at a time. The diagonal is 0.
    /// </summary>
    /// <param name="data">Row-major rows, n × <paramref name="depth"/>.</param>
    /// <param name="depth">Row length, at least 1.</param>
    /// <param name="measure">Euclidean, SquaredEuclidean or CosineDistance (cosine needs non-zero rows).</param>
    /// <param name="cancellationToken">Stops the computation between blocks.</param>
    /// <exception cref="ArgumentException">The measure is unsupported.</exception>
    /// <exception cref="OutOfMemoryException">8·n² bytes are not available.</exception>
    public static SymmetricDistanceMatrix Compute(ReadOnlySpan<float> data, int depth, PairwiseMeasure measure,
        CancellationToken cancellationToken = default)
    {
        if (measure is not (PairwiseMeasure.Euclidean or PairwiseMeasure.SquaredEuclidean or PairwiseMeasure.CosineDistance))
            throw new ArgumentException($"Exact distances support Euclidean, SquaredEuclidean and CosineDistance, not {measure}.", nameof(measure));
        int n = MatrixRows.RowCount(data.Length, depth);
        var matrix = new SymmetricDistanceMatrix(n);
        try
        {
            var norms = measure == PairwiseMeasure.CosineDistance ? ExactDistances.Norms(data, depth) : null;
            if (Vector512.IsHardwareAccelerated) FillBlocked(data, depth, measure, norms, matrix._values, cancellationToken);
            else FillPairwise(data, depth, measure, norms, matrix._values, cancellationToken);
            return matrix;
        }
        catch
        {
            matrix.Dispose();
            throw;
        }
    }


    // Band by band (64 rows) against 64-column blocks of the upper triangle, both in L2; the bands run in parallel.
    private const int Block = 64;

    /// <summary>One pair at a time through <see cref="ExactDistances"/> (machines without 512-bit vectors).</summary>
    private static unsafe void FillPairwise(ReadOnlySpan<float> data, int depth, PairwiseMeasure measure, double[]? norms,
        double* values, CancellationToken cancellationToken)
    {
        int n = MatrixRows.RowCount(data.Length, depth);
        int bands = (n + Block - 1) / Block;
        fixed (float* p = data)
        {
            nint basePtr = (nint)p;
            var options = KernelParallelism.Options();
            options.CancellationToken = KernelParallelism.Or(cancellationToken);
            Parallel.For(0, bands, options, band =>
            {
                var all = new ReadOnlySpan<float>((void*)basePtr, n * depth);
                int i0 = band * Block, i1 = Math.Min(n, i0 + Block);
                for (int j0 = i0; j0 < n; j0 += Block)
                {
                    int j1 = Math.Min(n, j0 + Block);
                    for (int i = i0; i < i1; i++)
                    {
                        var x = all.Slice(i * depth, depth);
                        double* row = values + (long)i * n;
                        if (j0 == i0) row[i] = 0;
                        for (int j = Math.Max(j0, i + 1); j < j1; j++)
                        {
                            var y = all.Slice(j * depth, depth);
                            double d = measure switch
                            {
                                PairwiseMeasure.SquaredEuclidean => ExactDistances.SquaredEuclidean(x, y),
                                PairwiseMeasure.Euclidean => Math.Sqrt(ExactDistances.SquaredEuclidean(x, y)),
                                _ => ExactDistances.CosineDistance(ExactDistances.Dot(x, y), norms![i], norms[j]),
                            };
                            row[j] = d;
                            values[(long)j * n + i] = d;
                        }
                    }
                }
            });
        }
    }

    /// <summary>
    /// The rows widened to double once, then 2 × 4 pairs per step with the same lanes, fused multiply-adds and final
    /// reduction as <see cref="ExactDistances"/>'s 512-bit path, so every value is bit for bit the same.
    /// </summary>
    private static unsafe void FillBlocked(ReadOnlySpan<float> data, int depth, PairwiseMeasure measure, double[]? norms,
        double* values, CancellationToken cancellationToken)
    {
        int n = MatrixRows.RowCount(data.Length, depth);
        var wide = GC.AllocateUninitializedArray<double>(data.Length, pinned: true);
        for (int i = 0; i < data.Length; i++) wide[i] = data[i];
        bool dot = measure == PairwiseMeasure.CosineDistance;
        int bands = (n + Block - 1) / Block;
        var options = KernelParallelism.Options();
        options.CancellationToken = KernelParallelism.Or(cancellationToken);
        double* w = (double*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(wide));
        nint widePtr = (nint)w, valuesPtr = (nint)values;
        Parallel.For(0, bands, options, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (band) =>
        {
            double* rows = (double*)widePtr;
            double* matrix = (double*)valuesPtr;
            double* eight = stackalloc double[8];
            int i0 = band * Block, i1 = Math.Min(n, i0 + Block);
            void Store(int i, int j, double sum)
            {
                double d = measure switch
                {
                    PairwiseMeasure.SquaredEuclidean => sum,
                    PairwiseMeasure.Euclidean => Math.Sqrt(sum),
                    _ => ExactDistances.CosineDistance(sum, norms![i], norms[j]),
                };
                matrix[(long)i * n + j] = d;
                matrix[(long)j * n + i] = d;
            }
            double Pair(int i, int j) => dot
                ? DotPair(rows + (long)i * depth, rows + (long)j * depth, depth)
                : SquaredPair(rows + (long)i * depth, rows + (long)j * depth, depth);
            for (int i = i0; i < i1; i++)
            {
                matrix[(long)i * n + i] = 0;
                for (int j = i + 1; j < Math.Min(n, i0 + Block); j++) Store(i, j, Pair(i, j));
            }
            for (int j0 = i0 + Block; j0 < n; j0 += Block)
            {
                int j1 = Math.Min(n, j0 + Block);
                int i = i0;
                for (; i + 1 < i1; i += 2)
                {
                    double* x0 = rows + (long)i * depth, x1 = x0 + depth;
                    int j = j0;
                    for (; j + 3 < j1; j += 4)
                    {
                        double* y0 = rows + (long)j * depth;
                        if (dot) DotBlock(x0, x1, y0, y0 + depth, y0 + 2 * depth, y0 + 3 * depth, depth, eight);
                        else SquaredBlock(x0, x1, y0, y0 + depth, y0 + 2 * depth, y0 + 3 * depth, depth, eight);
                        for (int r = 0; r < 4; r++)
                        {
                            Store(i, j + r, eight[r]);
                            Store(i + 1, j + r, eight[4 + r]);
                        }
                    }
                    for (; j < j1; j++)
                    {
                        Store(i, j, Pair(i, j));
                        Store(i + 1, j, Pair(i + 1, j));
                    }
                }
                for (; i < i1; i++)
                    for (int j = j0; j < j1; j++) Store(i, j, Pair(i, j));
            }
        });
        GC.KeepAlive(wide);
    }

    /// <summary>One squared distance in <see cref="ExactDistances.SquaredEuclidean(ReadOnlySpan{float}, ReadOnlySpan{float})"/>'s order, on widened rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double SquaredPair(double* x, double* y, int depth)
    {
        Vector512<double> l = default, u = default;
        int k = 0;
        for (; k <= depth - 16; k += 16)
        {
            var dl = Vector512.Load(x + k) - Vector512.Load(y + k);
            var du = Vector512.Load(x + k + 8) - Vector512.Load(y + k + 8);
            l = Vector512.FusedMultiplyAdd(dl, dl, l);
            u = Vector512.FusedMultiplyAdd(du, du, u);
        }
        return TailSquared(x, y, k, depth, Vector512.Sum(l + u));
    }

    /// <summary>One dot product in <see cref="ExactDistances.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>'s order, on widened rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double DotPair(double* x, double* y, int depth)
    {
        Vector512<double> l = default, u = default;
        int k = 0;
        for (; k <= depth - 16; k += 16)
        {
            l = Vector512.FusedMultiplyAdd(Vector512.Load(x + k), Vector512.Load(y + k), l);
            u = Vector512.FusedMultiplyAdd(Vector512.Load(x + k + 8), Vector512.Load(y + k + 8), u);
        }
        return TailDot(x, y, k, depth, Vector512.Sum(l + u));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double TailSquared(double* x, double* y, int k, int depth, double sum)
    {
        for (; k < depth; k++)
        {
            double d = x[k] - y[k];
            sum += d * d;
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double TailDot(double* x, double* y, int k, int depth, double sum)
    {
        for (; k < depth; k++) sum += x[k] * y[k];
        return sum;
    }

    /// <summary>2 × 4 pairs at once: squared distances of rows x0, x1 with y0..y3, each exactly as <see cref="ExactDistances"/> sums it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SquaredBlock(double* x0, double* x1, double* y0, double* y1, double* y2, double* y3, int depth, double* result)
    {
        Vector512<double> l00 = default, u00 = default;
        Vector512<double> l01 = default, u01 = default;
        Vector512<double> l02 = default, u02 = default;
        Vector512<double> l03 = default, u03 = default;
        Vector512<double> l10 = default, u10 = default;
        Vector512<double> l11 = default, u11 = default;
        Vector512<double> l12 = default, u12 = default;
        Vector512<double> l13 = default, u13 = default;
        int k = 0;
        for (; k <= depth - 16; k += 16)
        {
            var a0l = Vector512.Load(x0 + k); var a0u = Vector512.Load(x0 + k + 8);
            var a1l = Vector512.Load(x1 + k); var a1u = Vector512.Load(x1 + k + 8);
            var b0l = Vector512.Load(y0 + k); var b0u = Vector512.Load(y0 + k + 8);
            var b1l = Vector512.Load(y1 + k); var b1u = Vector512.Load(y1 + k + 8);
            var b2l = Vector512.Load(y2 + k); var b2u = Vector512.Load(y2 + k + 8);
            var b3l = Vector512.Load(y3 + k); var b3u = Vector512.Load(y3 + k + 8);
            { var dl = a0l - b0l; var du = a0u - b0u; l00 = Vector512.FusedMultiplyAdd(dl, dl, l00); u00 = Vector512.FusedMultiplyAdd(du, du, u00); }
            { var dl = a1l - b0l; var du = a1u - b0u; l10 = Vector512.FusedMultiplyAdd(dl, dl, l10); u10 = Vector512.FusedMultiplyAdd(du, du, u10); }
            { var dl = a0l - b1l; var du = a0u - b1u; l01 = Vector512.FusedMultiplyAdd(dl, dl, l01); u01 = Vector512.FusedMultiplyAdd(du, du, u01); }
            { var dl = a1l - b1l; var du = a1u - b1u; l11 = Vector512.FusedMultiplyAdd(dl, dl, l11); u11 = Vector512.FusedMultiplyAdd(du, du, u11); }
            { var dl = a0l - b2l; var du = a0u - b2u; l02 = Vector512.FusedMultiplyAdd(dl, dl, l02); u02 = Vector512.FusedMultiplyAdd(du, du, u02); }
            { var dl = a1l - b2l; var du = a1u - b2u; l12 = Vector512.FusedMultiplyAdd(dl, dl, l12); u12 = Vector512.FusedMultiplyAdd(du, du, u12); }
            { var dl = a0l - b3l; var du = a0u - b3u; l03 = Vector512.FusedMultiplyAdd(dl, dl, l03); u03 = Vector512.FusedMultiplyAdd(du, du, u03); }
            { var dl = a1l - b3l; var du = a1u - b3u; l13 = Vector512.FusedMultiplyAdd(dl, dl, l13); u13 = Vector512.FusedMultiplyAdd(du, du, u13); }
        }
        result[0] = TailSquared(x0, y0, k, depth, Vector512.Sum(l00 + u00));
        result[1] = TailSquared(x0, y1, k, depth, Vector512.Sum(l01 + u01));
        result[2] = TailSquared(x0, y2, k, depth, Vector512.Sum(l02 + u02));
        result[3] = TailSquared(x0, y3, k, depth, Vector512.Sum(l03 + u03));
        result[4] = TailSquared(x1, y0, k, depth, Vector512.Sum(l10 + u10));
        result[5] = TailSquared(x1, y1, k, depth, Vector512.Sum(l11 + u11));
        result[6] = TailSquared(x1, y2, k, depth, Vector512.Sum(l12 + u12));
        result[7] = TailSquared(x1, y3, k, depth, Vector512.Sum(l13 + u13));
    }

    /// <summary>2 × 4 pairs at once: dot products of rows x0, x1 with y0..y3, each exactly as <see cref="ExactDistances"/> sums it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void DotBlock(double* x0, double* x1, double* y0, double* y1, double* y2, double* y3, int depth, double* result)
    {
        Vector512<double> l00 = default, u00 = default;
        Vector512<double> l01 = default, u01 = default;
        Vector512<double> l02 = default, u02 = default;
        Vector512<double> l03 = default, u03 = default;
        Vector512<double> l10 = default, u10 = default;
        Vector512<double> l11 = default, u11 = default;
        Vector512<double> l12 = default, u12 = default;
        Vector512<double> l13 = default, u13 = default;
        int k = 0;
        for (; k <= depth - 16; k += 16)
        {
            var a0l = Vector512.Load(x0 + k); var a0u = Vector512.Load(x0 + k + 8);
            var a1l = Vector512.Load(x1 + k); var a1u = Vector512.Load(x1 + k + 8);
            var b0l = Vector512.Load(y0 + k); var b0u = Vector512.Load(y0 + k + 8);
            var b1l = Vector512.Load(y1 + k); var b1u = Vector512.Load(y1 + k + 8);
            var b2l = Vector512.Load(y2 + k); var b2u = Vector512.Load(y2 + k + 8);
            var b3l = Vector512.Load(y3 + k); var b3u = Vector512.Load(y3 + k + 8);
            l00 = Vector512.FusedMultiplyAdd(a0l, b0l, l00); u00 = Vector512.FusedMultiplyAdd(a0u, b0u, u00);
            l10 = Vector512.FusedMultiplyAdd(a1l, b0l, l10); u10 = Vector512.FusedMultiplyAdd(a1u, b0u, u10);
            l01 = Vector512.FusedMultiplyAdd(a0l, b1l, l01); u01 = Vector512.FusedMultiplyAdd(a0u, b1u, u01);
            l11 = Vector512.FusedMultiplyAdd(a1l, b1l, l11); u11 = Vector512.FusedMultiplyAdd(a1u, b1u, u11);
            l02 = Vector512.FusedMultiplyAdd(a0l, b2l, l02); u02 = Vector512.FusedMultiplyAdd(a0u, b2u, u02);
            l12 = Vector512.FusedMultiplyAdd(a1l, b2l, l12); u12 = Vector512.FusedMultiplyAdd(a1u, b2u, u12);
            l03 = Vector512.FusedMultiplyAdd(a0l, b3l, l03); u03 = Vector512.FusedMultiplyAdd(a0u, b3u, u03);
            l13 = Vector512.FusedMultiplyAdd(a1l, b3l, l13); u13 = Vector512.FusedMultiplyAdd(a1u, b3u, u13);
        }
        result[0] = TailDot(x0, y0, k, depth, Vector512.Sum(l00 + u00));
        result[1] = TailDot(x0, y1, k, depth, Vector512.Sum(l01 + u01));
        result[2] = TailDot(x0, y2, k, depth, Vector512.Sum(l02 + u02));
        result[3] = TailDot(x0, y3, k, depth, Vector512.Sum(l03 + u03));
        result[4] = TailDot(x1, y0, k, depth, Vector512.Sum(l10 + u10));
        result[5] = TailDot(x1, y1, k, depth, Vector512.Sum(l11 + u11));
        result[6] = TailDot(x1, y2, k, depth, Vector512.Sum(l12 + u12));
        result[7] = TailDot(x1, y3, k, depth, Vector512.Sum(l13 + u13));
    }

    /// <summary>Frees the native memory.</summary>
    public void Dispose()
    {
        if (_values == null) return;
        NativeMemory.AlignedFree(_values);
        _values = null;
        if (Size > 0) GC.RemoveMemoryPressure((long)Size * Size * sizeof(double));
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the native memory of a matrix nobody disposed.</summary>
    ~SymmetricDistanceMatrix() => Dispose();
}
