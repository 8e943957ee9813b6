using KpLab.Kernels;

namespace KpLab.Plugins.KMeans;

/// <summary>
/// The rows k-means works on: a private float32 copy, centred on the column means (as scikit-learn does, which keeps
/// |x|² − 2x·c + |c|² accurate) or, for spherical k-means, scaled to unit length and not centred.
/// </summary>
internal sealed class KMeansData
{
    private KMeansData(float[] values, int rows, int columns, float[]? offset, bool spherical)
    {
        Values = values;
        Rows = rows;
        Columns = columns;
        Offset = offset;
        Spherical = spherical;
        SquaredNorms = new float[rows];
        MatrixRows.SquaredNorms(values, columns, SquaredNorms);
    }

    public float[] Values { get; }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>What was subtracted from every row (the column means), or null when nothing was.</summary>
    public float[]? Offset { get; }

    public bool Spherical { get; }

    public float[] SquaredNorms { get; }

    public ReadOnlySpan<float> Row(int i) => Values.AsSpan(i * Columns, Columns);

    /// <summary>Prepares <paramref name="values"/> (n × d, copied).</summary>
    public static KMeansData Create(ReadOnlySpan<float> values, int rows, int columns, bool spherical)
    {
        var copy = values.ToArray();
        if (spherical)
        {
            MatrixRows.NormalizeRows(copy, columns);
            return new KMeansData(copy, rows, columns, null, spherical: true);
        }
        var mean = new float[columns];
        MatrixRows.ColumnMeans(copy, columns, mean);
        for (int i = 0; i < rows; i++) VectorMath.Axpy(-1f, mean, copy.AsSpan(i * columns, columns));
        return new KMeansData(copy, rows, columns, mean, spherical: false);
    }

    /// <summary>The rows as given, neither centred nor normalised (benchmarks that must match a peer's exact work).</summary>
    public static KMeansData CreateUncentred(ReadOnlySpan<float> values, int rows, int columns) =>
        new(values.ToArray(), rows, columns, new float[columns], spherical: false);

    /// <summary>Maps centres given in the caller's coordinates into this data's (subtract the offset or normalise).</summary>
    public float[] ToWorkingSpace(ReadOnlySpan<float> centres)
    {
        var result = centres.ToArray();
        for (int j = 0; j < result.Length / Columns; j++)
        {
            var row = result.AsSpan(j * Columns, Columns);
            if (Offset is not null) VectorMath.Axpy(-1f, Offset, row);
            else VectorMath.L2Normalize(row);
        }
        return result;
    }

    /// <summary>Maps centres back into the caller's coordinates.</summary>
    public float[] ToCallerSpace(ReadOnlySpan<float> centres)
    {
        var result = centres.ToArray();
        if (Offset is not null)
            for (int j = 0; j < result.Length / Columns; j++) VectorMath.Add(Offset, result.AsSpan(j * Columns, Columns));
        return result;
    }

    /// <summary>
    /// The variance-scaled tolerance scikit-learn uses: <paramref name="tol"/> times the mean per-feature variance.
    /// </summary>
    public double AbsoluteTolerance(double tol)
    {
        if (tol == 0) return 0;
        // Offset is the mean, so the working rows are centred (spherical rows are not; centre them here).
        var mean = new float[Columns];
        if (Spherical) MatrixRows.ColumnMeans(Values, Columns, mean);
        double total = 0;
        var diff = new float[Columns];
        for (int i = 0; i < Rows; i++)
        {
            if (Spherical)
            {
                Row(i).CopyTo(diff);
                VectorMath.Axpy(-1f, mean, diff);
                total += VectorMath.Dot(diff, diff);
            }
            else total += SquaredNorms[i];
        }
        return total / Rows / Columns * tol;
    }
}
