using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// Exact double distances (<see cref="ExactDistances"/>) made cheap to search: a float32 Gram matrix (a
/// register-blocked product over the upper triangle) gives every pairwise distance to within a proven bound, so a search computes the exact distance only for the pairs the bound cannot decide. The float32 dot product of rows a
/// and b, accumulated in any order, errs by at most γ_d·|a||b| with γ_d = d·u / (1 − d·u), u = 2⁻²⁴ (Higham, Accuracy
/// and Stability of Numerical Algorithms, §3.1); the bound used is twice that, plus 10⁻¹² of the squared norms for the
/// double arithmetic. Memory: 4·n² bytes (100 MB at n = 5,000). A general primitive: <see cref="DenseSpanningTree"/>
/// (single linkage, HDBSCAN) and HDBSCAN's core distances search it.
/// </summary>
public sealed class GramDistanceBounds
{
    private readonly float[] _data;

    private GramDistanceBounds(float[] data, int depth, PairwiseMeasure measure, float[] gram, double[] squares, double[] norms)
    {
        _data = data;
        Depth = depth;
        Measure = measure;
        Gram = gram;
        Squares = squares;
        Norms = norms;
        Size = norms.Length;
        double unit = Math.ScaleB(1.0, -24);
        Gamma = 2 * depth * unit / (1 - depth * unit);
    }

    /// <summary>The number of rows.</summary>
    public int Size { get; }

    /// <summary>The row length.</summary>
    public int Depth { get; }

    /// <summary>The measure the distances are in.</summary>
    public PairwiseMeasure Measure { get; }

    internal float[] Gram { get; }

    internal double[] Squares { get; }

    internal double[] Norms { get; }

    internal double Gamma { get; }

    /// <summary>The largest n for which the Gram matrix fits one array.</summary>
    public static int MaxRows => 46340;

    /// <summary>Computes the Gram matrix and the row norms of <paramref name="data"/> (which is copied).</summary>
    /// <param name="data">Row-major rows, n × <paramref name="depth"/>, n ≥ 1, all finite.</param>
    /// <param name="depth">Row length, at least 1.</param>
    /// <param name="measure">Euclidean, SquaredEuclidean or CosineDistance (cosine needs non-zero rows).</param>
    /// <exception cref="ArgumentException">The measure is unsupported or n exceeds <see cref="MaxRows"/>.</exception>
    public static GramDistanceBounds Compute(ReadOnlySpan<float> data, int depth, PairwiseMeasure measure) =>
        Compute(data, depth, measure, CancellationToken.None);

    /// <summary><see cref="Compute(ReadOnlySpan{float}, int, PairwiseMeasure)"/>, stopping between row bands of the Gram
    /// product when <paramref name="cancellationToken"/> is cancelled.</summary>
    public static GramDistanceBounds Compute(ReadOnlySpan<float> data, int depth, PairwiseMeasure measure,
        CancellationToken cancellationToken)
    {
        if (measure is not (PairwiseMeasure.Euclidean or PairwiseMeasure.SquaredEuclidean or PairwiseMeasure.CosineDistance))
            throw new ArgumentException($"Exact distances support Euclidean, SquaredEuclidean and CosineDistance, not {measure}.", nameof(measure));
        int n = MatrixRows.RowCount(data.Length, depth);
        if (n > MaxRows) throw new ArgumentException($"A Gram matrix of {n} rows exceeds one array (at most {MaxRows}).", nameof(data));
        var copy = data.ToArray();
        var squares = new double[n];
        var norms = new double[n];
        for (int i = 0; i < n; i++)
        {
            var row = data.Slice(i * depth, depth);
            squares[i] = ExactDistances.Dot(row, row);
            norms[i] = Math.Sqrt(squares[i]);
        }
        return new GramDistanceBounds(copy, depth, measure, SymmetricGram(copy, n, depth, cancellationToken), squares, norms);
    }

