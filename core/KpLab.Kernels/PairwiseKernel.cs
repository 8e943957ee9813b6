using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>Receives one tile of a pairwise matrix: rows <c>[rowStart, rowStart + rowCount)</c> of A against all of B.</summary>
/// <param name="rowStart">Index in A of the tile's first row.</param>
/// <param name="rowCount">Rows in the tile.</param>
/// <param name="tile">The values, <c>rowCount × m</c>, row-major (m = rows of B).</param>
public delegate void PairwiseTileAction(int rowStart, int rowCount, ReadOnlySpan<float> tile);

/// <summary>
/// Pairwise measures between the rows of A and B, computed through <see cref="MatrixProduct"/>. The tiled form
/// never materialises the full <c>n × m</c> matrix: it hands out <c>tileRows × m</c> tiles, so memory stays
/// O(tileRows · m) per thread.
/// </summary>
/// <remarks>
/// Distances come from dot products: |a|² + |b|² − 2 a·b clamped at 0, and cosine a·b / (|a| |b|) with 0 for a zero
/// row. Values are identical between <see cref="Compute"/> and <see cref="ForEachTile"/> and for any thread count.
/// NaN in a row makes that row's values NaN (the kNN search then treats them as +∞).
/// </remarks>
public static class PairwiseKernel
{
    /// <summary>The default number of A rows per tile.</summary>
    public const int DefaultTileRows = 256;

    /// <summary>Writes the full <c>n × m</c> matrix of <paramref name="measure"/> between rows of A and B into C.</summary>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public static unsafe void Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int depth, PairwiseMeasure measure, Span<float> c)
    {
        int n = MatrixRows.RowCount(a.Length, depth);
        int m = MatrixRows.RowCount(b.Length, depth);
        if ((long)c.Length < (long)n * m)
            throw new ArgumentException($"C has {c.Length} values; {n} x {m} = {(long)n * m} needed.", nameof(c));
        MatrixProduct.MultiplyTransposed(a, b, depth, c[..(n * m)]);
        if (measure == PairwiseMeasure.Dot || n == 0) return;
        var norms = RowNorms.For(a, b, depth, measure);
        fixed (float* pc = c)
        {
            nint cc = (nint)pc;
            Parallel.For(0, n, KernelParallelism.Options(), i =>
                norms.Finish(new Span<float>((float*)cc + (long)i * m, m), i, measure));
        }
    }

    /// <summary>
    /// Computes <paramref name="measure"/> between the rows of A and all rows of B tile by tile, and calls
    /// <paramref name="action"/> once per tile. Tiles run in parallel under <see cref="KernelParallelism"/>, so the
    /// action must be safe to call concurrently (write only to the tile's own rows of any output).
    /// </summary>
    /// <param name="a">A, <c>n × depth</c>.</param>
    /// <param name="b">B, <c>m × depth</c>.</param>
    /// <param name="depth">Row length.</param>
    /// <param name="measure">What to compute.</param>
    /// <param name="action">Receives each tile; the span is valid only during the call.</param>
    /// <param name="tileRows">Rows of A per tile (default <see cref="DefaultTileRows"/>).</param>
    public static void ForEachTile(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int depth, PairwiseMeasure measure,
        PairwiseTileAction action, int tileRows = DefaultTileRows)
    {
        ArgumentNullException.ThrowIfNull(action);
        ForEachTileCore(a, b, depth, measure, action, tileRows, SimdWidths.Best);
    }

