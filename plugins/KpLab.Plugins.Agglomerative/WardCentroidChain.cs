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
internal sealed class WardCentroidChain
{
    private readonly int _n;
    private readonly int _d;
    private readonly double[] _centroids; // slot-major, n × d, double
    private readonly float[] _packed;     // active clusters in _order, count × d, float32
    private readonly int[] _order;        // position → slot
    private readonly int[] _position;     // slot → position, -1 when merged away
    private readonly double[] _squares;   // |c|² in double per slot
    private readonly double[] _norms;     // |c| per slot
    private readonly double[] _size;
    private readonly int[] _version;      // bumped whenever a slot's cluster changes
    private readonly int[] _nearest;      // cached nearest slot, -1 when unknown
    private readonly int[] _nearestVersion;
    private readonly double[] _nearestValue; // cached Ward value |A||B|/(|A|+|B|)·|c_A − c_B|²
    private readonly double _slackFactor;
    private int _count;
    // Candidates per row in the seeding search.
    private const int SeedCandidates = 8;

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
        _version = new int[n];
        _nearest = new int[n];
        _nearestVersion = new int[n];
        _nearestValue = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = data.Slice(i * d, d);
            var c = _centroids.AsSpan(i * d, d);
            for (int k = 0; k < d; k++) c[k] = row[k];
            _squares[i] = DoubleVectorMath.Dot(c, c);
            _norms[i] = Math.Sqrt(_squares[i]);
            _order[i] = _position[i] = i;
            _size[i] = 1;
            _nearest[i] = -1;
        }
        _count = n;
        double u = Math.ScaleB(1.0, -24);
        _slackFactor = 2 * 2 * (d * u / (1 - d * u) + 2 * u + u * u);
        SeedSingletonNeighbours(data, cancellationToken);
    }

    /// <summary>
    /// Fills the nearest-neighbour cache of every row from one float32 k-nearest-neighbour search (GEMM tiles, far
    /// faster than n scans): the candidates are measured exactly and the closest kept when provably nearest, i.e. when
    /// every row outside the list is, by the search's error bound, strictly farther; otherwise the row is scanned later.
    /// </summary>
    private void SeedSingletonNeighbours(ReadOnlySpan<float> data, CancellationToken cancellationToken)
    {
        int n = _n, d = _d;
        int k = Math.Min(n - 1, SeedCandidates);
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
            int best = -1;
            double bestValue = double.PositiveInfinity;
            foreach (int j in neighbours)
            {
                if (j < 0) continue;
                double value = 0.5 * WideningSums.SquaredDistance(ci, _centroids.AsSpan(j * d, d));
                if (value < bestValue || (value == bestValue && j < best)) (best, bestValue) = (j, value);
            }
            double slack = _slackFactor * (_squares[i] + maxSquare) + 1e-12 * (_squares[i] + maxSquare);
            if (best < 0 || !(0.5 * (approx[k - 1] - slack) > bestValue)) continue; // not provably nearest
            _nearest[i] = best;
            _nearestVersion[i] = _version[best];
            _nearestValue[i] = bestValue;
        }
    }

    /// <summary>Peak bytes for n rows of d values.</summary>
    public static long PeakBytes(long n, long d) =>
        12 * n * d + 96 * n + KernelParallelism.Current * 4L * PairwiseKernel.DefaultTileRows * n;

    /// <summary>Runs the chain; merges as (smaller slot, larger slot, height), the merged cluster in the larger slot.</summary>
    public (int X, int Y, double Height)[] Run(CancellationToken cancellationToken, Action<double>? progress)
    {
        var raw = new (int X, int Y, double Height)[_n - 1];
        var chain = new int[_n];
        int chainLength = 0, first = 0;
        var scratch = new double[2 * _n];
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
                (y, value) = Nearest(x, scratch, cancellationToken);
                // As SciPy and fastcluster: the previous chain element wins ties, so the chain cannot cycle.
                if (chainLength > 1 && chain[chainLength - 2] is var previous && _nearestValue[previous] <= value
                    && _nearest[previous] == x && _nearestVersion[previous] == _version[x])
                {
                    y = previous;
                    value = _nearestValue[previous];
                    break;
                }
                chain[chainLength++] = y;
            }
            chainLength -= 2;
            if (x > y) (x, y) = (y, x);
            raw[k] = (x, y, Math.Sqrt(2 * value));
            Merge(x, y);
        }
        progress?.Invoke(1.0);
        return raw;
    }

    /// <summary>The nearest active cluster to slot x and its Ward value, from the cache or a bounded scan.</summary>
    private (int Slot, double Value) Nearest(int x, double[] scratch, CancellationToken cancellationToken)
    {
        int cached = _nearest[x];
        if (cached >= 0 && _position[cached] >= 0 && _nearestVersion[x] == _version[cached])
            return (cached, _nearestValue[x]);
        int count = _count, d = _d, px = _position[x];
        var low = scratch.AsSpan(0, count);
        var high = scratch.AsSpan(_n, count);
        var query = _packed.AsSpan(px * d, d).ToArray();
        double squareX = _squares[x], normX = Math.Sqrt(squareX), sizeX = _size[x];
        // Upper and lower bounds of the Ward value against every active cluster; chunks in parallel when large.
        int chunks = count >= 4096 ? KernelParallelism.Current : 1;
        var bestHigh = new double[chunks];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks, CancellationToken = cancellationToken }, c =>
        {
            int p0 = (int)((long)count * c / chunks), p1 = (int)((long)count * (c + 1) / chunks);
            bestHigh[c] = Bound(query, squareX, normX, sizeX, p0, p1, px, scratch);
        });
        double threshold = bestHigh.Min();
        int best = -1;
        double bestValue = double.PositiveInfinity;
        var cx = _centroids.AsSpan(x * d, d);
        for (int p = 0; p < count; p++)
        {
            if (low[p] > threshold || p == px) continue;
            int z = _order[p];
            double value = _size[z] * sizeX / (_size[z] + sizeX) * WideningSums.SquaredDistance(cx, _centroids.AsSpan(z * d, d));
            if (value < bestValue || (value == bestValue && z < best))
            {
                bestValue = value;
                best = z;
            }
        }
        _nearest[x] = best;
        _nearestVersion[x] = _version[best];
        _nearestValue[x] = bestValue;
        return (best, bestValue);
    }

    /// <summary>Bounds for positions [p0, p1) into scratch (low at p, high at n + p); returns the smallest high.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double Bound(float[] query, double squareX, double normX, double sizeX, int p0, int p1, int px, double[] scratch)
    {
        int d = _d, n = _n;
        double min = double.PositiveInfinity;
        ref float q = ref MemoryMarshal.GetArrayDataReference(query);
        Span<double> dots = stackalloc double[4];
        double slackX = _slackFactor * normX;
        for (int p = p0; p < p1; p += 4)
        {
            int rows = Math.Min(4, p1 - p);
            if (rows == 4) Dot4(ref q, ref _packed[p * d], d, dots);
            else for (int r = 0; r < rows; r++) dots[r] = Dot(ref q, ref _packed[(p + r) * d], d);
            for (int r = 0; r < rows; r++)
            {
                int at = p + r, z = _order[at];
                double squareZ = _squares[z], sizeZ = _size[z];
                double approx = squareX + squareZ - 2 * dots[r];
                double slack = slackX * _norms[z] + 1e-12 * (squareX + squareZ);
                double weight = sizeZ * sizeX / (sizeZ + sizeX);
                double lo = weight * Math.Max(0, approx - slack), hi = weight * (approx + slack);
                if (at == px) lo = hi = double.PositiveInfinity;
                scratch[at] = lo;
                scratch[n + at] = hi;
                if (hi < min) min = hi;
            }
        }
        return min;
    }

    /// <summary>Four float32 dot products of the query with consecutive rows, the query read once per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot4(ref float q, ref float rows, int d, Span<double> result)
    {
        if (!Vector512.IsHardwareAccelerated || d % 16 != 0)
        {
            for (int r = 0; r < 4; r++) result[r] = Dot(ref q, ref Unsafe.Add(ref rows, r * d), d);
            return;
        }
        ref float r1 = ref Unsafe.Add(ref rows, d);
        ref float r2 = ref Unsafe.Add(ref rows, 2 * d);
        ref float r3 = ref Unsafe.Add(ref rows, 3 * d);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int k = 0; k < d; k += 16)
        {
            var v = Vector512.LoadUnsafe(ref q, (nuint)k);
            a0 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref rows, (nuint)k), a0);
            a1 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref r1, (nuint)k), a1);
            a2 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref r2, (nuint)k), a2);
            a3 = Vector512.FusedMultiplyAdd(v, Vector512.LoadUnsafe(ref r3, (nuint)k), a3);
        }
        result[0] = Vector512.Sum(a0);
        result[1] = Vector512.Sum(a1);
        result[2] = Vector512.Sum(a2);
        result[3] = Vector512.Sum(a3);
    }

    // The kernel's float32 dot product; the proven bounds above hold for any summation order, so the exact pairs are
    // decided the same whichever SIMD width the kernel picks.
    private static double Dot(ref float x, ref float y, int d) =>
        VectorMath.Dot(MemoryMarshal.CreateReadOnlySpan(ref x, d), MemoryMarshal.CreateReadOnlySpan(ref y, d));

    /// <summary>Merges slot x into slot y (x &lt; y): y takes the weighted centroid, x leaves the packed order.</summary>
    private void Merge(int x, int y)
    {
        int d = _d;
        double sx = _size[x], sy = _size[y], total = sx + sy;
        var cx = _centroids.AsSpan(x * d, d);
        var cy = _centroids.AsSpan(y * d, d);
        for (int k = 0; k < d; k++) cy[k] = (sx * cx[k] + sy * cy[k]) / total;
        _squares[y] = DoubleVectorMath.Dot(cy, cy);
        _norms[y] = Math.Sqrt(_squares[y]);
        _size[y] = total;
        _size[x] = 0;
        _version[y]++;
        _version[x]++;
        _nearest[y] = -1;
        var packedY = _packed.AsSpan(_position[y] * d, d);
        for (int k = 0; k < d; k++) packedY[k] = (float)cy[k];
        // Remove x by moving the last packed row into its place; ties are broken by slot number, not scan order.
        int px = _position[x], last = _count - 1;
        if (px != last)
        {
            _packed.AsSpan(last * d, d).CopyTo(_packed.AsSpan(px * d, d));
            _order[px] = _order[last];
            _position[_order[px]] = px;
        }
        _position[x] = -1;
        _count--;
    }
}
