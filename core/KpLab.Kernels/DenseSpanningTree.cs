using System.Runtime.CompilerServices;
namespace KpLab.Kernels;

/// <summary>
/// A minimum spanning tree as its n − 1 edges in the order Prim's algorithm added them: edge e joins
/// <see cref="From"/>[e] (already in the tree) to <see cref="To"/>[e] at weight <see cref="Weights"/>[e].
/// </summary>
public sealed class SpanningTree
{
    internal SpanningTree(int[] from, int[] to, double[] weights)
    {
        From = from;
        To = to;
        Weights = weights;
    }

    /// <summary>The tree-side end of each edge.</summary>
    public IReadOnlyList<int> From { get; }

    /// <summary>The row each edge brought into the tree.</summary>
    public IReadOnlyList<int> To { get; }

    /// <summary>Each edge's weight.</summary>
    public IReadOnlyList<double> Weights { get; }
}

/// <summary>
/// Prim's minimum spanning tree of the complete graph over the rows of a matrix, with exact double distances
/// (<see cref="ExactDistances"/>): through <see cref="GramDistanceBounds"/> (4·n² bytes) up to n = 23,170, where only
/// the pairs its bounds cannot decide are measured exactly, and computed on the fly (O(n) memory) above that.
/// Optionally the edge weights are mutual reachability distances max(d(a, b), core(a), core(b)), which makes it
/// HDBSCAN's tree; without core
/// distances it is the single-linkage tree, identical to SciPy's <c>mst_single_linkage</c> (start at row 0; among
/// equal candidates the lowest row index wins, independent of the thread count).
/// A general primitive of the kernel, not one algorithm's helper: any graph method over the complete distance graph of
/// the rows (single linkage, HDBSCAN, minimum-spanning-tree clustering) builds on it.
/// </summary>
public static class DenseSpanningTree
{
    // Below this many remaining rows a step is not worth splitting across threads.
    private const int ParallelThreshold = 1024;
    // Up to this many float32 Gram entries (2 GiB) Prim searches through GramDistanceBounds; beyond it, it measures
    // every pair on the fly.
    private const long GramLimit = 1L << 29;

