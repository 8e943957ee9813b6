using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.Hdbscan;

/// <summary>
/// Core distances and the mutual reachability spanning tree of many rows in O(n·(d + k)) memory, with the same core
/// distances, edges, weights and edge order as Prim's algorithm over every pair (<see cref="DenseSpanningTree"/>), at
/// two symmetric passes of float32 GEMM tiles over the rows:
/// <list type="number">
/// <item>Exact kNN. Column blocks of the rows against all earlier rows; each pair is seen once and offered to both rows'
/// lists of the k − 1 + margin nearest. The float32 dot product errs by at most γ_d·|a||b| (Higham §3.1, as in
/// <see cref="GramDistanceBounds"/>), so every row whose list provably holds all rows within its core distance gets its
/// core distance from exact double distances of its list; the few rows the bound cannot settle are searched again with
/// bounds, exactly.</item>
/// <item>A minimum spanning tree. Borůvka rounds over the listed edges (mutual reachability in double), ordered by
/// (weight, lower row, higher row), while each component's cheapest listed edge is provably cheaper than any unlisted one
/// (an unlisted pair is farther apart than the bound on its rows' lists); then one pass over all pairs gives the exact
/// cheapest edge between every two remaining components (bounds, with exact distances where they cannot decide), and
/// Kruskal joins the components.</item>
/// <item>Prim's order. Prim's algorithm from row 0 (ties to the lowest row, as <see cref="DenseSpanningTree"/>) over
/// the listed edges plus that tree. Every cut Prim meets is crossed by a tree edge of the minimum weight, and every edge
/// tied at a core distance joins rows within that core distance, which the lists hold; so where pairwise distances are
/// distinct, Prim here takes the same steps as over every pair. (With duplicate rows, ties between distances may be
/// broken differently, as they are between any two implementations.)</item>
/// </list>
/// Where the components left after Borůvka are too many for a table of their pairs within the memory budget, Prim runs
/// over every pair on the fly instead (<see cref="DenseSpanningTree"/>, O(n) memory).
/// </summary>
internal static class BlockedReachabilityTree
{
    /// <summary>Columns per block: a 256 × 2,048 float32 tile (2 MB) stays in cache, and cancellation waits for at
    /// most one block's GEMM.</summary>
    internal const int BlockColumns = 2048;
    private const int TileRows = 256;
    // Extra neighbours beyond the core distance's k − 1: they let the bound prove most rows' lists and let Borůvka's
    // listed edges join most of the tree before the all-pairs pass.
    internal const int ListMargin = 16;

    /// <summary>The result: per-row core distances and the tree's edges in Prim's order.</summary>
    internal sealed record Result(double[] Core, int[] From, int[] To, double[] Weights);

    /// <summary>Estimated peak bytes besides the input, before the all-pairs pass: lists, bounds, Prim's graph and the
    /// GEMM tiles. The pass adds a sorted copy of the rows and one table of component pairs per thread, checked against
    /// the budget once the number of components is known.</summary>
    internal static long PeakBytes(int n, int depth, int minSamples, int threads)
    {
        long list = Math.Min(n, minSamples - 1 + ListMargin), width = Math.Min(n, BlockColumns);
        return n * list * 40 + 200L * n + threads * (4L * Math.Min(n, TileRows) * width + 4L * width * depth + 12L * width * list);
    }

    private static long ComponentTableBytes(long components, int threads) => components * components * 40L * threads;

    internal static Result Build(float[] values, int offset, int n, int depth, PairwiseMeasure measure, int k,
        MemoryBudget budget, Action<string, double> report, CancellationToken cancellationToken)
    {
        var rows = new RowGeometry(values, offset, n, depth, measure);
        report("core distances", 0);
        var lists = NeighbourLists.Search(rows, k, report, cancellationToken);
        report("spanning tree", 0);
        var tree = ForestFromLists(rows, lists, out var parent);
        int components = 0;
        for (int i = 0; i < n; i++) if (Root(parent, i) == i) components++;
        if (components > 1)
        {
            long tableBytes = ComponentTableBytes(components, KernelParallelism.Current) + 4L * n * depth;
            if (tableBytes + PeakBytes(n, depth, k, KernelParallelism.Current) > budget.Bytes)
            {
                // Too many components for a table of their pairs: Prim over every pair, measured on the fly (O(n)
                // memory, n sequential steps), which is the reference itself.
                var prim = DenseSpanningTree.Prim(rows.Rows(0, n), depth, measure, lists.Core, cancellationToken);
                return new Result(lists.Core, [.. prim.From], [.. prim.To], [.. prim.Weights]);
            }
            JoinComponents(rows, lists, parent, components, tree, report, cancellationToken);
        }
        report("spanning tree", 0.9);
        cancellationToken.ThrowIfCancellationRequested();
        return PrimOrder(rows.Count, lists, tree);
    }

