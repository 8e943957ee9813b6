using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using KpLab.Kernels;

namespace KpLab.Plugins.Agglomerative;

/// <summary>
/// Ward linkage in O(n·d) memory: the nearest-neighbour chain on cluster centroids, as fastcluster's
/// <c>linkage_vector</c>. The Ward distance of clusters A and B is √(2·|A||B|/(|A|+|B|))·|c_A − c_B|, which equals
/// SciPy's Lance–Williams Ward height.
/// </summary>
/// <remarks>
/// <para>Centroids are kept in double (each merged centroid is the size-weighted mean of its two parts) and as a
/// float32 copy packed in active order. A nearest-neighbour query scans the float32 copy (one SIMD dot product per
/// active cluster) and turns each squared distance into an interval that provably holds the exact value: the float32
/// dot product of the rounded centroids errs by at most (γ_d + 2u + u²)·|c_x||c_z| (Higham §3.1, γ_d = d·u/(1 − d·u),
/// u = 2⁻²⁴, plus the rounding of both centroids to float32), doubled for safety; the norms are exact doubles. Every
/// cluster whose lower bound does not exceed the smallest upper bound is measured exactly in double, and the smallest
/// exact value wins (lowest slot on ties), so the chain takes the same steps as one that measures everything in double.
/// </para>
/// <para>Ward is reducible — d(A ∪ B, C) ≥ min(d(A, C), d(B, C)) — so a cluster's nearest neighbour stays its nearest
/// neighbour until that neighbour itself is merged: merges elsewhere only create clusters at least as far. Each cluster
/// therefore caches its nearest neighbour and rescans only when that neighbour has changed.</para>
/// </remarks>
/// <summary>
/// Ward linkage in O(n·d) memory: the nearest-neighbour chain on cluster centroids, as fastcluster's
/// <c>linkage_vector</c>. The Ward distance of clusters A and B is √(2·|A||B|/(|A|+|B|))·|c_A − c_B|, which equals
/// SciPy's Lance–Williams Ward height.
/// </summary>
/// <remarks>
/// <para>Each active cluster keeps a short list of candidate neighbours with their exact Ward values and a lower bound
/// on the value of every active cluster not in the list. The list's smallest entry is the cluster's nearest neighbour
/// while it lies strictly below the bound; only when it does not is the cluster scanned against all active clusters.
/// The lists stay exact under merges because Ward is reducible: when mutual nearest neighbours A and B merge,
/// d(A ∪ B, C) ≥ min(d(A, C), d(B, C)) for every C. So a cluster that listed A or B lists A ∪ B instead (its exact
/// value recomputed; clusters that listed neither keep their bound), and A ∪ B lists the union of A's and B's
/// candidates (exact values recomputed) with the smaller of their bounds. Every cluster listing a slot is found
/// through a reverse index, so a merge costs O(K·d) for the clusters it touches, not a scan.</para>
/// <para>A scan reads a float32 copy of the centroids packed in active order (merged-away rows swap-removed) and turns
/// each squared distance into an interval that provably holds the exact value: the float32 dot product of the rounded
/// centroids errs by at most (γ_d + 2u + u²)·|c_x||c_z| (Higham §3.1, γ_d = d·u/(1 − d·u), u = 2⁻²⁴, plus the
/// rounding of both centroids to float32), doubled for safety; the norms are exact doubles. Every cluster whose lower
/// bound does not exceed the K-th smallest upper bound is measured exactly in double, so the list and the nearest
/// neighbour (smallest exact value, lowest slot on ties) are those of a scan that measures everything in double.</para>
/// <para>Tie rule, as SciPy's and fastcluster's chain: the nearest neighbour is the smallest exact value, the lowest slot
/// among equal values; the previous chain element wins a tie with it, so the chain cannot cycle; the merged cluster
/// takes the larger slot.</para>
/// </remarks>
internal sealed class WardCentroidChain
{
    /// <summary>Candidates kept per cluster.</summary>
    internal const int ListLength = 16;
    /// <summary>Clusters scanned together in one pass over the centroids.</summary>
    internal const int BatchSize = 32;
    private const int K = ListLength;
    private readonly int _n;
    private readonly int _d;
    private readonly double[] _centroids; // slot-major, n × d, double
    private readonly float[] _packed;     // active clusters in _order, count × d, float32
    private readonly int[] _order;        // position → slot
    private readonly int[] _position;     // slot → position, -1 when merged away
    private readonly double[] _squares;   // |c|² in double per slot
    private readonly double[] _norms;     // |c| per slot
    private readonly double[] _size;      // 0 once merged away
    private readonly double[] _positionSquare, _positionNorm, _positionSize; // |c|², |c| and size in packed order
    private readonly int[] _listSlot;     // n × K candidate slots
    private readonly double[] _listValue; // n × K exact Ward values |A||B|/(|A|+|B|)·|c_A − c_B|²
    private readonly int[] _listCount;
    private readonly double[] _bound;     // lower bound on the value of every active cluster outside the list
    private readonly List<int>?[] _listedBy; // slot → clusters whose list may hold it (a superset; checked on use)
    private readonly int[] _stamp;
    private int _stampNow;
    private readonly double _slackFactor;
    private readonly float[] _dots;       // BatchSize × count float32 dot products of a scan
    private readonly List<int> _stale = []; // clusters whose lists ran out since they were last scanned (may repeat)
    private int _count;

