namespace KpLab.Abstractions;

/// <summary>
/// A fitted model that also gives soft memberships: for each row, how probable it is that the row belongs to each
/// cluster (HDBSCAN: the hdbscan library's soft clustering). Optional, tested for with <c>is ISoftClusterModel</c>; the
/// vectors are computed when asked for, not at every fit, since they cost more than the fit's labels.
/// </summary>
public interface ISoftClusterModel : IClusterModel
{
    /// <summary>
    /// The membership vectors of the rows the model was fitted on, in their order (hdbscan's
    /// <c>all_points_membership_vectors</c>); one column per cluster of <see cref="IClusterModel.Partition"/>.
    /// </summary>
    MembershipVectors AllPointsMembershipVectors(CancellationToken cancellationToken = default);

    /// <summary>The membership vectors of new rows (hdbscan's <c>membership_vector</c>).</summary>
    /// <exception cref="ArgumentException">As <see cref="IClusterModel.Predict"/>.</exception>
    MembershipVectors PredictMembershipVectors(EmbeddingMatrix rows, CancellationToken cancellationToken = default);
}

/// <summary>
/// Soft cluster memberships: one row per data row, one column per cluster label (<see cref="ClusterLabels"/>, ascending),
/// each value in [0, 1]. A row's values sum to at most 1: the rest is the chance that the row is noise.
/// </summary>
public sealed class MembershipVectors
{
    private readonly double[] _values;

    /// <summary>Creates membership vectors from row-major values (a copy is kept).</summary>
    /// <param name="rows">Number of rows.</param>
    /// <param name="clusterLabels">The cluster label of each column, ascending and non-negative.</param>
    /// <param name="values">rows × clusterLabels.Count values, row after row.</param>
    /// <exception cref="ArgumentException">The shape disagrees, the labels are not ascending non-negative, or a value is
    /// outside [0, 1] or NaN (the row and column are named).</exception>
    public MembershipVectors(int rows, IReadOnlyList<int> clusterLabels, ReadOnlySpan<double> values)
    {
        ArgumentNullException.ThrowIfNull(clusterLabels);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        for (int c = 0; c < clusterLabels.Count; c++)
            if (clusterLabels[c] < 0 || (c > 0 && clusterLabels[c] <= clusterLabels[c - 1]))
                throw new ArgumentException($"Membership vectors: the column labels must be ascending and non-negative; column {c} is {clusterLabels[c]}.", nameof(clusterLabels));
        if (values.Length != (long)rows * clusterLabels.Count)
            throw new ArgumentException($"Membership vectors: {values.Length} values for {rows} rows × {clusterLabels.Count} clusters.", nameof(values));
        for (int i = 0; i < values.Length; i++)
            if (!(values[i] >= 0 && values[i] <= 1))
                throw new ArgumentException($"Membership vectors: row {i / clusterLabels.Count}, column {i % clusterLabels.Count} holds {values[i]}, outside [0, 1].", nameof(values));
        Rows = rows;
        ClusterLabels = clusterLabels.ToArray();
        _values = values.ToArray();
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>The cluster label of each column, ascending.</summary>
    public IReadOnlyList<int> ClusterLabels { get; }

    /// <summary>Number of columns (clusters).</summary>
    public int Clusters => ClusterLabels.Count;

    /// <summary>The membership of row <paramref name="row"/> in the cluster of column <paramref name="column"/>.</summary>
    public double this[int row, int column] => _values[Index(row, column)];

    /// <summary>One row's vector, a column per cluster.</summary>
    public ReadOnlySpan<double> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        return _values.AsSpan(row * Clusters, Clusters);
    }

    /// <summary>
    /// The column of the row's largest membership (the first on ties, as numpy's <c>argmax</c>), or -1 when there is no
    /// column. Its label is <c>ClusterLabels[column]</c>.
    /// </summary>
    public int MostLikelyColumn(int row)
    {
        var values = Row(row);
        if (values.Length == 0) return -1;
        int best = 0;
        for (int c = 1; c < values.Length; c++)
            if (values[c] > values[best]) best = c;
        return best;
    }

    /// <summary>All values, row after row (a copy).</summary>
    public double[] ToArray() => (double[])_values.Clone();

    private int Index(int row, int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, Rows);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Clusters);
        return row * Clusters + column;
    }
}