    /// <summary>
    /// A·Aᵀ, the upper triangle in 64 × 64 tiles (row bands in parallel, each tile mirrored as it is written) with a
    /// 4 × 4 register-blocked float32 kernel: half the multiply-adds of the full product. Each entry is one float32 dot
    /// product in a fixed order, so the matrix does not depend on the thread count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float[] SymmetricGram(float[] data, int n, int depth, CancellationToken cancellationToken)
    {
        var gram = GC.AllocateUninitializedArray<float>(n * n);
        if (n == 0) return gram;
        const int tile = 64;
        int bands = (n + tile - 1) / tile;
        fixed (float* pData = data)
        fixed (float* pGram = gram)
        {
            nint rowsPtr = (nint)pData, gramPtr = (nint)pGram;
            var options = KernelParallelism.Options();
            options.CancellationToken = KernelParallelism.Or(cancellationToken);
            Parallel.For(0, bands, options, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (band) =>
            {
                float* rows = (float*)rowsPtr, c = (float*)gramPtr;
                float* block = stackalloc float[16];
                int i0 = band * tile, i1 = Math.Min(n, i0 + tile);
                for (int j0 = i0; j0 < n; j0 += tile)
                {
                    int j1 = Math.Min(n, j0 + tile);
                    for (int i = i0; i < i1; i += 4)
                    {
                        for (int j = j0; j < j1; j += 4)
                        {
                            if (i + 4 <= i1 && j + 4 <= j1 && Vector512.IsHardwareAccelerated)
                            {
                                Dot4x4(rows + (long)i * depth, rows + (long)j * depth, depth, block);
                                for (int r = 0; r < 4; r++)
                                    for (int q = 0; q < 4; q++)
                                        c[(long)(i + r) * n + j + q] = c[(long)(j + q) * n + i + r] = block[r * 4 + q];
                            }
                            else
                            {
                                for (int r = i; r < Math.Min(i + 4, i1); r++)
                                    for (int q = j; q < Math.Min(j + 4, j1); q++)
                                        c[(long)r * n + q] = c[(long)q * n + r] = DotOne(rows + (long)r * depth, rows + (long)q * depth, depth);
                            }
                        }
                    }
                }
            });
        }
        return gram;
    }

    /// <summary>One float32 dot product (edges of the Gram matrix).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe float DotOne(float* x, float* y, int depth)
    {
        float sum = 0;
        for (int k = 0; k < depth; k++) sum = MathF.FusedMultiplyAdd(x[k], y[k], sum);
        return sum;
    }

