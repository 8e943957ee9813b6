using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// Exact double distances (<see cref="ExactDistances"/>) made cheap to search: a float32 Gram matrix (one
/// register-blocked GEMM over the upper triangle, <see cref="PackedMatrixProduct"/>) gives every pairwise distance to within a proven bound, so
/// a search computes the exact distance only for the pairs the bound cannot decide. The float32 dot product of rows a
/// and b, accumulated in any order, errs by at most γ_d·|a||b| with γ_d = d·u / (1 − d·u), u = 2⁻²⁴ (Higham, Accuracy
/// and Stability of Numerical Algorithms, §3.1); the bound used is twice that, plus 10⁻¹² of the squared norms for the
/// double arithmetic. Memory: 4·n² bytes (100 MB at n = 5,000).
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
    public static GramDistanceBounds Compute(ReadOnlySpan<float> data, int depth, PairwiseMeasure measure)
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
        return new GramDistanceBounds(copy, depth, measure, SymmetricGram(copy, n, depth), squares, norms);
    }

    /// <summary>
    /// A·Aᵀ through <see cref="PackedMatrixProduct"/>, only the upper triangle by row blocks (each block against the
    /// columns from its first row on), then mirrored in cache-sized tiles: half the multiply-adds of the full product.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[] SymmetricGram(float[] data, int n, int depth)
    {
        var gram = GC.AllocateUninitializedArray<float>(n * n);
        if (n == 0) return gram;
        int blockRows = Math.Max(512, (n / 16 + 15) / 16 * 16);
        var transposed = new float[depth * n];
        var product = new float[(long)blockRows * n];
        for (int r0 = 0; r0 < n; r0 += blockRows)
        {
            int r1 = Math.Min(n, r0 + blockRows), columns = n - r0;
            for (int k = 0; k < depth; k++)
                for (int j = 0; j < columns; j++) transposed[k * columns + j] = data[(r0 + j) * depth + k];
            var packed = PackedMatrix.FromRowMajor(transposed.AsSpan(0, depth * columns), depth, columns);
            PackedMatrixProduct.Multiply(data.AsSpan(r0 * depth, (r1 - r0) * depth), r1 - r0, packed, [], product);
            for (int i = r0; i < r1; i++)
                product.AsSpan((i - r0) * columns + (i - r0), n - i).CopyTo(gram.AsSpan(i * n + i, n - i));
        }
        const int tile = 64;
        int tiles = (n + tile - 1) / tile;
        Parallel.For(0, tiles, KernelParallelism.Options(), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
        {
            int j0 = t * tile, j1 = Math.Min(n, j0 + tile);
            for (int i0 = 0; i0 <= j0; i0 += tile)
            {
                int i1 = Math.Min(n, i0 + tile);
                for (int j = j0; j < j1; j++)
                    for (int i = i0; i < Math.Min(i1, j); i++) gram[j * n + i] = gram[i * n + j];
            }
        });
        return gram;
    }

    /// <summary>The exact distance between rows <paramref name="i"/> and <paramref name="j"/> (<see cref="ExactDistances.Between"/>).</summary>
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
        options.CancellationToken = cancellationToken;
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