    private static int Root(int[] parent, int x)
    {
        while (parent[x] != x) x = parent[x] = parent[parent[x]];
        return x;
    }

    /// <summary>The rows with their exact norms and the bound on float32 dot products.</summary>
    internal sealed class RowGeometry
    {
        public RowGeometry(float[] values, int offset, int n, int depth, PairwiseMeasure measure)
        {
            Values = values;
            Offset = offset;
            Count = n;
            Depth = depth;
            Measure = measure;
            Squares = new double[n];
            Norms = new double[n];
            for (int i = 0; i < n; i++)
            {
                var row = Row(i);
                Squares[i] = ExactDistances.Dot(row, row);
                Norms[i] = Math.Sqrt(Squares[i]);
                MaxNorm = Math.Max(MaxNorm, Norms[i]);
            }
            double unit = Math.ScaleB(1.0, -24);
            Gamma = 2 * depth * unit / (1 - depth * unit);
            Cosine = measure == PairwiseMeasure.CosineDistance;
            SquaresF = Array.ConvertAll(Squares, x => (float)x);
            InverseNormsF = Array.ConvertAll(Norms, x => (float)(1.0 / x));
        }

        private float[] SquaresF { get; }
        private float[] InverseNormsF { get; }

        /// <summary>Approximate distances (search units) in float32 from row i to rows [j0, j0 + dots.Length): within
        /// <see cref="Slack"/> + <see cref="FloatSlack"/> of the exact ones.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void FillApprox(int i, int j0, ReadOnlySpan<float> dots, Span<float> output)
        {
            int width = dots.Length, c = 0;
            var square = SquaresF.AsSpan(j0, width);
            var inverse = InverseNormsF.AsSpan(j0, width);
            if (Cosine)
            {
                float invI = InverseNormsF[i];
                var vInvI = new Vector<float>(invI);
                for (; c <= width - Vector<float>.Count; c += Vector<float>.Count)
                    (Vector<float>.One - new Vector<float>(dots[c..]) * vInvI * new Vector<float>(inverse[c..])).CopyTo(output[c..]);
                for (; c < width; c++) output[c] = 1f - dots[c] * invI * inverse[c];
            }
            else
            {
                float squareI = SquaresF[i];
                var vSquareI = new Vector<float>(squareI);
                var minusTwo = new Vector<float>(-2f);
                for (; c <= width - Vector<float>.Count; c += Vector<float>.Count)
                    (vSquareI + new Vector<float>(square[c..]) + minusTwo * new Vector<float>(dots[c..])).CopyTo(output[c..]);
                for (; c < width; c++) output[c] = squareI + square[c] - 2f * dots[c];
            }
        }

        /// <summary>A bound on the float32 rounding of <see cref="FillApprox"/> beyond <see cref="Slack"/>: the squares,
        /// reciprocal norms and the few operations each entry takes, each within u = 2⁻²⁴ relative.</summary>
        public double FloatSlack(int i) => 8 * Math.ScaleB(1.0, -24) * (Cosine ? 2 : Squares[i] + MaxNorm * MaxNorm);

        public float[] Values { get; }
        public int Offset { get; }
        public int Count { get; }
        public int Depth { get; }
        public PairwiseMeasure Measure { get; }
        public bool Cosine { get; }
        public double[] Squares { get; }
        public double[] Norms { get; }
        public double MaxNorm { get; }
        public double Gamma { get; }

        public ReadOnlySpan<float> Row(int i) => Values.AsSpan(Offset + i * Depth, Depth);

        public ReadOnlySpan<float> Rows(int start, int count) => Values.AsSpan(Offset + start * Depth, count * Depth);

        /// <summary>The exact distance, as <see cref="DenseSpanningTree"/> measures it.</summary>
        public double Exact(int i, int j) =>
            ExactDistances.Between(Values.AsSpan(Offset, Count * Depth), Depth, i, j, Measure, Norms);

        /// <summary>A distance in search units: squared for Euclidean, itself for cosine.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double ToSearch(double distance) => Cosine ? distance : distance * distance;

        /// <summary>The approximate distance (search units) from a float32 dot product.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Approx(int i, int j, float dot) =>
            Cosine ? 1.0 - dot / (Norms[i] * Norms[j]) : Squares[i] + Squares[j] - 2.0 * dot;

        /// <summary>The bound on |approx − exact| (search units) for rows i and j.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public double Slack(int i, int j) =>
            Cosine ? Gamma + 1e-12 : 2 * Gamma * Norms[i] * Norms[j] + 1e-12 * (Squares[i] + Squares[j]);

