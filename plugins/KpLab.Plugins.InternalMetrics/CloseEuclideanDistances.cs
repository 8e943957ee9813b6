using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Plugins.InternalMetrics;

/// <summary>
/// Turns one row of float32 squared distances s' = |x|² + |y|² − 2x·y into distances, recomputing in double the pairs
/// where the float32 expansion is unreliable.
/// </summary>
/// <remarks>
/// The float32 dot product carries an error of order u·√d·|x||y| (u = 2⁻²⁴), so s' is off by up to about
/// u·√d·(|x|² + |y|²) whatever s is: exact duplicates come out some 10⁻³ apart after the square root, which moved a
/// TF-IDF silhouette of duplicate short answers by 1.4·10⁻⁴. Every pair with s' ≤ (|x|² + |y|²) / 16 is therefore
/// recomputed from the original rows in double (duplicates become exactly 0); for the remaining pairs s is at least
/// (|x|² + |y|²) / 16 minus that error, so the relative error of s stays below about 16·u·(1 + √d) ≈ 2·10⁻⁵ for
/// d = 384, and the distance's half of it, before silhouette averages them.
/// </remarks>
internal static class CloseEuclideanDistances
{
    /// <summary>Below this fraction of |x|² + |y|², a float32 squared distance is recomputed exactly.</summary>
    private const float RecomputeFraction = 1f / 16f;

    /// <summary>Writes the distances of row <paramref name="row"/> into <paramref name="distances"/>.</summary>
    /// <param name="squared">The row's float32 squared distances to every row.</param>
    /// <param name="squaredNorms">Float32 squared norms of all rows (as the expansion used).</param>
    /// <param name="row">The row's index.</param>
    /// <param name="distances">Receives the distances.</param>
    /// <param name="exactSquared">The exact squared distance from the row to row j, in double.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Resolve(ReadOnlySpan<float> squared, ReadOnlySpan<float> squaredNorms, int row, Span<float> distances,
        Func<int, double> exactSquared)
    {
        int n = squared.Length, j = 0;
        float own = squaredNorms[row];
        ref float s = ref MemoryMarshal.GetReference(squared);
        ref float norms = ref MemoryMarshal.GetReference(squaredNorms);
        ref float dist = ref MemoryMarshal.GetReference(distances);
        if (Vector512.IsHardwareAccelerated)
        {
            var fraction = Vector512.Create(RecomputeFraction);
            var ownNorm = Vector512.Create(own);
            for (; j <= n - 16; j += 16)
            {
                var value = Vector512.LoadUnsafe(ref s, (nuint)j);
                Vector512.Sqrt(value).StoreUnsafe(ref dist, (nuint)j);
                var close = Vector512.LessThanOrEqual(value, fraction * (ownNorm + Vector512.LoadUnsafe(ref norms, (nuint)j)));
                for (ulong bits = close.ExtractMostSignificantBits(); bits != 0; bits &= bits - 1)
                {
                    int t = j + System.Numerics.BitOperations.TrailingZeroCount(bits);
                    Unsafe.Add(ref dist, t) = (float)Math.Sqrt(exactSquared(t));
                }
            }
        }
        for (; j < n; j++)
        {
            float value = Unsafe.Add(ref s, j);
            Unsafe.Add(ref dist, j) = value <= RecomputeFraction * (own + Unsafe.Add(ref norms, j))
                ? (float)Math.Sqrt(exactSquared(j))
                : MathF.Sqrt(value);
        }
    }
}
