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

    /// <summary>The scalar tail of four dot products from position <paramref name="t"/> on (the same for every SIMD
    /// width), written to <paramref name="dots"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FinishFour(ref float px, ref float c0, ref float c1, ref float c2, ref float c3, int t, int depth,
        float s0, float s1, float s2, float s3, Span<float> dots)
    {
        for (; t < depth; t++)
        {
            var v = Unsafe.Add(ref px, t);
            s0 = MathF.FusedMultiplyAdd(v, Unsafe.Add(ref c0, t), s0);
            s1 = MathF.FusedMultiplyAdd(v, Unsafe.Add(ref c1, t), s1);
            s2 = MathF.FusedMultiplyAdd(v, Unsafe.Add(ref c2, t), s2);
            s3 = MathF.FusedMultiplyAdd(v, Unsafe.Add(ref c3, t), s3);
        }
        dots[0] = s0;
        dots[1] = s1;
        dots[2] = s2;
        dots[3] = s3;
    }

    /// <summary>
    /// dots[j] = x·c_j for every centroid, four centroids per pass over x with Vector256 (also on AVX-512 hardware) or
    /// Vector128; the centroids left over take <see cref="VectorMath.Dot(ReadOnlySpan{float}, ReadOnlySpan{float}, SimdWidth)"/>.
    /// </summary>
    private static void DotsWithCentroids(ReadOnlySpan<float> x, ReadOnlySpan<float> centroids, int depth, int k, Span<float> dots, SimdWidth width)
    {
        int j = 0;
        if (width >= SimdWidth.V256 && depth >= 8)
        {
            ref var px = ref MemoryMarshal.GetReference(x);
            for (; j <= k - 4; j += 4)
            {
                ref var c0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(centroids), j * depth);
                ref var c1 = ref Unsafe.Add(ref c0, depth);
                ref var c2 = ref Unsafe.Add(ref c1, depth);
                ref var c3 = ref Unsafe.Add(ref c2, depth);
                var a0 = Vector256<float>.Zero;
                var a1 = Vector256<float>.Zero;
                var a2 = Vector256<float>.Zero;
                var a3 = Vector256<float>.Zero;
                int t = 0;
                for (; t <= depth - 8; t += 8)
                {
                    var v = Vector256.LoadUnsafe(ref px, (nuint)t);
                    a0 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref c0, (nuint)t), a0);
                    a1 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref c1, (nuint)t), a1);
                    a2 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref c2, (nuint)t), a2);
                    a3 = Vector256.FusedMultiplyAdd(v, Vector256.LoadUnsafe(ref c3, (nuint)t), a3);
                }
                float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
                FinishFour(ref px, ref c0, ref c1, ref c2, ref c3, t, depth, s0, s1, s2, s3, dots.Slice(j, 4));
            }
        }
        else if (width == SimdWidth.V128 && depth >= 4)
        {
            ref var px = ref MemoryMarshal.GetReference(x);
            for (; j <= k - 4; j += 4)
            {
                ref var c0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(centroids), j * depth);
                ref var c1 = ref Unsafe.Add(ref c0, depth);
                ref var c2 = ref Unsafe.Add(ref c1, depth);
                ref var c3 = ref Unsafe.Add(ref c2, depth);
                var a0 = Vector128<float>.Zero;
                var a1 = Vector128<float>.Zero;
                var a2 = Vector128<float>.Zero;
                var a3 = Vector128<float>.Zero;
                int t = 0;
                for (; t <= depth - 4; t += 4)
                {
                    var v = Vector128.LoadUnsafe(ref px, (nuint)t);
                    a0 = Vector128.FusedMultiplyAdd(v, Vector128.LoadUnsafe(ref c0, (nuint)t), a0);
                    a1 = Vector128.FusedMultiplyAdd(v, Vector128.LoadUnsafe(ref c1, (nuint)t), a1);
                    a2 = Vector128.FusedMultiplyAdd(v, Vector128.LoadUnsafe(ref c2, (nuint)t), a2);
                    a3 = Vector128.FusedMultiplyAdd(v, Vector128.LoadUnsafe(ref c3, (nuint)t), a3);
                }
                float s0 = Vector128.Sum(a0), s1 = Vector128.Sum(a1), s2 = Vector128.Sum(a2), s3 = Vector128.Sum(a3);
                FinishFour(ref px, ref c0, ref c1, ref c2, ref c3, t, depth, s0, s1, s2, s3, dots.Slice(j, 4));
            }
        }
        for (; j < k; j++) dots[j] = VectorMath.Dot(x, centroids.Slice(j * depth, depth), width);
    }
}