        /// <summary>A bound on <see cref="Slack"/> from row i to any row.</summary>
        public double MaxSlack(int i) =>
            Cosine ? Gamma + 1e-12 : 2 * Gamma * Norms[i] * MaxNorm + 1e-12 * (Squares[i] + MaxNorm * MaxNorm);

        /// <summary>Calls <paramref name="action"/> with every tile of float32 dot products of rows [0, j1) against a
        /// column block [j0, j1), block by block, so each unordered pair (i &lt; j) is in exactly one tile.</summary>
        public void ForEachBlock(Action<int, int, int, int, ReadOnlySpan<float>> action, Action<int>? afterBlock,
            CancellationToken cancellationToken)
        {
            for (int j0 = 0; j0 < Count; j0 += BlockColumns)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int j1 = Math.Min(Count, j0 + BlockColumns), width = j1 - j0;
                // Tiles of a cancelled run skip their work, so the block ends after its GEMM.
                PairwiseKernel.ForEachTile(Rows(0, j1), Rows(j0, width), Depth, PairwiseMeasure.Dot,
                    (r0, rowCount, tile) =>
                    {
                        if (!cancellationToken.IsCancellationRequested) action(r0, rowCount, j0, width, tile);
                    }, TileRows);
                afterBlock?.Invoke(j0);
            }
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Each row's listed neighbours (exact distances, ascending) and a lower bound, in search units, on its
    /// distance to every unlisted row.</summary>
    internal sealed class NeighbourLists
    {
        private NeighbourLists(int[][] indices, double[][] distances, double[] unlistedBound, double[] core)
        {
            Indices = indices;
            Distances = distances;
            UnlistedBound = unlistedBound;
            Core = core;
        }

        public int[][] Indices { get; }
        public double[][] Distances { get; }
        public double[] UnlistedBound { get; }
        public double[] Core { get; }

        public static NeighbourLists Search(RowGeometry rows, int k, Action<string, double> report, CancellationToken cancellationToken)
        {
            int n = rows.Count;
            int size = Math.Min(n - 1, k - 1 + ListMargin);
            var approx = new float[(long)n * size];
            var index = new int[(long)n * size];
            var filled = new int[n];
            var pool = new ConcurrentBag<ColumnLists>();
            var used = new ConcurrentQueue<ColumnLists>();
            int blocks = (n + BlockColumns - 1) / BlockColumns, done = 0;
            if (size > 0)
                rows.ForEachBlock((r0, rowCount, j0, width, tile) =>
                {
                    if (!pool.TryTake(out var columns)) columns = new ColumnLists(BlockColumns, size);
                    if (columns.Reset(j0, width)) used.Enqueue(columns);
                    var scratch = columns.Scratch.AsSpan(0, width);
                    for (int r = 0; r < rowCount; r++)
                    {
                        int i = r0 + r;
                        rows.FillApprox(i, j0, tile.Slice(r * width, width), scratch);
                        int first = Math.Max(0, i + 1 - j0);
                        filled[i] = ScanRow(scratch, first, j0, i, approx.AsSpan(i * size, size), index.AsSpan(i * size, size), filled[i], columns);
                    }
                    pool.Add(columns);
                }, j0 =>
                {
                    // The column side of each pair, gathered per thread, joins the rows' lists between blocks.
                    while (used.TryDequeue(out var columns)) columns.MergeInto(approx, index, filled, size);
                    report("core distances", 0.8 * ++done / blocks);
                }, cancellationToken);
            return Finish(rows, k, size, approx, index, filled, cancellationToken);
        }