    /// <summary>The 4 × 4 dot products of rows a0..a3 with b0..b3 (each row <paramref name="depth"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Dot4x4(float* a, float* b, int depth, float* result)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
        int k = 0;
        for (; k <= depth - 16; k += 16)
        {
            var a0 = Vector512.Load(a + 0 * depth + k);
            var a1 = Vector512.Load(a + 1 * depth + k);
            var a2 = Vector512.Load(a + 2 * depth + k);
            var a3 = Vector512.Load(a + 3 * depth + k);
            var b0 = Vector512.Load(b + 0 * depth + k);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            var b1 = Vector512.Load(b + 1 * depth + k);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var b2 = Vector512.Load(b + 2 * depth + k);
            c02 = Vector512.FusedMultiplyAdd(a0, b2, c02); c12 = Vector512.FusedMultiplyAdd(a1, b2, c12); c22 = Vector512.FusedMultiplyAdd(a2, b2, c22); c32 = Vector512.FusedMultiplyAdd(a3, b2, c32);
            var b3 = Vector512.Load(b + 3 * depth + k);
            c03 = Vector512.FusedMultiplyAdd(a0, b3, c03); c13 = Vector512.FusedMultiplyAdd(a1, b3, c13); c23 = Vector512.FusedMultiplyAdd(a2, b3, c23); c33 = Vector512.FusedMultiplyAdd(a3, b3, c33);
        }
        result[0] = Tail(a + 0 * depth, b + 0 * depth, k, depth, Vector512.Sum(c00));
        result[1] = Tail(a + 0 * depth, b + 1 * depth, k, depth, Vector512.Sum(c01));
        result[2] = Tail(a + 0 * depth, b + 2 * depth, k, depth, Vector512.Sum(c02));
        result[3] = Tail(a + 0 * depth, b + 3 * depth, k, depth, Vector512.Sum(c03));
        result[4] = Tail(a + 1 * depth, b + 0 * depth, k, depth, Vector512.Sum(c10));
        result[5] = Tail(a + 1 * depth, b + 1 * depth, k, depth, Vector512.Sum(c11));
        result[6] = Tail(a + 1 * depth, b + 2 * depth, k, depth, Vector512.Sum(c12));
        result[7] = Tail(a + 1 * depth, b + 3 * depth, k, depth, Vector512.Sum(c13));
        result[8] = Tail(a + 2 * depth, b + 0 * depth, k, depth, Vector512.Sum(c20));
        result[9] = Tail(a + 2 * depth, b + 1 * depth, k, depth, Vector512.Sum(c21));
        result[10] = Tail(a + 2 * depth, b + 2 * depth, k, depth, Vector512.Sum(c22));
        result[11] = Tail(a + 2 * depth, b + 3 * depth, k, depth, Vector512.Sum(c23));
        result[12] = Tail(a + 3 * depth, b + 0 * depth, k, depth, Vector512.Sum(c30));
        result[13] = Tail(a + 3 * depth, b + 1 * depth, k, depth, Vector512.Sum(c31));
        result[14] = Tail(a + 3 * depth, b + 2 * depth, k, depth, Vector512.Sum(c32));
        result[15] = Tail(a + 3 * depth, b + 3 * depth, k, depth, Vector512.Sum(c33));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float Tail(float* x, float* y, int k, int depth, float sum)
    {
        for (; k < depth; k++) sum = MathF.FusedMultiplyAdd(x[k], y[k], sum);
        return sum;
    }

    /// <summary>The exact distance between rows <paramref name="i"/> and <paramref name="j"/> (<see cref="ExactDistances.Between"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Exact(int i, int j)
    {
        var x = _data.AsSpan(i * Depth, Depth);
        var y = _data.AsSpan(j * Depth, Depth);
        return Measure switch
        {
            PairwiseMeasure.SquaredEuclidean => ExactDistances.SquaredEuclidean(x, y),
            PairwiseMeasure.Euclidean => Math.Sqrt(ExactDistances.SquaredEuclidean(x, y)),
            _ => ExactDistances.CosineDistance(ExactDistances.Dot(x, y), Norms[i], Norms[j]),
        };
    }

    /// <summary>
    /// Bounds on the distance between rows <paramref name="i"/> and <paramref name="j"/> in search units: the squared
    /// distance for the Euclidean measures, the distance itself for the others (<see cref="ToSearchUnits"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Bounds(int i, int j, out double low, out double high)
    {
        double g = Gram[i * Size + j];
        double approx, slack;
        if (Measure == PairwiseMeasure.CosineDistance)
        {
            approx = 1.0 - g / (Norms[i] * Norms[j]);
            slack = Gamma + 1e-12;
        }
        else
        {
            approx = Squares[i] + Squares[j] - 2.0 * g;
            slack = 2 * Gamma * Norms[i] * Norms[j] + 1e-12 * (Squares[i] + Squares[j]);
        }
        low = approx - slack;
        high = approx + slack;
    }

