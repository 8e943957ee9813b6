using KpLab.Kernels;

namespace KpLab.Plugins.Tfidf;

/// <summary>A compressed sparse row (CSR) matrix in double precision, column indices sorted within each row.</summary>
internal sealed class SparseRows(int rows, int columns, int[] rowStarts, int[] columnIndices, double[] values)
{
    public int Rows { get; } = rows;
    public int Columns { get; } = columns;
    public int[] RowStarts { get; } = rowStarts;
    public int[] ColumnIndices { get; } = columnIndices;
    public double[] Values { get; } = values;

    /// <summary>The transpose, also CSR (so Xᵀ·Y runs row by row like X·Y).</summary>
    public SparseRows Transpose()
    {
        var starts = new int[Columns + 1];
        foreach (var c in ColumnIndices) starts[c + 1]++;
        for (int c = 0; c < Columns; c++) starts[c + 1] += starts[c];
        var next = starts[..Columns];
        var indices = new int[ColumnIndices.Length];
        var vals = new double[Values.Length];
        for (int r = 0; r < Rows; r++)
        {
            for (int k = RowStarts[r]; k < RowStarts[r + 1]; k++)
            {
                int slot = next[ColumnIndices[k]]++;
                indices[slot] = r;
                vals[slot] = Values[k];
            }
        }
        return new SparseRows(Columns, Rows, starts, indices, vals);
    }

    /// <summary>y = X·x for a dense vector x of length <see cref="Columns"/>; rows in parallel.</summary>
    public double[] Multiply(double[] x)
    {
        var y = new double[Rows];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current };
        Parallel.For(0, Rows, parallel, r =>
        {
            int start = RowStarts[r], count = RowStarts[r + 1] - start;
            y[r] = DoubleVectorMath.SparseDot(ColumnIndices.AsSpan(start, count), Values.AsSpan(start, count), x);
        });
        return y;
    }

    /// <summary>Y = X·B for a dense row-major B of <see cref="Columns"/> × <paramref name="width"/>; rows in parallel.</summary>
    public double[] Multiply(double[] b, int width)
    {
        var y = new double[(long)Rows * width > Array.MaxLength ? throw new InvalidOperationException("Product too large.") : Rows * width];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current };
        Parallel.For(0, Rows, parallel, r =>
        {
            var target = y.AsSpan(r * width, width);
            for (int k = RowStarts[r]; k < RowStarts[r + 1]; k++)
                DoubleVectorMath.Axpy(Values[k], b.AsSpan(ColumnIndices[k] * width, width), target);
        });
        return y;
    }
}