        /// <summary>Offers the pairs of row i with the block's columns from <paramref name="first"/> on to both lists;
        /// returns row i's new list length.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int ScanRow(ReadOnlySpan<float> scratch, int first, int j0, int i, Span<float> rowApprox, Span<int> rowIndex,
            int count, ColumnLists columns)
        {
            int size = rowApprox.Length, width = scratch.Length, c = first;
            float threshold = count == size ? rowApprox[size - 1] : float.PositiveInfinity;
            var columnThreshold = columns.Threshold;
            // Most pairs are farther than both rows' current last entry: rejected a vector at a time.
            for (; c <= width - Vector<float>.Count; c += Vector<float>.Count)
            {
                var a = new Vector<float>(scratch[c..]);
                if (!Vector.LessThanAny(a, new Vector<float>(threshold)) && !Vector.LessThanAny(a, new Vector<float>(columnThreshold, c)))
                    continue;
                for (int lane = c; lane < c + Vector<float>.Count; lane++) Offer(scratch[lane], lane, rowApprox, rowIndex);
            }
            for (; c < width; c++) Offer(scratch[c], c, rowApprox, rowIndex);
            return count;

            void Offer(float a, int column, Span<float> rowApprox, Span<int> rowIndex)
            {
                if (a < threshold)
                {
                    count = Insert(rowApprox, rowIndex, count, a, j0 + column);
                    if (count == size) threshold = rowApprox[size - 1];
                }
                columns.Offer(column, a, i);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Insert(Span<float> approx, Span<int> index, int count, float a, int j)
        {
            int size = approx.Length;
            int pos = count < size ? count++ : size - 1;
            while (pos > 0 && approx[pos - 1] > a)
            {
                approx[pos] = approx[pos - 1];
                index[pos] = index[pos - 1];
                pos--;
            }
            approx[pos] = a;
            index[pos] = j;
            return count;
        }

        /// <summary>One thread's lists for the column rows of one block, with each list's admission threshold.</summary>
        private sealed class ColumnLists(int columns, int size)
        {
            private readonly float[] _approx = new float[columns * size];
            private readonly int[] _index = new int[columns * size];
            private readonly int[] _filled = new int[columns];
            private int _j0 = -1, _width;

            public float[] Threshold { get; } = new float[columns + Vector<float>.Count];

            public float[] Scratch { get; } = new float[columns];

            /// <summary>Starts collecting for a block; true when this is the instance's first tile of the block.</summary>
            public bool Reset(int j0, int width)
            {
                if (_j0 == j0) return false;
                _j0 = j0;
                _width = width;
                Array.Clear(_filled);
                Array.Fill(Threshold, float.PositiveInfinity);
                return true;
            }

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public void Offer(int c, float a, int i)
            {
                if (!(a < Threshold[c])) return;
                var list = _approx.AsSpan(c * size, size);
                int count = _filled[c] = Insert(list, _index.AsSpan(c * size, size), _filled[c], a, i);
                if (count == size) Threshold[c] = list[size - 1];
            }

            public void MergeInto(float[] approx, int[] index, int[] filled, int size)
            {
                for (int c = 0; c < _width; c++)
                {
                    int j = _j0 + c, count = filled[j];
                    var rowApprox = approx.AsSpan(j * size, size);
                    var rowIndex = index.AsSpan(j * size, size);
                    for (int t = 0; t < _filled[c]; t++)
                    {
                        float a = _approx[c * size + t];
                        if (count == size && !(a < rowApprox[size - 1])) break;
                        count = Insert(rowApprox, rowIndex, count, a, _index[c * size + t]);
                    }
                    filled[j] = count;
                }
                _width = 0;
                _j0 = -1;
            }
        }

        /// <summary>Exact distances for each list; the core distance where the bound proves the list holds every row
        /// within it, else an exact bounded search of that row.</summary>
        private static NeighbourLists Finish(RowGeometry rows, int k, int size, float[] approx, int[] index, int[] filled,
            CancellationToken cancellationToken)
        {
            int n = rows.Count;
            var indices = new int[n][];
            var distances = new double[n][];
            var bound = new double[n];
            var core = new double[n];
            var unsettled = new ConcurrentBag<int>();
            var options = new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current, CancellationToken = cancellationToken };
            Parallel.For(0, n, options, i =>
            {
                int count = filled[i];
                var idx = index.AsSpan(i * size, count).ToArray();
                var exact = new double[count];
                for (int t = 0; t < count; t++) exact[t] = rows.Exact(i, idx[t]);
                Array.Sort(exact, idx);
                indices[i] = idx;
                distances[i] = exact;
                // Every unlisted row's approximate distance is at least the list's last one.
                bound[i] = count == n - 1 ? double.PositiveInfinity : approx[i * size + size - 1] - rows.MaxSlack(i) - rows.FloatSlack(i);
                core[i] = k == 1 ? 0.0 : exact[k - 2];
                if (!(rows.ToSearch(core[i]) < bound[i])) unsettled.Add(i);
            });
            if (!unsettled.IsEmpty) SearchExactly(rows, k, [.. unsettled.Order()], indices, distances, bound, core, cancellationToken);
            return new NeighbourLists(indices, distances, bound, core);
        }

        /// <summary>For rows the list bound cannot settle: every row whose lower bound is within the (k − 1)-th smallest
        /// upper bound is measured exactly and listed; all others are provably farther than that bound.</summary>
        private static void SearchExactly(RowGeometry rows, int k, int[] targets, int[][] indices, double[][] distances,
            double[] bound, double[] core, CancellationToken cancellationToken)
        {
            int n = rows.Count, depth = rows.Depth;
            const int Chunk = 256;
            for (int start = 0; start < targets.Length; start += Chunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = Math.Min(Chunk, targets.Length - start);
                var gathered = new float[count * depth];
                for (int t = 0; t < count; t++) rows.Row(targets[start + t]).CopyTo(gathered.AsSpan(t * depth, depth));
                PairwiseKernel.ForEachTile(gathered, rows.Rows(0, n), depth, PairwiseMeasure.Dot, (r0, rowCount, tile) =>
                {
                    var highs = new double[Math.Max(1, k - 1)];
                    for (int r = 0; r < rowCount; r++)
                    {
                        int i = targets[start + r0 + r];
                        var dots = tile.Slice(r * n, n);
                        Array.Fill(highs, double.PositiveInfinity);
                        for (int j = 0; j < n; j++)
                        {
                            if (j == i) continue;
                            double h = rows.Approx(i, j, dots[j]) + rows.Slack(i, j);
                            if (!(h < highs[^1])) continue;
                            int p = highs.Length - 1;
                            while (p > 0 && highs[p - 1] > h) { highs[p] = highs[p - 1]; p--; }
                            highs[p] = h;
                        }
                        double threshold = highs[^1];
                        var listed = new List<(double Distance, int Row)>();
                        for (int j = 0; j < n; j++)
                            if (j != i && rows.Approx(i, j, dots[j]) - rows.Slack(i, j) <= threshold)
                                listed.Add((rows.Exact(i, j), j));
                        listed.Sort();
                        indices[i] = listed.Select(x => x.Row).ToArray();
                        distances[i] = listed.Select(x => x.Distance).ToArray();
                        core[i] = k == 1 ? 0.0 : distances[i][k - 2];
                        bound[i] = threshold;
                    }
                }, Chunk);
            }
        }
    }