    /// <summary>Builds the tree.</summary>
    /// <param name="data">Row-major rows, n × <paramref name="depth"/>, n ≥ 1.</param>
    /// <param name="depth">Row length.</param>
    /// <param name="measure">Euclidean, SquaredEuclidean or CosineDistance (cosine needs non-zero rows).</param>
    /// <param name="coreDistances">Per-row core distances for mutual reachability, or empty for plain distances.</param>
    /// <param name="cancellationToken">Stops the build between steps.</param>
    /// <exception cref="ArgumentException">Shapes disagree or the measure is unsupported.</exception>
    public static unsafe SpanningTree Prim(ReadOnlySpan<float> data, int depth, PairwiseMeasure measure,
        ReadOnlySpan<double> coreDistances = default, CancellationToken cancellationToken = default)
    {
        cancellationToken = KernelParallelism.Or(cancellationToken);
        int n = MatrixRows.RowCount(data.Length, depth);
        if (!coreDistances.IsEmpty && coreDistances.Length != n)
            throw new ArgumentException($"{coreDistances.Length} core distances for {n} rows.", nameof(coreDistances));
        if (measure is not (PairwiseMeasure.Euclidean or PairwiseMeasure.SquaredEuclidean or PairwiseMeasure.CosineDistance))
            throw new ArgumentException($"Prim's tree needs a distance measure, not {measure}.", nameof(measure));
        var from = new int[Math.Max(0, n - 1)];
        var to = new int[from.Length];
        var weights = new double[from.Length];
        if (n <= 1) return new SpanningTree(from, to, weights);

        if ((long)n * n <= GramLimit) return Prim(GramDistanceBounds.Compute(data, depth, measure), coreDistances, cancellationToken);
        double[] core = coreDistances.IsEmpty ? [] : coreDistances.ToArray();
        double[] norms = measure == PairwiseMeasure.CosineDistance ? ExactDistances.Norms(data, depth) : [];
        var best = new double[n];       // distance of each outside row to the tree
        var bestFrom = new int[n];      // the tree row that distance is to
        Array.Fill(best, double.PositiveInfinity);
        var remaining = new int[n - 1]; // rows outside the tree (order irrelevant: ties go by row index)
        for (int i = 0; i < remaining.Length; i++) remaining[i] = i + 1;
        int remainingCount = remaining.Length;
        int threads = KernelParallelism.Current;

        fixed (float* p = data)
        {
            nint basePtr = (nint)p;
            int x = 0;
            for (int e = 0; e < n - 1; e++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int chunks = remainingCount >= ParallelThreshold ? Math.Min(threads, remainingCount / (ParallelThreshold / 2)) : 1;
                var minPos = new int[chunks];
                int current = x, count = remainingCount;
                void Step(int c)
                {
                    var all = new ReadOnlySpan<float>((void*)basePtr, n * depth);
                    int start = (int)((long)count * c / chunks), end = (int)((long)count * (c + 1) / chunks);
                    double coreX = core.Length > 0 ? core[current] : 0;
                    var xs = all.Slice(current * depth, depth);
                    double bestValue = double.PositiveInfinity;
                    int bestPos = -1;
                    for (int q = start; q < end; q++)
                    {
                        int i = remaining[q];
                        var ys = all.Slice(i * depth, depth);
                        double d = measure switch
                        {
                            PairwiseMeasure.SquaredEuclidean => ExactDistances.SquaredEuclidean(xs, ys),
                            PairwiseMeasure.Euclidean => Math.Sqrt(ExactDistances.SquaredEuclidean(xs, ys)),
                            _ => ExactDistances.CosineDistance(ExactDistances.Dot(xs, ys), norms[current], norms[i]),
                        };
                        if (core.Length > 0) d = Math.Max(d, Math.Max(coreX, core[i]));
                        if (d < best[i])
                        {
                            best[i] = d;
                            bestFrom[i] = current;
                        }
                        double b = best[i];
                        if (bestPos < 0 || b < bestValue || (b == bestValue && i < remaining[bestPos]))
                        {
                            bestValue = b;
                            bestPos = q;
                        }
                    }
                    minPos[c] = bestPos;
                }
                if (chunks == 1) Step(0);
                else Parallel.For(0, chunks, KernelParallelism.Options(), Step);

                int pos = minPos[0];
                for (int c = 1; c < chunks; c++)
                {
                    int candidate = minPos[c];
                    double v = best[remaining[candidate]], cur = best[remaining[pos]];
                    if (v < cur || (v == cur && remaining[candidate] < remaining[pos])) pos = candidate;
                }
                int y = remaining[pos];
                from[e] = bestFrom[y];
                to[e] = y;
                weights[e] = best[y];
                remaining[pos] = remaining[--remainingCount];
                x = y;
            }
        }
        return new SpanningTree(from, to, weights);
    }
    /// <summary>
    /// Builds the tree with the same steps, weights and tie-breaks as measuring every pair, measuring exactly only the
    /// pairs whose bounds cannot decide the step: a pair surely closer than both core distances has mutual reachability
    /// max(core) without its distance, and a pair surely farther than the row's best value changes nothing. Each step
    /// is one sequential scan over the rows outside the tree.
    /// </summary>
    /// <param name="distances">Bounds and exact distances of the rows.</param>
    /// <param name="coreDistances">Per-row core distances for mutual reachability, or empty for plain distances.</param>
    /// <param name="cancellationToken">Stops the build between steps.</param>
    /// <exception cref="ArgumentException">The core distances do not match the rows.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SpanningTree Prim(GramDistanceBounds distances, ReadOnlySpan<double> coreDistances,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(distances);
        cancellationToken = KernelParallelism.Or(cancellationToken);
        int n = distances.Size;
        if (!coreDistances.IsEmpty && coreDistances.Length != n)
            throw new ArgumentException($"{coreDistances.Length} core distances for {n} rows.", nameof(coreDistances));
        var from = new int[Math.Max(0, n - 1)];
        var to = new int[from.Length];
        var weights = new double[from.Length];
        if (n <= 1) return new SpanningTree(from, to, weights);
        double[] core = coreDistances.IsEmpty ? [] : coreDistances.ToArray();
        bool reachability = core.Length > 0;
        var best = new double[n];
        var bestFrom = new int[n];
        Array.Fill(best, double.PositiveInfinity);
        var remaining = new int[n - 1];
        for (int i = 0; i < remaining.Length; i++) remaining[i] = i + 1;
        int remainingCount = remaining.Length;
        int x = 0;
        for (int e = 0; e < n - 1; e++)
        {
            if ((e & 63) == 0) cancellationToken.ThrowIfCancellationRequested();
            double coreX = reachability ? core[x] : 0;
            double bestValue = double.PositiveInfinity;
            int bestPos = -1;
            for (int q = 0; q < remainingCount; q++)
            {
                int i = remaining[q];
                double b = best[i];
                double c = reachability ? Math.Max(coreX, core[i]) : 0;
                // Mutual reachability is at least c, so once c reaches the best value nothing can improve it.
                if (!(reachability && c >= b))
                {
                    distances.Bounds(x, i, out double low, out double high);
                    double m;
                    if (reachability && high <= distances.ToSearchUnits(c)) m = c;
                    else if (low > distances.ToSearchUnits(b)) m = double.PositiveInfinity;
                    else
                    {
                        double d = distances.Exact(x, i);
                        m = reachability ? Math.Max(d, c) : d;
                    }
                    if (m < b)
                    {
                        best[i] = b = m;
                        bestFrom[i] = x;
                    }
                }
                if (bestPos < 0 || b < bestValue || (b == bestValue && i < remaining[bestPos]))
                {
                    bestValue = b;
                    bestPos = q;
                }
            }
            int y = remaining[bestPos];
            from[e] = bestFrom[y];
            to[e] = y;
            weights[e] = best[y];
            remaining[bestPos] = remaining[--remainingCount];
            x = y;
        }
        return new SpanningTree(from, to, weights);
    }
}