    /// <summary><see cref="Bounds"/> from row <paramref name="i"/> to every row, in SIMD.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void RowBounds(int i, Span<double> low, Span<double> high)
    {
        int n = Size, j = 0;
        var gram = Gram.AsSpan(i * n, n);
        bool cosine = Measure == PairwiseMeasure.CosineDistance;
        double normI = Norms[i], squareI = Squares[i];
        if (Vector256.IsHardwareAccelerated)
        {
            var vNormI = Vector256.Create(normI);
            var vSquareI = Vector256.Create(squareI);
            var vGammaNormI = Vector256.Create(2 * Gamma * normI);
            var vTwo = Vector256.Create(2.0);
            var vOne = Vector256.Create(1.0);
            var vTiny = Vector256.Create(1e-12);
            var vCosineSlack = Vector256.Create(Gamma + 1e-12);
            for (; j <= n - Vector256<float>.Count; j += Vector256<float>.Count)
            {
                var (g0, g1) = Vector256.Widen(Vector256.Create(gram.Slice(j, Vector256<float>.Count)));
                for (int half = 0; half < 2; half++)
                {
                    var g = half == 0 ? g0 : g1;
                    int at = j + half * Vector256<double>.Count;
                    var normJ = Vector256.Create(Norms.AsSpan(at, Vector256<double>.Count));
                    Vector256<double> approx, slack;
                    if (cosine)
                    {
                        approx = vOne - g / (vNormI * normJ);
                        slack = vCosineSlack;
                    }
                    else
                    {
                        var squareJ = Vector256.Create(Squares.AsSpan(at, Vector256<double>.Count));
                        approx = vSquareI + squareJ - vTwo * g;
                        slack = vGammaNormI * normJ + vTiny * (vSquareI + squareJ);
                    }
                    (approx - slack).CopyTo(low.Slice(at));
                    (approx + slack).CopyTo(high.Slice(at));
                }
            }
        }
        for (; j < n; j++) Bounds(i, j, out low[j], out high[j]);
    }

    /// <summary>A distance (≥ 0, or +∞) in the units of <see cref="Bounds"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal double ToSearchUnits(double distance) => Measure == PairwiseMeasure.Euclidean ? distance * distance : distance;

    /// <summary>
    /// The exact distance from every row to its k-th nearest row, counting the row itself as the first (distance 0):
    /// R dbscan's <c>kNNdist(x, k − 1)</c>, HDBSCAN's core distance. The bounds pick every row that could be among the
    /// k nearest; only those are measured exactly, so the result is the exact k-th smallest distance, ties included.
    /// Parallel over rows under <see cref="KernelParallelism"/>; each row's value does not depend on the thread count.
    /// </summary>
    /// <param name="k">1 ≤ k ≤ n.</param>
    /// <param name="cancellationToken">Stops the computation between rows.</param>
    public double[] KthNearest(int k, CancellationToken cancellationToken = default)
    {
        int n = Size;
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1, nameof(k));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n, nameof(k));
        var result = new double[n];
        if (k == 1) return result;
        var options = KernelParallelism.Options();
        options.CancellationToken = KernelParallelism.Or(cancellationToken);
        Parallel.For(0, n, options, () => (Highs: new double[k], Low: new double[n], High: new double[n], Candidates: new List<double>()),
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (i, state, scratch) =>
        {
            var (highs, low, high, candidates) = scratch;
            RowBounds(i, low, high);
            low[i] = high[i] = double.PositiveInfinity; // self is counted below as the first, at distance 0
            // The k smallest upper bounds, kept sorted; the k-th is a threshold that no farther row can pass.
            Array.Fill(highs, double.PositiveInfinity);
            highs[0] = 0;
            for (int j = 0; j < n; j++)
            {
                double h = high[j];
                if (h >= highs[k - 1]) continue;
                int p = k - 1;
                while (p > 0 && highs[p - 1] > h) { highs[p] = highs[p - 1]; p--; }
                highs[p] = h;
            }
            double threshold = highs[k - 1];
            candidates.Clear();
            candidates.Add(0.0);
            for (int j = 0; j < n; j++)
                if (low[j] <= threshold) candidates.Add(Exact(i, j));
            candidates.Sort();
            result[i] = candidates[k - 1];
            return scratch;
        }, _ => { });
        return result;
    }
}