    /// <summary>Borůvka over the listed edges while each component's cheapest listed edge is provably its cheapest edge.</summary>
    private static List<(int From, int To, double Weight)> ForestFromLists(RowGeometry rows, NeighbourLists lists, out int[] parent)
    {
        int n = rows.Count;
        parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        var tree = new List<(int, int, double)>();
        var core = lists.Core;
        var root = new int[n];
        var minBound = new double[n];
        var bestWeight = new double[n];
        var bestLow = new int[n];
        var bestHigh = new int[n];
        while (true)
        {
            for (int i = 0; i < n; i++)
            {
                root[i] = Root(parent, i);
                minBound[i] = double.PositiveInfinity;
                bestWeight[i] = double.PositiveInfinity;
            }
            for (int i = 0; i < n; i++) minBound[root[i]] = Math.Min(minBound[root[i]], lists.UnlistedBound[i]);
            for (int i = 0; i < n; i++)
            {
                int a = root[i];
                var idx = lists.Indices[i];
                var dist = lists.Distances[i];
                for (int t = 0; t < idx.Length; t++)
                {
                    int j = idx[t], b = root[j];
                    if (a == b) continue;
                    double w = Math.Max(dist[t], Math.Max(core[i], core[j]));
                    int lo = Math.Min(i, j), hi = Math.Max(i, j);
                    Offer(a, w, lo, hi);
                    Offer(b, w, lo, hi);
                }
            }
            int added = 0;
            for (int c = 0; c < n; c++)
            {
                if (root[c] != c || !double.IsFinite(bestWeight[c])) continue;
                // An unlisted edge leaving the component is longer than the smallest bound of its rows.
                if (!(rows.ToSearch(bestWeight[c]) < minBound[c])) continue;
                int a = Root(parent, bestLow[c]), b = Root(parent, bestHigh[c]);
                if (a == b) continue; // the other component chose the same edge
                parent[Math.Max(a, b)] = Math.Min(a, b);
                tree.Add((bestLow[c], bestHigh[c], bestWeight[c]));
                added++;
            }
            if (added == 0 || tree.Count == n - 1) return tree;
        }

        void Offer(int c, double w, int lo, int hi)
        {
            double current = bestWeight[c];
            if (w < current || (w == current && (lo < bestLow[c] || (lo == bestLow[c] && hi < bestHigh[c]))))
            {
                bestWeight[c] = w;
                bestLow[c] = lo;
                bestHigh[c] = hi;
            }
        }
    }

    /// <summary>The cheapest edges between remaining components, per thread: min upper bound with its pair, and the two
    /// smallest lower bounds with the pair of the smallest, all in search units of mutual reachability.</summary>
    private sealed class ComponentTable
    {
        public ComponentTable(int m, int columns)
        {
            Scratch = new float[columns];
            long cells = (long)m * m;
            MinHigh = new double[cells];
            HighPair = new long[cells];
            Low1 = new double[cells];
            Low1Pair = new long[cells];
            Low2 = new double[cells];
            Array.Fill(MinHigh, double.PositiveInfinity);
            Array.Fill(Low1, double.PositiveInfinity);
            Array.Fill(Low2, double.PositiveInfinity);
        }

