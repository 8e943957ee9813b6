using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Plugins.Agglomerative;

/// <summary>
/// The Lance–Williams update of one merged cluster's whole distance row, in SIMD, with exactly the floating-point
/// operations (same order, no fused multiply-add) of SciPy's <c>_ward</c>, <c>_average</c> and <c>_complete</c>, so
/// every lane equals what SciPy computes for that cluster. Slots whose old distances are +∞ (the diagonal, merged-away
/// clusters) stay +∞.
/// </summary>
internal static class LanceWilliamsRow
{
    /// <summary>Overwrites <paramref name="rowY"/>[i] with the distance from x ∪ y to cluster i, for every i.</summary>
    /// <param name="linkage">Ward, average or complete.</param>
    /// <param name="rowX">Distances from x (read).</param>
    /// <param name="rowY">Distances from y (read, then overwritten).</param>
    /// <param name="size">Size of each cluster i (aligned with the rows).</param>
    /// <param name="dxy">The distance between x and y.</param>
    /// <param name="sx">Size of x.</param>
    /// <param name="sy">Size of y.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Update(Linkage linkage, ReadOnlySpan<double> rowX, Span<double> rowY, ReadOnlySpan<double> size,
        double dxy, double sx, double sy)
    {
        int n = rowY.Length, i = 0;
        ref double px = ref MemoryMarshal.GetReference(rowX);
        ref double py = ref MemoryMarshal.GetReference(rowY);
        ref double ps = ref MemoryMarshal.GetReference(size);
        if (Vector256.IsHardwareAccelerated)
        {
            int last = n - Vector256<double>.Count;
            switch (linkage)
            {
                case Linkage.Ward:
                    var vsx = Vector256.Create(sx);
                    var vsy = Vector256.Create(sy);
                    var vsxy = Vector256.Create(sx + sy);
                    var vdxy = Vector256.Create(dxy);
                    var one = Vector256.Create(1.0);
                    for (; i <= last; i += Vector256<double>.Count)
                    {
                        var dxi = Vector256.LoadUnsafe(ref px, (nuint)i);
                        var dyi = Vector256.LoadUnsafe(ref py, (nuint)i);
                        var si = Vector256.LoadUnsafe(ref ps, (nuint)i);
                        var t = one / (vsxy + si);
                        var value = Vector256.Sqrt((si + vsx) * t * dxi * dxi + (si + vsy) * t * dyi * dyi - si * t * vdxy * vdxy);
                        value.StoreUnsafe(ref py, (nuint)i);
                    }
                    break;
                case Linkage.Average:
                    var ax = Vector256.Create(sx);
                    var ay = Vector256.Create(sy);
                    var total = Vector256.Create(sx + sy);
                    for (; i <= last; i += Vector256<double>.Count)
                    {
                        var dxi = Vector256.LoadUnsafe(ref px, (nuint)i);
                        var dyi = Vector256.LoadUnsafe(ref py, (nuint)i);
                        ((ax * dxi + ay * dyi) / total).StoreUnsafe(ref py, (nuint)i);
                    }
                    break;
                default:
                    for (; i <= last; i += Vector256<double>.Count)
                    {
                        var dxi = Vector256.LoadUnsafe(ref px, (nuint)i);
                        var dyi = Vector256.LoadUnsafe(ref py, (nuint)i);
                        Vector256.ConditionalSelect(Vector256.GreaterThan(dxi, dyi), dxi, dyi).StoreUnsafe(ref py, (nuint)i);
                    }
                    break;
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref py, i) = Scalar(linkage, Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), dxy, sx, sy, Unsafe.Add(ref ps, i));
    }

    /// <summary>One entry, as SciPy writes it (ward: <c>_ward</c>).</summary>
    private static double Scalar(Linkage linkage, double dxi, double dyi, double dxy, double sx, double sy, double si)
    {
        switch (linkage)
        {
            case Linkage.Complete:
                return dxi > dyi ? dxi : dyi;
            case Linkage.Average:
                return (sx * dxi + sy * dyi) / (sx + sy);
            default:
                double t = 1.0 / (sx + sy + si);
                return Math.Sqrt((si + sx) * t * dxi * dxi + (si + sy) * t * dyi * dyi - si * t * dxy * dxy);
        }
    }
}