    /// <summary>
    /// For every row i of A and every group g, the sum over rows j of B labelled g of <paramref name="measure"/>(i, j),
    /// accumulated in double precision in ascending j (the building block of silhouette and within-cluster scatter).
    /// Rows of B with a negative label (noise) are skipped. Tiled: memory stays O(tileRows · m).
    /// </summary>
    /// <param name="a">A, <c>n × depth</c>.</param>
    /// <param name="b">B, <c>m × depth</c>.</param>
    /// <param name="depth">Row length.</param>
    /// <param name="measure">What to sum.</param>
    /// <param name="labels">A group per row of B, in <c>[0, groups)</c> or negative to skip.</param>
    /// <param name="groups">Number of groups.</param>
    /// <param name="sums">Receives <c>n × groups</c> sums, row-major.</param>
    /// <exception cref="ArgumentException">A shape does not match or a label is out of range.</exception>
    public static void GroupSums(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int depth, PairwiseMeasure measure,
        ReadOnlySpan<int> labels, int groups, Span<double> sums)
    {
        int n = MatrixRows.RowCount(a.Length, depth);
        int m = MatrixRows.RowCount(b.Length, depth);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1, nameof(groups));
        if (labels.Length != m) throw new ArgumentException($"{labels.Length} labels for {m} rows of B.", nameof(labels));
        if ((long)sums.Length < (long)n * groups)
            throw new ArgumentException($"Output has {sums.Length} slots; {n} x {groups} needed.", nameof(sums));
        foreach (var l in labels)
            if (l >= groups) throw new ArgumentException($"Label {l} is not below the group count {groups}.", nameof(labels));
        var labelCopy = labels.ToArray();
        var output = new double[(long)n * groups];
        ForEachTileCore(a, b, depth, measure, (r0, rows, tile) =>
        {
            for (int r = 0; r < rows; r++)
            {
                var row = tile.Slice(r * m, m);
                var acc = output.AsSpan((r0 + r) * groups, groups);
                for (int j = 0; j < row.Length; j++)
                {
                    int g = labelCopy[j];
                    if (g >= 0) acc[g] += row[j];
                }
            }
        }, DefaultTileRows, SimdWidths.Best);
        output.CopyTo(sums);
    }

    internal static unsafe void ForEachTileCore(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int depth, PairwiseMeasure measure,
        PairwiseTileAction action, int tileRows, SimdWidth width, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tileRows, 1, nameof(tileRows));
        int n = MatrixRows.RowCount(a.Length, depth);
        int m = MatrixRows.RowCount(b.Length, depth);
        if (n == 0) return;
        var norms = measure == PairwiseMeasure.Dot ? null : RowNorms.For(a, b, depth, measure);
        int tiles = (n + tileRows - 1) / tileRows;
        int degree = KernelParallelism.Current;
        fixed (float* pa = a)
        fixed (float* pb = b)
        {
            // B is packed once and shared; each tile packs its own rows of A and runs the GEMM on its thread.
            using var packedB = PackedPanels.Pack(pb, m, depth, GemmEngine.KernelShape.Of(width).Nr, degree);
            nint aa = (nint)pa;
            Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = degree, CancellationToken = KernelParallelism.Or(cancellationToken) },
                () => GC.AllocateUninitializedArray<float>(checked(Math.Min(tileRows, n) * m)),
                (t, _, buffer) =>
                {
                    int r0 = t * tileRows, rows = Math.Min(tileRows, n - r0);
                    var tile = buffer.AsSpan(0, rows * m);
                    fixed (float* pt = tile)
                        GemmEngine.MultiplyTile((float*)aa + (long)r0 * depth, rows, packedB, pt, m, width);
                    if (norms is not null)
                        for (int i = 0; i < rows; i++) norms.Finish(tile.Slice(i * m, m), r0 + i, measure);
                    action(r0, rows, tile);
                    return buffer;
                },
                _ => { });
        }
    }

    /// <summary>Per-row norms of A and B and the step that turns a row of dot products into a measure.</summary>
    private sealed class RowNorms
    {
        private readonly float[] _a;
        private readonly float[] _b;

        private RowNorms(float[] a, float[] b)
        {
            _a = a;
            _b = b;
        }

        /// <summary>Squared norms for Euclidean measures; reciprocal norms (0 for a zero row) for cosine.</summary>
        public static RowNorms For(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int depth, PairwiseMeasure measure)
        {
            var na = new float[a.Length / depth];
            MatrixRows.SquaredNorms(a, depth, na);
            float[] nb;
            if (MatrixProduct.IsSameMatrix(a, b)) nb = na;
            else
            {
                nb = new float[b.Length / depth];
                MatrixRows.SquaredNorms(b, depth, nb);
            }
            if (measure is PairwiseMeasure.CosineSimilarity or PairwiseMeasure.CosineDistance)
            {
                Reciprocal(na);
                if (!ReferenceEquals(na, nb)) Reciprocal(nb);
            }
            return new RowNorms(na, nb);
        }

        private static void Reciprocal(float[] squaredNorms)
        {
            for (int i = 0; i < squaredNorms.Length; i++)
            {
                var s = squaredNorms[i];
                squaredNorms[i] = s > 0f ? 1f / MathF.Sqrt(s) : s == 0f ? 0f : s; // NaN stays NaN
            }
        }

        /// <summary>Turns row <paramref name="i"/> of dot products into <paramref name="measure"/> in place.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Finish(Span<float> row, int i, PairwiseMeasure measure)
        {
            float na = _a[i];
            ref float r = ref MemoryMarshal.GetReference(row);
            ref float nb = ref MemoryArrayRef(_b);
            int m = row.Length, j = 0;
            switch (measure)
            {
                case PairwiseMeasure.SquaredEuclidean:
                case PairwiseMeasure.Euclidean:
                    bool root = measure == PairwiseMeasure.Euclidean;
                    if (Vector512.IsHardwareAccelerated)
                    {
                        var va = Vector512.Create(na);
                        var minus2 = Vector512.Create(-2f);
                        for (; j <= m - 16; j += 16)
                        {
                            // max(0, ·) written as a select so NaN passes through instead of becoming 0.
                            var d2 = Vector512.FusedMultiplyAdd(minus2, Vector512.LoadUnsafe(ref r, (nuint)j), va + Vector512.LoadUnsafe(ref nb, (nuint)j));
                            d2 = Vector512.ConditionalSelect(Vector512.LessThan(d2, Vector512<float>.Zero), Vector512<float>.Zero, d2);
                            (root ? Vector512.Sqrt(d2) : d2).StoreUnsafe(ref r, (nuint)j);
                        }
                    }
                    else if (Vector.IsHardwareAccelerated)
                    {
                        // Vector<T>: 256 bits on AVX2, 128 on ARM64. Element-wise, so every width equals the scalar loop.
                        var va = new Vector<float>(na);
                        var minus2 = new Vector<float>(-2f);
                        for (; j <= m - Vector<float>.Count; j += Vector<float>.Count)
                        {
                            var d2 = Vector.FusedMultiplyAdd(minus2, Vector.LoadUnsafe(ref r, (nuint)j), va + Vector.LoadUnsafe(ref nb, (nuint)j));
                            d2 = Vector.ConditionalSelect(Vector.LessThan(d2, Vector<float>.Zero), Vector<float>.Zero, d2);
                            (root ? Vector.SquareRoot(d2) : d2).StoreUnsafe(ref r, (nuint)j);
                        }
                    }
                    for (; j < m; j++)
                    {
                        var d2 = MathF.FusedMultiplyAdd(-2f, Unsafe.Add(ref r, j), na + Unsafe.Add(ref nb, j));
                        if (d2 < 0f) d2 = 0f;
                        Unsafe.Add(ref r, j) = root ? MathF.Sqrt(d2) : d2;
                    }
                    break;
                case PairwiseMeasure.CosineSimilarity:
                case PairwiseMeasure.CosineDistance:
                    bool distance = measure == PairwiseMeasure.CosineDistance;
                    if (Vector512.IsHardwareAccelerated)
                    {
                        var va = Vector512.Create(na);
                        var one = Vector512<float>.One;
                        for (; j <= m - 16; j += 16)
                        {
                            var s = Vector512.LoadUnsafe(ref r, (nuint)j) * va * Vector512.LoadUnsafe(ref nb, (nuint)j);
                            if (distance)
                            {
                                s = one - s;
                                s = Vector512.ConditionalSelect(Vector512.LessThan(s, Vector512<float>.Zero), Vector512<float>.Zero, s);
                            }
                            s.StoreUnsafe(ref r, (nuint)j);
                        }
                    }
                    else if (Vector.IsHardwareAccelerated)
                    {
                        var va = new Vector<float>(na);
                        for (; j <= m - Vector<float>.Count; j += Vector<float>.Count)
                        {
                            var s = Vector.LoadUnsafe(ref r, (nuint)j) * va * Vector.LoadUnsafe(ref nb, (nuint)j);
                            if (distance)
                            {
                                s = Vector<float>.One - s;
                                s = Vector.ConditionalSelect(Vector.LessThan(s, Vector<float>.Zero), Vector<float>.Zero, s);
                            }
                            s.StoreUnsafe(ref r, (nuint)j);
                        }
                    }
                    for (; j < m; j++)
                    {
                        var s = Unsafe.Add(ref r, j) * na * Unsafe.Add(ref nb, j);
                        if (distance)
                        {
                            s = 1f - s;
                            if (s < 0f) s = 0f;
                        }
                        Unsafe.Add(ref r, j) = s;
                    }
                    break;
            }
        }

        private static ref float MemoryArrayRef(float[] array) => ref MemoryMarshal.GetArrayDataReference(array);
    }
}