        public float[] Scratch { get; }
        public double[] MinHigh { get; }
        public long[] HighPair { get; }
        public double[] Low1 { get; }
        public long[] Low1Pair { get; }
        public double[] Low2 { get; }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Offer(long cell, double low, double high, long pair)
        {
            if (high < MinHigh[cell])
            {
                MinHigh[cell] = high;
                HighPair[cell] = pair;
            }
            if (low < Low2[cell])
            {
                if (low < Low1[cell])
                {
                    Low2[cell] = Low1[cell];
                    Low1[cell] = low;
                    Low1Pair[cell] = pair;
                }
                else Low2[cell] = low;
            }
        }

        public void MergeFrom(ComponentTable other, long cell, long otherCell)
        {
            if (other.MinHigh[otherCell] < MinHigh[cell])
            {
                MinHigh[cell] = other.MinHigh[otherCell];
                HighPair[cell] = other.HighPair[otherCell];
            }
            double a = other.Low1[otherCell], b = other.Low2[otherCell];
            if (a < Low1[cell])
            {
                Low2[cell] = Math.Min(Low1[cell], b);
                Low1[cell] = a;
                Low1Pair[cell] = other.Low1Pair[otherCell];
            }
            else Low2[cell] = Math.Min(Low2[cell], a);
        }
    }

    /// <summary>One pass over all pairs for the exact cheapest edge between every two components, then Kruskal.</summary>
    private static void JoinComponents(RowGeometry rows, NeighbourLists lists, int[] parent, int m,
        List<(int From, int To, double Weight)> tree, Action<string, double> report, CancellationToken cancellationToken)
    {
        int n = rows.Count;
        var component = new int[n];
        var id = new int[n];
        Array.Fill(id, -1);
        int next = 0;
        for (int i = 0; i < n; i++)
        {
            int r = Root(parent, i);
            if (id[r] < 0) id[r] = next++;
            component[i] = id[r];
        }
        // The rows sorted by component, so that each tile row meets the columns of one component in runs.
        var order = Enumerable.Range(0, n).OrderBy(i => component[i]).ToArray();
        var sortedValues = new float[(long)n * rows.Depth];
        for (int t = 0; t < n; t++) rows.Row(order[t]).CopyTo(sortedValues.AsSpan(t * rows.Depth, rows.Depth));
        var sorted = new RowGeometry(sortedValues, 0, n, rows.Depth, rows.Measure);
        var sortedComponent = new int[n];
        var coreSearch = new double[n];
        for (int t = 0; t < n; t++)
        {
            sortedComponent[t] = component[order[t]];
            coreSearch[t] = rows.ToSearch(lists.Core[order[t]]);
        }
        var runEnd = new int[m]; // one past the last sorted row of each component
        for (int t = 0; t < n; t++) runEnd[sortedComponent[t]] = t + 1;
        var pool = new ConcurrentBag<ComponentTable>();
        var all = new ConcurrentBag<ComponentTable>();
        int blocks = (n + BlockColumns - 1) / BlockColumns, done = 0;
        sorted.ForEachBlock((r0, rowCount, j0, width, tile) =>
        {
            if (!pool.TryTake(out var table))
            {
                table = new ComponentTable(m, BlockColumns);
                all.Add(table);
            }
            for (int r = 0; r < rowCount; r++)
            {
                int i = r0 + r;
                var dots = tile.Slice(r * width, width);
                var scratch = table.Scratch.AsSpan(0, width);
                sorted.FillApprox(i, j0, dots, scratch);
                ScanComponents(sorted, table, m, i, j0, Math.Max(0, i + 1 - j0), dots, scratch, sortedComponent, coreSearch, runEnd);
            }
            pool.Add(table);
        }, _ => report("spanning tree", 0.1 + 0.7 * ++done / blocks), cancellationToken);

        // Both orientations of each component pair, from every thread's table, into the first table's upper triangle.
        var tables = all.ToArray();
        var merged = tables[0];
        for (int a = 0; a < m; a++)
            for (int b = a + 1; b < m; b++)
            {
                long cell = (long)a * m + b;
                merged.MergeFrom(merged, cell, (long)b * m + a);
                for (int t = 1; t < tables.Length; t++)
                {
                    merged.MergeFrom(tables[t], cell, cell);
                    merged.MergeFrom(tables[t], cell, (long)b * m + a);
                }
            }
        var edges = new List<(double Weight, int A, int B, int From, int To)>();
        var ambiguous = new List<(int A, int B)>();
        for (int a = 0; a < m; a++)
            for (int b = a + 1; b < m; b++)
            {
                long cell = (long)a * m + b;
                if (!double.IsFinite(merged.MinHigh[cell])) continue;
                if (merged.Low2[cell] < merged.MinHigh[cell])
                {
                    ambiguous.Add((a, b));
                    continue;
                }
                // Only the pair with the smallest lower bound can be below the smallest upper bound; the pair holding
                // that upper bound ties it at most.
                var (w1, f1, t1) = Reachability(rows, lists.Core, merged.Low1Pair[cell], n, order);
                var (w2, f2, t2) = Reachability(rows, lists.Core, merged.HighPair[cell], n, order);
                edges.Add(w1 <= w2 ? (w1, a, b, f1, t1) : (w2, a, b, f2, t2));
            }
        if (ambiguous.Count > 0) edges.AddRange(ResolveExactly(rows, lists.Core, component, m, ambiguous, cancellationToken));
        edges.Sort((x, y) => x.Weight != y.Weight ? x.Weight.CompareTo(y.Weight) : x.A != y.A ? x.A.CompareTo(y.A) : x.B.CompareTo(y.B));
        var joined = new int[m];
        for (int c = 0; c < m; c++) joined[c] = c;
        foreach (var e in edges)
        {
            int a = Root(joined, e.A), b = Root(joined, e.B);
            if (a == b) continue;
            joined[Math.Max(a, b)] = Math.Min(a, b);
            tree.Add((e.From, e.To, e.Weight));
        }
    }