    /// <summary>Scans of all active clusters so far (the work the lists save), for the benchmark's report.</summary>
    public long Scans { get; private set; }
    /// <summary>Passes over the centroids so far (each scans up to <see cref="BatchSize"/> clusters).</summary>
    public long Passes { get; private set; }

    public WardCentroidChain(ReadOnlySpan<float> data, int n, int d, CancellationToken cancellationToken)
    {
        _n = n;
        _d = d;
        _centroids = new double[(long)n * d];
        _packed = data.ToArray();
        _order = new int[n];
        _position = new int[n];
        _squares = new double[n];
        _norms = new double[n];
        _size = new double[n];
        _listSlot = new int[(long)n * K];
        _listValue = new double[(long)n * K];
        _listCount = new int[n];
        _bound = new double[n];
        _listedBy = new List<int>?[n];
        _stamp = new int[n];
        _positionSquare = new double[n];
        _positionNorm = new double[n];
        _positionSize = new double[n];
        _dots = new float[(long)BatchSize * n];
        for (int i = 0; i < n; i++)
        {
            var row = data.Slice(i * d, d);
            var c = _centroids.AsSpan(i * d, d);
            for (int k = 0; k < d; k++) c[k] = row[k];
            _squares[i] = DoubleVectorMath.Dot(c, c);
            _norms[i] = Math.Sqrt(_squares[i]);
            _order[i] = _position[i] = i;
            _size[i] = 1;
            (_positionSquare[i], _positionNorm[i], _positionSize[i]) = (_squares[i], _norms[i], 1);
        }
        _count = n;
        double u = Math.ScaleB(1.0, -24);
        _slackFactor = 2 * 2 * (d * u / (1 - d * u) + 2 * u + u * u);
        SeedSingletonLists(data, cancellationToken);
    }

    /// <summary>
    /// Fills every row's list from one float32 k-nearest-neighbour search (GEMM tiles, far faster than n scans): the
    /// candidates are measured exactly, and the bound is the K-th searched distance less the search's error bound, below
    /// which no unlisted row can lie.
    /// </summary>
    private void SeedSingletonLists(ReadOnlySpan<float> data, CancellationToken cancellationToken)
    {
        int n = _n, d = _d;
        int k = Math.Min(n - 1, K);
        if (k < 1) return;
        var graph = NearestNeighbors.Search(data, d, k, PairwiseMeasure.SquaredEuclidean, includeSelf: false, cancellationToken);
        double maxSquare = _squares.Max();
        // The search's squared distance |a|² + |b|² − 2a·b is float32 throughout: norms and dot product each err by
        // at most γ_d times their magnitude, plus the final roundings; 2γ_d(|a|² + |b|²) + 4u(|a|² + |b|²) covers it,
        // doubled for safety.
        for (int i = 0; i < n; i++)
        {
            var neighbours = graph.IndicesOf(i);
            var approx = graph.DistancesOf(i);
            var ci = _centroids.AsSpan(i * d, d);
            int count = 0;
            foreach (int j in neighbours)
            {
                if (j < 0 || j == i) continue;
                _listSlot[i * K + count] = j;
                _listValue[i * K + count] = 0.5 * WideningSums.SquaredDistance(ci, _centroids.AsSpan(j * d, d));
                count++;
                (_listedBy[j] ??= new List<int>(K)).Add(i);
            }
            _listCount[i] = count;
            double slack = _slackFactor * (_squares[i] + maxSquare) + 1e-12 * (_squares[i] + maxSquare);
            _bound[i] = k == n - 1 ? double.PositiveInfinity : Math.Max(0, 0.5 * (approx[k - 1] - slack));
            if (!ListIsValid(i)) _stale.Add(i);
        }
    }

