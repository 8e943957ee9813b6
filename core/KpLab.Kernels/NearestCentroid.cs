using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// The k-means assignment step fused into one pass: for each row x, the centroid c minimising |c|² − 2x·c (the squared
/// Euclidean distance less the constant |x|²), without materialising the row's products with all centroids in
/// memory. Dot products are register-blocked over four centroids at a time (one load of x feeds four fused
/// multiply-adds), which is what makes a skinny A·Bᵀ with few centroids fast. Single-threaded: callers tile the rows
/// and run tiles in parallel; each row's result depends only on that row, so it does not depend on the tiling.
/// </summary>
public static class NearestCentroid
{
    /// <summary>Labels every row with its nearest centroid (first on ties).</summary>
    /// <param name="rows">The rows, <c>n × depth</c>, row-major.</param>
    /// <param name="centroids">The centroids, <c>k × depth</c>, row-major, k ≥ 1.</param>
    /// <param name="depth">Row length, at least 1.</param>
    /// <param name="centroidSquaredNorms">|c_j|² for each centroid (length k), e.g. from <see cref="MatrixRows.SquaredNorms"/>.</param>
    /// <param name="labels">Receives the index of the nearest centroid of each row (length ≥ n).</param>
    /// <param name="scores">Receives |c|² − 2x·c for that centroid (add |x|² for the squared distance); may be empty.</param>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public static void Assign(ReadOnlySpan<float> rows, ReadOnlySpan<float> centroids, int depth,
        ReadOnlySpan<float> centroidSquaredNorms, Span<int> labels, Span<float> scores)
        => Assign(rows, centroids, depth, centroidSquaredNorms, labels, scores, SimdWidths.Best);

    internal static void Assign(ReadOnlySpan<float> rows, ReadOnlySpan<float> centroids, int depth,
        ReadOnlySpan<float> centroidSquaredNorms, Span<int> labels, Span<float> scores, SimdWidth width)
    {
        int n = MatrixRows.RowCount(rows.Length, depth);
        int k = MatrixRows.RowCount(centroids.Length, depth);
        if (k < 1) throw new ArgumentException("At least one centroid is needed.", nameof(centroids));
        if (centroidSquaredNorms.Length != k) throw new ArgumentException($"{centroidSquaredNorms.Length} norms for {k} centroids.", nameof(centroidSquaredNorms));
        if (labels.Length < n) throw new ArgumentException($"{labels.Length} label slots for {n} rows.", nameof(labels));
        if (!scores.IsEmpty && scores.Length < n) throw new ArgumentException($"{scores.Length} score slots for {n} rows.", nameof(scores));
        Span<float> dots = k <= 256 ? stackalloc float[k] : new float[k];
        for (int i = 0; i < n; i++)
        {
            var x = rows.Slice(i * depth, depth);
            DotsWithCentroids(x, centroids, depth, k, dots, width);
            int best = 0;
            float bestValue = centroidSquaredNorms[0] - 2f * dots[0];
            for (int j = 1; j < k; j++)
            {
                float value = centroidSquaredNorms[j] - 2f * dots[j];
                if (value < bestValue) { bestValue = value; best = j; }
            }
            labels[i] = best;
            if (!scores.IsEmpty) scores[i] = bestValue;
        }
    }

    /// <summary>
    /// dots[j] = x·c_j for every centroid, four centroids per pass over x with Vector256 (also on AVX-512 hardware) or
    /// Vector128; the centroids left over take <see cref="VectorMath.Dot(ReadOnlySpan{float}, ReadOnlySpan{float}, SimdWidth)"/>.
    /// </summary>
    private static void DotsWithCentroids(ReadOnlySpan<float> x, ReadOnlySpan<float> centroids, int depth, int k, Span<float> dots, SimdWidth width)
    {
        int j = width.AtMost256().ForLength(depth) switch
        {
            SimdWidth.V256 => DotsWithFours<Lanes256<float>, Vector256<float>>(x, centroids, depth, k, dots),
            SimdWidth.V128 => DotsWithFours<Lanes128<float>, Vector128<float>>(x, centroids, depth, k, dots),
            _ => 0,
        };
        for (; j < k; j++) dots[j] = VectorMath.Dot(x, centroids.Slice(j * depth, depth), width);
    }

    /// <summary>The dot products of x with each whole group of four centroids; returns how many centroids it did.</summary>
    private static int DotsWithFours<TLanes, TVector>(ReadOnlySpan<float> x, ReadOnlySpan<float> centroids, int depth, int k, Span<float> dots)
        where TLanes : struct, ILanes<TVector, float>
        where TVector : struct
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        int j = 0;
        for (; j <= k - 4; j += 4)
        {
            ref var c0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(centroids), j * depth);
            ref var c1 = ref Unsafe.Add(ref c0, depth);
            ref var c2 = ref Unsafe.Add(ref c1, depth);
            ref var c3 = ref Unsafe.Add(ref c2, depth);
            var a0 = TLanes.Zero;
            var a1 = TLanes.Zero;
            var a2 = TLanes.Zero;
            var a3 = TLanes.Zero;
            int t = 0;
            for (; t <= depth - TLanes.Count; t += TLanes.Count)
            {
                var v = TLanes.Load(ref px, (nuint)t);
                a0 = TLanes.FusedMultiplyAdd(v, TLanes.Load(ref c0, (nuint)t), a0);
                a1 = TLanes.FusedMultiplyAdd(v, TLanes.Load(ref c1, (nuint)t), a1);
                a2 = TLanes.FusedMultiplyAdd(v, TLanes.Load(ref c2, (nuint)t), a2);
                a3 = TLanes.FusedMultiplyAdd(v, TLanes.Load(ref c3, (nuint)t), a3);
            }
            float s0 = TLanes.Sum(a0), s1 = TLanes.Sum(a1), s2 = TLanes.Sum(a2), s3 = TLanes.Sum(a3);
            for (; t < depth; t++)
            {
                var v = Unsafe.Add(ref px, t);
                s0 = MathF.FusedMultiplyAdd(v, Unsafe.Add(ref c0, t), s0);
                s1 = MathF.FusedMultiplyAdd(v, Unsafe.Add(ref c1, t), s1);
                s2 = MathF.FusedMultiplyAdd(v, Unsafe.Add(ref c2, t), s2);
                s3 = MathF.FusedMultiplyAdd(v, Unsafe.Add(ref c3, t), s3);
            }
            dots[j] = s0;
            dots[j + 1] = s1;
            dots[j + 2] = s2;
            dots[j + 3] = s3;
        }
        return j;
    }
}