    /// <summary>One component's row against the columns of one block: a vector prefilter per run of columns of one
    /// component (only a pair whose approximate distance is below that cell's larger bound, plus the slack, can update
    /// it), then the exact bounds of mutual reachability for the pairs it lets through.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScanComponents(RowGeometry rows, ComponentTable table, int m, int i, int j0, int first,
        ReadOnlySpan<float> dots, ReadOnlySpan<float> scratch, int[] component, double[] coreSearch, int[] runEnd)
    {
        int n = rows.Count, width = scratch.Length, a = component[i];
        double coreI = coreSearch[i], margin = rows.MaxSlack(i) + rows.FloatSlack(i);
        long rowCell = (long)a * m;
        for (int c = first; c < width;)
        {
            int b = component[j0 + c], end = Math.Min(width, runEnd[b] - j0);
            if (b == a)
            {
                c = end;
                continue;
            }
            long cell = rowCell + b;
            var gate = new Vector<float>(MathF.BitIncrement((float)(Math.Max(table.Low2[cell], table.MinHigh[cell]) + margin)));
            for (; c <= end - Vector<float>.Count; c += Vector<float>.Count)
            {
                if (!Vector.LessThanAny(new Vector<float>(scratch[c..]), gate)) continue;
                for (int lane = c; lane < c + Vector<float>.Count; lane++) Offer(lane, dots);
            }
            for (; c < end; c++) Offer(c, dots);
        }

        void Offer(int c, ReadOnlySpan<float> dots)
        {
            int j = j0 + c;
            double approx = rows.Approx(i, j, dots[c]), slack = rows.Slack(i, j);
            double floor = Math.Max(coreI, coreSearch[j]);
            table.Offer(rowCell + component[j], Math.Max(floor, approx - slack), Math.Max(floor, approx + slack), (long)i * n + j);
        }
    }

    private static (double Weight, int From, int To) Reachability(RowGeometry rows, double[] core, long pair, int n, int[] order)
    {
        int i = order[(int)(pair / n)], j = order[(int)(pair % n)];
        return (Math.Max(rows.Exact(i, j), Math.Max(core[i], core[j])), i, j);
    }

