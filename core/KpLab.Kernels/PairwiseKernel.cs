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
        GemmEngine.MultiplyTransposed(a, n, b, m, depth, c, m);
        if (measure == PairwiseMeasure.Dot) return;
        var na = new float[n];
        var nb = new float[m];
        MatrixRows.SquaredNorms(a, depth, na);
        MatrixRows.SquaredNorms(b, depth, nb);
        fixed (float* pc = c)
        {
            nint cc = (nint)pc;
            Parallel.For(0, n, KernelParallelism.Options(), i =>
                Finish(new Span<float>((float*)cc + (long)i * m, m), na[i], nb, measure));
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
    public static unsafe void ForEachTile(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int depth, PairwiseMeasure measure,
        PairwiseTileAction action, int tileRows = DefaultTileRows)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileRows, 1, nameof(tileRows));
        int n = MatrixRows.RowCount(a.Length, depth);
        int m = MatrixRows.RowCount(b.Length, depth);
        if (n == 0) return;
        var na = new float[n];
        var nb = new float[m];
        if (measure != PairwiseMeasure.Dot)
        {
            MatrixRows.SquaredNorms(a, depth, na);
            MatrixRows.SquaredNorms(b, depth, nb);
        }
        int tiles = (n + tileRows - 1) / tileRows;
        fixed (float* pa = a)
        fixed (float* pb = b)
        {
            nint aa = (nint)pa, bb = (nint)pb;
            Parallel.For(0, tiles, KernelParallelism.Options(),
                () => new float[(long)Math.Min(tileRows, n) * m],
                (t, _, buffer) =>
                {
                    int r0 = t * tileRows, rows = Math.Min(tileRows, n - r0);
                    var tileA = new ReadOnlySpan<float>((float*)aa + (long)r0 * depth, rows * depth);
                    var tileB = new ReadOnlySpan<float>((float*)bb, m * depth);
                    var tile = buffer.AsSpan(0, rows * m);
                    GemmEngine.MultiplyTransposed(tileA, rows, tileB, m, depth, tile, m, parallel: false);
                    if (measure != PairwiseMeasure.Dot)
                        for (int i = 0; i < rows; i++) Finish(tile.Slice(i * m, m), na[r0 + i], nb, measure);
                    action(r0, rows, tile);
                    return buffer;
                },
                _ => { });
        }
    }

    /// <summary>Turns one row of dot products into the requested measure, given squared norms.</summary>
    private static void Finish(Span<float> row, float normA, float[] normsB, PairwiseMeasure measure)
    {
        switch (measure)
        {
            case PairwiseMeasure.SquaredEuclidean:
            case PairwiseMeasure.Euclidean:
                for (int j = 0; j < row.Length; j++)
                {
                    var d2 = MathF.Max(0f, normA + normsB[j] - 2f * row[j]);
                    row[j] = measure == PairwiseMeasure.Euclidean ? MathF.Sqrt(d2) : d2;
                }
                break;
            case PairwiseMeasure.CosineSimilarity:
            case PairwiseMeasure.CosineDistance:
                var ia = normA > 0f ? 1f / MathF.Sqrt(normA) : 0f;
                for (int j = 0; j < row.Length; j++)
                {
                    var s = normsB[j] > 0f ? row[j] * ia / MathF.Sqrt(normsB[j]) : 0f;
                    row[j] = measure == PairwiseMeasure.CosineDistance ? MathF.Max(0f, 1f - s) : s;
                }
                break;
        }
    }
}