    /// <summary>Peak bytes for n rows of d values.</summary>
    public static long PeakBytes(long n, long d) =>
        12 * n * d + (96 + 12 * K + 2 * 4 * 2 * K + 4 * BatchSize) * n
        + KernelParallelism.Current * 4L * PairwiseKernel.DefaultTileRows * n; // the seeding search's tiles

    /// <summary>Runs the chain; merges as (smaller slot, larger slot, height), the merged cluster in the larger slot.</summary>
    public (int X, int Y, double Height)[] Run(CancellationToken cancellationToken, Action<double>? progress)
    {
        var raw = new (int X, int Y, double Height)[_n - 1];
        var chain = new int[_n];
        int chainLength = 0, first = 0;
        for (int k = 0; k < _n - 1; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if ((k & 255) == 0) progress?.Invoke((double)k / (_n - 1));
            if (chainLength == 0)
            {
                while (_position[first] < 0) first++; // SciPy's start: the lowest active slot
                chain[chainLength++] = first;
            }
            int x, y;
            double value;
            while (true)
            {
                x = chain[chainLength - 1];
                (y, value) = Nearest(x, cancellationToken);
                // As SciPy and fastcluster: the previous chain element wins ties, so the chain cannot cycle.
                if (chainLength > 1 && chain[chainLength - 2] is var previous && WardValue(x, previous) is var back && back <= value)
                {
                    y = previous;
                    value = back;
                    break;
                }
                chain[chainLength++] = y;
            }
            chainLength -= 2;
            if (x > y) (x, y) = (y, x);
            raw[k] = (x, y, Math.Sqrt(2 * value));
            Merge(x, y, value);
        }
        progress?.Invoke(1.0);
        return raw;
    }

    /// <summary>The exact Ward value of slots a and b (symmetric bit for bit).</summary>
    private double WardValue(int a, int b)
    {
        double sa = _size[a], sb = _size[b];
        return sa * sb / (sa + sb) * WideningSums.SquaredDistance(_centroids.AsSpan(a * _d, _d), _centroids.AsSpan(b * _d, _d));
    }

    /// <summary>The nearest active cluster to slot x and its Ward value, from the list or a bounded scan.</summary>
    private (int Slot, double Value) Nearest(int x, CancellationToken cancellationToken)
    {
        int best = -1;
        double bestValue = double.PositiveInfinity;
        for (int e = x * K, end = e + _listCount[x]; e < end; e++)
        {
            double value = _listValue[e];
            if (value < bestValue || (value == bestValue && _listSlot[e] < best)) (best, bestValue) = (_listSlot[e], value);
        }
        // Strictly below the bound: an unlisted cluster at the same value could hold a lower slot.
        return best >= 0 && bestValue < _bound[x] ? (best, bestValue) : Scan(x, cancellationToken);
    }

    /// <summary>
    /// A lower bound on the Ward value of A ∪ B to every cluster C outside both lists, from A's bound α, B's bound β
    /// and the merge value δ of A and B. Lance–Williams: v(A∪B, C) = ((a + c)·v(A, C) + (b + c)·v(B, C) − c·δ) / (a + b
    /// + c) with v(A, C) ≥ α, v(B, C) ≥ β, which is monotone in c = |C| ≥ 1, so the smaller of its value at c = 1 and its
    /// limit α + β − δ bounds it. Since δ ≤ min(α, β) (A and B are mutual nearest neighbours) this is at least min(α, β),
    /// and usually well above it: merged clusters are farther from everything, and the bound says so without a scan.
    /// The factor absorbs the rounding of the computed values.
    /// </summary>
    private static double MergedBound(double alpha, double beta, double a, double b, double delta)
    {
        if (double.IsPositiveInfinity(alpha) || double.IsPositiveInfinity(beta)) return Math.Min(alpha, beta);
        double atOne = ((a + 1) * alpha + (b + 1) * beta - delta) / (a + b + 1);
        double limit = alpha + beta - delta;
        return Math.Max(Math.Min(alpha, beta), Math.Min(atOne, limit)) * (1 - 1e-12);
    }