    /// <summary>The exact cheapest edge between component pairs whose bounds overlap: their rows against each other,
    /// measuring exactly every pair whose lower bound is within the smallest upper bound.</summary>
    private static IEnumerable<(double Weight, int A, int B, int From, int To)> ResolveExactly(RowGeometry rows, double[] core,
        int[] component, int m, List<(int A, int B)> pairs, CancellationToken cancellationToken)
    {
        int n = rows.Count, depth = rows.Depth;
        var members = new List<int>[m];
        for (int c = 0; c < m; c++) members[c] = [];
        for (int i = 0; i < n; i++) members[component[i]].Add(i);
        var result = new List<(double, int, int, int, int)>();
        foreach (var (a, b) in pairs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var left = members[a];
            var right = members[b];
            var gatheredLeft = Gather(rows, left);
            var gatheredRight = Gather(rows, right);
            // Two sweeps: the smallest upper bound, then exact distances below it.
            double minHigh = double.PositiveInfinity;
            var best = (Weight: double.PositiveInfinity, From: -1, To: -1);
            var gate = new object();
            for (int sweep = 0; sweep < 2; sweep++)
            {
                PairwiseKernel.ForEachTile(gatheredLeft, gatheredRight, depth, PairwiseMeasure.Dot, (r0, rowCount, tile) =>
                {
                    double localHigh = double.PositiveInfinity;
                    var localBest = (Weight: double.PositiveInfinity, From: -1, To: -1);
                    for (int r = 0; r < rowCount; r++)
                    {
                        int i = left[r0 + r];
                        for (int c = 0; c < right.Count; c++)
                        {
                            int j = right[c];
                            double approx = rows.Approx(i, j, tile[r * right.Count + c]), slack = rows.Slack(i, j);
                            double floor = Math.Max(rows.ToSearch(core[i]), rows.ToSearch(core[j]));
                            if (sweep == 0) localHigh = Math.Min(localHigh, Math.Max(floor, approx + slack));
                            else if (Math.Max(floor, approx - slack) <= minHigh)
                            {
                                double w = Math.Max(rows.Exact(i, j), Math.Max(core[i], core[j]));
                                if (w < localBest.Weight) localBest = (w, i, j);
                            }
                        }
                    }
                    lock (gate)
                    {
                        minHigh = Math.Min(minHigh, localHigh);
                        if (localBest.Weight < best.Weight) best = localBest;
                    }
                }, TileRows);
            }
            result.Add((best.Weight, a, b, best.From, best.To));
        }
        return result;
    }

    private static float[] Gather(RowGeometry rows, List<int> members)
    {
        var gathered = new float[members.Count * rows.Depth];
        for (int t = 0; t < members.Count; t++) rows.Row(members[t]).CopyTo(gathered.AsSpan(t * rows.Depth, rows.Depth));
        return gathered;
    }

    /// <summary>Prim's algorithm from row 0 over the listed edges and the tree, ties to the lowest row, a tree row's
    /// distance updated only when strictly smaller: the steps of <see cref="DenseSpanningTree.Prim(ReadOnlySpan{float}, int, PairwiseMeasure, ReadOnlySpan{double}, CancellationToken)"/>.</summary>
    private static Result PrimOrder(int n, NeighbourLists lists, List<(int From, int To, double Weight)> tree)
    {
        var core = lists.Core;
        var degree = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            degree[i] += lists.Indices[i].Length;
            foreach (var j in lists.Indices[i]) degree[j]++;
        }
        foreach (var (f, t, _) in tree)
        {
            degree[f]++;
            degree[t]++;
        }
        var start = new int[n + 1];
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + degree[i];
        var fill = (int[])start.Clone();
        var target = new int[start[n]];
        var weight = new double[start[n]];
        void Add(int a, int b, double w)
        {
            target[fill[a]] = b;
            weight[fill[a]++] = w;
        }
        for (int i = 0; i < n; i++)
        {
            var idx = lists.Indices[i];
            var dist = lists.Distances[i];
            for (int t = 0; t < idx.Length; t++)
            {
                double w = Math.Max(dist[t], Math.Max(core[i], core[idx[t]]));
                Add(i, idx[t], w);
                Add(idx[t], i, w);
            }
        }
        foreach (var (f, t, w) in tree)
        {
            Add(f, t, w);
            Add(t, f, w);
        }

        var from = new int[Math.Max(0, n - 1)];
        var to = new int[from.Length];
        var weights = new double[from.Length];
        var best = new double[n];
        var bestFrom = new int[n];
        var inTree = new bool[n];
        Array.Fill(best, double.PositiveInfinity);
        var heap = new PriorityQueue<int, (double Key, int Row)>();
        int x = 0;
        for (int e = 0; e < n - 1; e++)
        {
            inTree[x] = true;
            for (int q = start[x]; q < start[x + 1]; q++)
            {
                int v = target[q];
                if (inTree[v] || !(weight[q] < best[v])) continue;
                best[v] = weight[q];
                bestFrom[v] = x;
                heap.Enqueue(v, (weight[q], v));
            }
            int y;
            while (true)
            {
                if (!heap.TryDequeue(out y, out var key))
                    throw new InvalidOperationException("The listed edges and the spanning tree do not connect the rows.");
                if (!inTree[y] && key.Key == best[y]) break;
            }
            from[e] = bestFrom[y];
            to[e] = y;
            weights[e] = best[y];
            x = y;
        }
        return new Result(core, from, to, weights);
    }
}
