namespace KpLab.Kernels;

/// <summary>
/// Row-wise operations on a row-major float32 matrix stored contiguously (row i occupies
/// <c>[i * columns, (i + 1) * columns)</c>). Rows are processed in parallel under <see cref="KernelParallelism"/>;
/// every row is computed by one thread in a fixed order, so results do not depend on the thread count.
/// </summary>
public static class MatrixRows
{
    /// <summary>Scales every row to unit Euclidean length in place. Zero rows stay zero (no NaN).</summary>
    /// <param name="data">The matrix, row-major.</param>
    /// <param name="columns">Row length, at least 1.</param>
    public static unsafe void NormalizeRows(Span<float> data, int columns)
    {
        int rows = RowCount(data.Length, columns);
        fixed (float* p = data)
        {
            var basePtr = (nint)p;
            Parallel.For(0, rows, KernelParallelism.Options(), i =>
                VectorMath.L2Normalize(new Span<float>((float*)basePtr + (long)i * columns, columns)));
        }
    }

    /// <summary>Writes the squared Euclidean norm of every row into <paramref name="norms"/>.</summary>
    public static unsafe void SquaredNorms(ReadOnlySpan<float> data, int columns, Span<float> norms)
    {
        int rows = RowCount(data.Length, columns);
        if (norms.Length < rows) throw new ArgumentException($"Output has {norms.Length} slots for {rows} rows.", nameof(norms));
        fixed (float* p = data)
        fixed (float* o = norms)
        {
            nint src = (nint)p, dst = (nint)o;
            Parallel.For(0, rows, KernelParallelism.Options(), i =>
            {
                var row = new ReadOnlySpan<float>((float*)src + (long)i * columns, columns);
                ((float*)dst)[i] = VectorMath.Dot(row, row);
            });
        }
    }

    /// <summary>Writes the sum of every row into <paramref name="sums"/>.</summary>
    public static void Sums(ReadOnlySpan<float> data, int columns, Span<float> sums)
    {
        int rows = RowCount(data.Length, columns);
        if (sums.Length < rows) throw new ArgumentException($"Output has {sums.Length} slots for {rows} rows.", nameof(sums));
        for (int i = 0; i < rows; i++) sums[i] = VectorMath.Sum(data.Slice(i * columns, columns));
    }

    /// <summary>Writes the mean of every row into <paramref name="means"/>.</summary>
    public static void Means(ReadOnlySpan<float> data, int columns, Span<float> means)
    {
        Sums(data, columns, means);
        int rows = RowCount(data.Length, columns);
        for (int i = 0; i < rows; i++) means[i] /= columns;
    }

    /// <summary>
    /// The column-wise mean of the selected rows (the centroid), accumulated in double precision.
    /// </summary>
    /// <param name="data">The matrix, row-major.</param>
    /// <param name="columns">Row length.</param>
    /// <param name="rows">Indices of the rows to average; all rows when null.</param>
    /// <param name="mean">Receives the mean, length <paramref name="columns"/>. Zero when no rows are selected.</param>
    public static void ColumnMeans(ReadOnlySpan<float> data, int columns, ReadOnlySpan<int> rows, Span<float> mean) =>
        ColumnMeansCore(data, columns, rows, selectAll: false, mean);

    /// <summary>The column-wise mean of all rows (the centroid), accumulated in double precision.</summary>
    public static void ColumnMeans(ReadOnlySpan<float> data, int columns, Span<float> mean) =>
        ColumnMeansCore(data, columns, default, selectAll: true, mean);

    private static void ColumnMeansCore(ReadOnlySpan<float> data, int columns, ReadOnlySpan<int> rows, bool selectAll, Span<float> mean)
    {
        int total = RowCount(data.Length, columns);
        if (mean.Length != columns) throw new ArgumentException($"Output has length {mean.Length}, expected {columns}.", nameof(mean));
        var acc = new double[columns];
        int count = selectAll ? total : rows.Length;
        for (int r = 0; r < count; r++)
        {
            int i = selectAll ? r : rows[r];
            var row = data.Slice(i * columns, columns);
            for (int j = 0; j < columns; j++) acc[j] += row[j];
        }
        for (int j = 0; j < columns; j++) mean[j] = count == 0 ? 0f : (float)(acc[j] / count);
    }

    /// <summary>The index of the first row containing NaN or an infinity, or -1 when every value is finite.</summary>
    public static int FirstNonFiniteRow(ReadOnlySpan<float> data, int columns)
    {
        int rows = RowCount(data.Length, columns);
        for (int i = 0; i < rows; i++)
        {
            foreach (var v in data.Slice(i * columns, columns))
                if (!float.IsFinite(v)) return i;
        }
        return -1;
    }

    internal static int RowCount(int length, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1, nameof(columns));
        if (length % columns != 0)
            throw new ArgumentException($"A span of {length} values is not a whole number of rows of {columns}.", nameof(columns));
        return length / columns;
    }
}