    /// <summary>
    /// Rebuilds the list of slot x, and in the same pass those of up to <see cref="BatchSize"/> − 1 other clusters whose
    /// lists have run out, from a scan of all active clusters; returns x's nearest neighbour. The pass is one blocked
    /// product of the packed centroids with the batch's rows (<see cref="PairwiseKernel.ForEachTile"/>), so the
    /// centroids are read from memory once for the whole batch rather than once per cluster.
    /// </summary>
    private (int Slot, double Value) Scan(int x, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int count = _count, d = _d;
        var batch = new List<int>(BatchSize) { x };
        int mark = ++_stampNow;
        _stamp[x] = mark;
        while (batch.Count < BatchSize && _stale.Count > 0)
        {
            int s = _stale[^1];
            _stale.RemoveAt(_stale.Count - 1);
            if (_size[s] == 0 || _stamp[s] == mark || ListIsValid(s)) continue;
            _stamp[s] = mark;
            batch.Add(s);
        }
        Scans += batch.Count;
        Passes++;
        int b = batch.Count;
        var queries = new float[b * d];
        for (int i = 0; i < b; i++) _packed.AsSpan(_position[batch[i]] * d, d).CopyTo(queries.AsSpan(i * d, d));
        var dots = _dots;
        PairwiseKernel.ForEachTile(_packed.AsSpan(0, count * d), queries, d, PairwiseMeasure.Dot, (r0, rows, tile) =>
        {
            for (int r = 0; r < rows; r++)
                for (int i = 0; i < b; i++) dots[i * count + r0 + r] = tile[r * b + i];
        });
        var lists = new List<(double Value, int Slot)>[b];
        var outside = new double[b];
        Parallel.For(0, b, new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current, CancellationToken = cancellationToken },
            i => (lists[i], outside[i]) = Candidates(batch[i], dots.AsSpan(i * count, count)));
        int keep = Math.Min(K, count - 1);
        for (int i = 0; i < b; i++) SetList(batch[i], lists[i], keep, outside[i]);
        return (lists[0][0].Slot, lists[0][0].Value);
    }

    /// <summary>
    /// From the float32 dot products of slot x with every packed cluster: the exact, sorted Ward values of every cluster
    /// that may be among x's K nearest, and a bound on the value of every cluster left out. One pass: the K-th smallest
    /// upper bound so far only falls, so a cluster whose lower bound exceeds it when met can never qualify.
    /// </summary>
    private (List<(double Value, int Slot)> Sorted, double Outside) Candidates(int x, ReadOnlySpan<float> dots)
    {
        int count = _count, d = _d, px = _position[x], keep = Math.Min(K, count - 1);
        double squareX = _squares[x], sizeX = _size[x], slackX = _slackFactor * _norms[x];
        Span<double> heap = stackalloc double[keep];
        int filled = 0;
        var met = new List<(int Position, double Low)>(8 * K);
        var squares = _positionSquare.AsSpan(0, count);
        var norms = _positionNorm.AsSpan(0, count);
        var sizes = _positionSize.AsSpan(0, count);
        for (int p = 0; p < count; p++)
        {
            // The float32 value |x|² + |z|² − 2x·z errs by at most the slack (see the class remarks).
            double squareZ = squares[p], sizeZ = sizes[p];
            double approx = squareX + squareZ - 2 * (double)dots[p];
            double slack = slackX * norms[p] + 1e-12 * (squareX + squareZ);
            double weight = sizeZ * sizeX / (sizeZ + sizeX);
            double high = weight * (approx + slack);
            if (p == px) continue;
            if (filled < keep || weight * Math.Max(0, approx - slack) <= heap[0]) met.Add((p, weight * Math.Max(0, approx - slack)));
            Offer(heap, ref filled, high);
        }
        double threshold = filled < keep ? double.PositiveInfinity : heap[0];
        var sorted = new List<(double Value, int Slot)>(2 * K);
        var cx = _centroids.AsSpan(x * d, d);
        foreach (var (p, low) in met)
        {
            if (low > threshold) continue;
            int z = _order[p];
            sorted.Add((_size[z] * sizeX / (_size[z] + sizeX) * WideningSums.SquaredDistance(cx, _centroids.AsSpan(z * d, d)), z));
        }
        sorted.Sort();
        return (sorted, keep == count - 1 ? double.PositiveInfinity : threshold);
    }

    /// <summary>Keeps the smallest values offered in a max-heap of fixed capacity.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Offer(Span<double> heap, ref int filled, double value)
    {
        int k = heap.Length;
        if (filled < k)
        {
            int i = filled++;
            heap[i] = value;
            while (i > 0 && heap[(i - 1) / 2] < heap[i])
            {
                (heap[i], heap[(i - 1) / 2]) = (heap[(i - 1) / 2], heap[i]);
                i = (i - 1) / 2;
            }
            return;
        }
        if (!(value < heap[0])) return;
        heap[0] = value;
        for (int i = 0; ;)
        {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < k && heap[l] > heap[m]) m = l;
            if (r < k && heap[r] > heap[m]) m = r;
            if (m == i) break;
            (heap[i], heap[m]) = (heap[m], heap[i]);
            i = m;
        }
    }

    /// <summary>Whether the list of slot x yields its nearest neighbour without a scan.</summary>
    private bool ListIsValid(int x)
    {
        double min = double.PositiveInfinity;
        for (int e = x * K, end = e + _listCount[x]; e < end; e++) min = Math.Min(min, _listValue[e]);
        return min < _bound[x];
    }

    /// <summary>
    /// Lists the first <paramref name="keep"/> of the sorted candidates for slot x; the bound is the smaller of
    /// <paramref name="outside"/> (a bound on every non-candidate) and the first candidate left out.
    /// </summary>
    private void SetList(int x, List<(double Value, int Slot)> sorted, int keep, double outside)
    {
        keep = Math.Min(keep, sorted.Count);
        for (int e = 0; e < keep; e++)
        {
            var (value, slot) = sorted[e];
            _listSlot[x * K + e] = slot;
            _listValue[x * K + e] = value;
            (_listedBy[slot] ??= new List<int>(K)).Add(x);
        }
        _listCount[x] = keep;
        _bound[x] = keep < sorted.Count ? Math.Min(outside, sorted[keep].Value) : outside;
    }

    /// <summary>
    /// Merges slot x into slot y (x &lt; y): y takes the weighted centroid and the union of both lists, every list that
    /// held x or y holds the merged cluster instead, and x leaves the packed order.
    /// </summary>
    private void Merge(int x, int y, double merged)
    {
        int d = _d;
        // The merged cluster's candidates: both lists (less x and y), measured again once the centroid is updated.
        var union = new List<int>(2 * K);
        int mark = ++_stampNow;
        _stamp[x] = _stamp[y] = mark;
        foreach (int slot in new[] { x, y })
            for (int e = slot * K, end = e + _listCount[slot]; e < end; e++)
                if (_stamp[_listSlot[e]] != mark) { _stamp[_listSlot[e]] = mark; union.Add(_listSlot[e]); }
        double outside = MergedBound(_bound[x], _bound[y], _size[x], _size[y], merged);

        double sx = _size[x], sy = _size[y], total = sx + sy;
        var cx = _centroids.AsSpan(x * d, d);
        var cy = _centroids.AsSpan(y * d, d);
        for (int k = 0; k < d; k++) cy[k] = (sx * cx[k] + sy * cy[k]) / total;
        _squares[y] = DoubleVectorMath.Dot(cy, cy);
        _norms[y] = Math.Sqrt(_squares[y]);
        _size[y] = total;
        _size[x] = 0;
        var packedY = _packed.AsSpan(_position[y] * d, d);
        for (int k = 0; k < d; k++) packedY[k] = (float)cy[k];
        (_positionSquare[_position[y]], _positionNorm[_position[y]], _positionSize[_position[y]]) = (_squares[y], _norms[y], total);
        // Remove x by moving the last packed row into its place; ties are broken by slot number, not scan order.
        int px = _position[x], last = _count - 1;
        if (px != last)
        {
            _packed.AsSpan(last * d, d).CopyTo(_packed.AsSpan(px * d, d));
            (_positionSquare[px], _positionNorm[px], _positionSize[px]) = (_positionSquare[last], _positionNorm[last], _positionSize[last]);
            _order[px] = _order[last];
            _position[_order[px]] = px;
        }
        _position[x] = -1;
        _count--;

        // Every list that held x or y now holds the merged cluster, at its exact value.
        var listedBy = new List<int>();
        mark = ++_stampNow;
        foreach (int slot in new[] { x, y })
        {
            if (_listedBy[slot] is not { } holders) continue;
            foreach (int z in holders)
            {
                if (_stamp[z] == mark || _size[z] == 0 || z == y) continue;
                _stamp[z] = mark;
                int e = z * K, count = _listCount[z], kept = 0;
                for (int i = 0; i < count; i++)
                {
                    int s = _listSlot[e + i];
                    if (s == x || s == y) continue;
                    _listSlot[e + kept] = s;
                    _listValue[e + kept] = _listValue[e + i];
                    kept++;
                }
                if (kept == count) continue; // it listed neither
                _listSlot[e + kept] = y;
                _listValue[e + kept] = WardValue(z, y);
                _listCount[z] = kept + 1;
                listedBy.Add(z);
                if (!ListIsValid(z)) _stale.Add(z);
            }
        }
        _listedBy[x] = null;
        _listedBy[y] = listedBy;

        var candidates = new List<(double Value, int Slot)>(union.Count);
        foreach (int w in union) candidates.Add((WardValue(y, w), w));
        candidates.Sort();
        SetList(y, candidates, K, outside);
        _listCount[x] = 0;
        if (!ListIsValid(y)) _stale.Add(y);
    }
}