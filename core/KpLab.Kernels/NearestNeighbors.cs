namespace KpLab.Kernels;

/// <summary>
/// The k nearest neighbours of each query row: <see cref="Indices"/> and <see cref="Distances"/> hold k entries per
/// row, nearest first; ties are broken by the lower index, so the graph is deterministic.
/// </summary>
public sealed class NeighborGraph
{
    internal NeighborGraph(int rows, int k, int[] indices, float[] distances)
    {
        Rows = rows;
        K = k;
        Indices = indices;
        Distances = distances;
    }

    /// <summary>Number of query rows.</summary>
    public int Rows { get; }

    /// <summary>Neighbours per row.</summary>
    public int K { get; }

    /// <summary>Neighbour indices, <c>Rows × K</c>, row-major.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>Neighbour distances (in the search's measure), <c>Rows × K</c>, row-major, ascending in each row.</summary>
    public IReadOnlyList<float> Distances { get; }

    /// <summary>The neighbour indices of row <paramref name="row"/>, nearest first.</summary>
    public ReadOnlySpan<int> IndicesOf(int row) => ((int[])Indices).AsSpan(row * K, K);

    /// <summary>The neighbour distances of row <paramref name="row"/>, ascending.</summary>
    public ReadOnlySpan<float> DistancesOf(int row) => ((float[])Distances).AsSpan(row * K, K);
}

/// <summary>
/// Exact k-nearest-neighbour search by tiled brute force over <see cref="PairwiseKernel.ForEachTile"/>: memory stays
/// O(tile · m), never n × m. Distances come from the blocked GEMM, and each tile row keeps its k best in a sorted
/// insertion buffer (a candidate not better than the current k-th is rejected with one comparison).
/// </summary>
/// <remarks>
/// A NaN distance (a row containing NaN) counts as +∞: such rows are nobody's neighbour unless fewer than k finite
/// candidates exist, and a NaN query row gets the k lowest indices at distance +∞. The graph does not depend on the
/// thread count.
/// </remarks>
public static class NearestNeighbors
{
    /// <summary>
    /// Finds the k nearest rows of <paramref name="data"/> for each of its own rows.
    /// </summary>
    /// <param name="data">The rows, <c>n × depth</c>.</param>
    /// <param name="depth">Row length.</param>
    /// <param name="k">Neighbours per row, 1 ≤ k ≤ n (or n − 1 when <paramref name="includeSelf"/> is false).</param>
    /// <param name="measure">A distance: <see cref="PairwiseMeasure.Euclidean"/>, <see cref="PairwiseMeasure.SquaredEuclidean"/> or <see cref="PairwiseMeasure.CosineDistance"/>.</param>
    /// <param name="includeSelf">Whether a row counts as its own neighbour (at distance 0), as scikit-learn's
    /// <c>kneighbors(X)</c> on training data and HDBSCAN's core distance do.</param>
    public static NeighborGraph Search(ReadOnlySpan<float> data, int depth, int k, PairwiseMeasure measure, bool includeSelf) =>
        Search(data, depth, k, measure, includeSelf, CancellationToken.None);

    /// <summary><see cref="Search(ReadOnlySpan{float}, int, int, PairwiseMeasure, bool)"/>, stopping between tiles when
    /// <paramref name="cancellationToken"/> is cancelled.</summary>
    public static NeighborGraph Search(ReadOnlySpan<float> data, int depth, int k, PairwiseMeasure measure, bool includeSelf,
        CancellationToken cancellationToken) =>
        SearchCore(data, data, depth, k, measure, includeSelf ? SelfMode.Include : SelfMode.Exclude, cancellationToken);

    /// <summary>Finds, for each row of <paramref name="queries"/>, the k nearest rows of <paramref name="reference"/>.</summary>
    public static NeighborGraph Search(ReadOnlySpan<float> queries, ReadOnlySpan<float> reference, int depth, int k, PairwiseMeasure measure) =>
        SearchCore(queries, reference, depth, k, measure, SelfMode.None, default);

    private enum SelfMode { None, Include, Exclude }

    private static NeighborGraph SearchCore(ReadOnlySpan<float> queries, ReadOnlySpan<float> reference, int depth, int k,
        PairwiseMeasure measure, SelfMode selfMode, CancellationToken cancellationToken)
    {
        if (measure is not (PairwiseMeasure.Euclidean or PairwiseMeasure.SquaredEuclidean or PairwiseMeasure.CosineDistance))
            throw new ArgumentException($"k-nearest neighbours need a distance measure, not {measure}.", nameof(measure));
        int n = MatrixRows.RowCount(queries.Length, depth);
        int m = MatrixRows.RowCount(reference.Length, depth);
        int available = selfMode == SelfMode.Exclude ? m - 1 : m;
        if (k < 1 || k > available)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and {available} for {m} reference rows.");
        var indices = new int[(long)n * k];
        var distances = new float[(long)n * k];
        // Search squared distances (monotone in the Euclidean one) and take roots at the end.
        var searchMeasure = measure == PairwiseMeasure.Euclidean ? PairwiseMeasure.SquaredEuclidean : measure;
        PairwiseKernel.ForEachTileCore(queries, reference, depth, searchMeasure, (r0, rows, tile) =>
        {
            for (int r = 0; r < rows; r++)
            {
                int q = r0 + r;
                var row = tile.Slice(r * m, m);
                var idx = indices.AsSpan(q * k, k);
                var dist = distances.AsSpan(q * k, k);
                int filled = 0;
                for (int j = 0; j < m; j++)
                {
                    float d = row[j];
                    if (selfMode == SelfMode.Exclude && j == q) continue;
                    if (selfMode == SelfMode.Include && j == q) d = 0f;
                    if (float.IsNaN(d)) d = float.PositiveInfinity;
                    if (filled == k && !(d < dist[k - 1])) continue;
                    int pos = filled < k ? filled++ : k - 1;
                    // Insertion keeps ascending order; equal distances keep the earlier (lower) index first.
                    while (pos > 0 && dist[pos - 1] > d)
                    {
                        dist[pos] = dist[pos - 1];
                        idx[pos] = idx[pos - 1];
                        pos--;
                    }
                    dist[pos] = d;
                    idx[pos] = j;
                }
            }
        }, PairwiseKernel.DefaultTileRows, SimdWidths.Best, cancellationToken);
        if (measure == PairwiseMeasure.Euclidean)
            for (long i = 0; i < distances.Length; i++) distances[i] = MathF.Sqrt(distances[i]);
        return new NeighborGraph(n, k, indices, distances);
    }
}
