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
/// (<see cref="ExactDistances"/>) computed on the fly: O(n²) time, O(n) memory. Optionally the edge weights are
/// mutual reachability distances max(d(a, b), core(a), core(b)), which makes it HDBSCAN's tree; without core
/// distances it is the single-linkage tree, identical to SciPy's <c>mst_single_linkage</c> (start at row 0; among
/// equal candidates the lowest row index wins, independent of the thread count).
/// </summary>
public static class DenseSpanningTree
{
    // Below this many remaining rows a step is not worth splitting across threads.
    private const int ParallelThreshold = 1024;

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
        int n = MatrixRows.RowCount(data.Length, depth);
        if (!coreDistances.IsEmpty && coreDistances.Length != n)
            throw new ArgumentException($"{coreDistances.Length} core distances for {n} rows.", nameof(coreDistances));
        if (measure is not (PairwiseMeasure.Euclidean or PairwiseMeasure.SquaredEuclidean or PairwiseMeasure.CosineDistance))
            throw new ArgumentException($"Prim's tree needs a distance measure, not {measure}.", nameof(measure));
        var from = new int[Math.Max(0, n - 1)];
        var to = new int[from.Length];
        var weights = new double[from.Length];
        if (n <= 1) return new SpanningTree(from, to, weights);

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
}
