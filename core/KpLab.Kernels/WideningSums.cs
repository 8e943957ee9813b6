using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// Float32 data accumulated in float64: sums, per-segment sums, centroid accumulation and mixed-precision dot products.
/// Metrics that must agree with float64 references to 1e-10 (centroids, dispersions, per-cluster distance sums over
/// thousands of terms) use these instead of the float32 primitives of <see cref="VectorMath"/>. Each float is widened
/// exactly, so the only rounding is that of the float64 additions. SIMD (<see cref="Vector256"/> of doubles, also on
/// AVX-512 hardware; <see cref="Vector128"/> on ARM64) when accelerated; the accumulation order is fixed for a given length, so results are reproducible run to run.
/// </summary>
public static class WideningSums
{
    /// <summary>The sum of <paramref name="x"/>, accumulated in float64.</summary>
    public static double Sum(ReadOnlySpan<float> x) => Sum(x, SimdWidths.Best);

    internal static double Sum(ReadOnlySpan<float> x, SimdWidth width)
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        double sum = 0;
        if (width >= SimdWidth.V256 && n >= 16)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref px, (nuint)i));
                acc0 += lo;
                acc1 += hi;
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        else if (width == SimdWidth.V128 && n >= 8)
        {
            var acc0 = Vector128<double>.Zero;
            var acc1 = Vector128<double>.Zero;
            for (; i <= n - 4; i += 4)
            {
                var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref px, (nuint)i));
                acc0 += lo;
                acc1 += hi;
            }
            sum = Vector128.Sum(acc0 + acc1);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref px, i);
        return sum;
    }

    /// <summary>
    /// Sums consecutive segments of <paramref name="values"/>: segment s is
    /// <c>[boundaries[s], boundaries[s + 1])</c>, and its sum is written to <paramref name="sums"/>[s].
    /// </summary>
    /// <param name="values">The values.</param>
    /// <param name="boundaries">Ascending segment starts followed by the end, length segments + 1.</param>
    /// <param name="sums">Receives one float64 sum per segment.</param>
    /// <exception cref="ArgumentException">The boundaries are not ascending within the values, or the output is too short.</exception>
    public static void SegmentSums(ReadOnlySpan<float> values, ReadOnlySpan<int> boundaries, Span<double> sums)
    {
        int segments = boundaries.Length - 1;
        if (segments < 0 || sums.Length < segments)
            throw new ArgumentException($"{boundaries.Length} boundaries need {Math.Max(segments, 0)} output slots; got {sums.Length}.", nameof(sums));
        for (int s = 0; s < segments; s++)
        {
            int start = boundaries[s], end = boundaries[s + 1];
            if (start < 0 || end < start || end > values.Length)
                throw new ArgumentException($"Segment {s} [{start}, {end}) is not inside the {values.Length} values.", nameof(boundaries));
            sums[s] = Sum(values[start..end]);
        }
    }

    /// <summary>acc ← acc + x, element-wise, widening x to float64.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void AddTo(ReadOnlySpan<float> x, Span<double> acc) => ScaleAddTo(1.0, x, acc);

    /// <summary>acc ← acc + a·x, element-wise, widening x to float64.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ScaleAddTo(double a, ReadOnlySpan<float> x, Span<double> acc) => ScaleAddTo(a, x, acc, SimdWidths.Best);

    internal static void ScaleAddTo(double a, ReadOnlySpan<float> x, Span<double> acc, SimdWidth width)
    {
        if (x.Length != acc.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {acc.Length}.", nameof(acc));
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var pa = ref MemoryMarshal.GetReference(acc);
        int n = x.Length, i = 0;
        if (width >= SimdWidth.V256)
        {
            var va = Vector256.Create(a);
            for (; i <= n - 8; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref px, (nuint)i));
                Vector256.FusedMultiplyAdd(va, lo, Vector256.LoadUnsafe(ref pa, (nuint)i)).StoreUnsafe(ref pa, (nuint)i);
                Vector256.FusedMultiplyAdd(va, hi, Vector256.LoadUnsafe(ref pa, (nuint)(i + 4))).StoreUnsafe(ref pa, (nuint)(i + 4));
            }
        }
        else if (width == SimdWidth.V128)
        {
            var va = Vector128.Create(a);
            for (; i <= n - 4; i += 4)
            {
                var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref px, (nuint)i));
                Vector128.FusedMultiplyAdd(va, lo, Vector128.LoadUnsafe(ref pa, (nuint)i)).StoreUnsafe(ref pa, (nuint)i);
                Vector128.FusedMultiplyAdd(va, hi, Vector128.LoadUnsafe(ref pa, (nuint)(i + 2))).StoreUnsafe(ref pa, (nuint)(i + 2));
            }
        }
        for (; i < n; i++) Unsafe.Add(ref pa, i) = Math.FusedMultiplyAdd(a, Unsafe.Add(ref px, i), Unsafe.Add(ref pa, i));
    }

    /// <summary>The dot product x·y in float64, x widened from float32.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<double> y) => Dot(x, y, SimdWidths.Best);

    internal static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<double> y, SimdWidth width)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.", nameof(y));
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        double sum = 0;
        if (width >= SimdWidth.V256 && n >= 8)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref px, (nuint)i));
                acc0 = Vector256.FusedMultiplyAdd(lo, Vector256.LoadUnsafe(ref py, (nuint)i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(hi, Vector256.LoadUnsafe(ref py, (nuint)(i + 4)), acc1);
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        else if (width == SimdWidth.V128 && n >= 4)
        {
            var acc0 = Vector128<double>.Zero;
            var acc1 = Vector128<double>.Zero;
            for (; i <= n - 4; i += 4)
            {
                var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref px, (nuint)i));
                acc0 = Vector128.FusedMultiplyAdd(lo, Vector128.LoadUnsafe(ref py, (nuint)i), acc0);
                acc1 = Vector128.FusedMultiplyAdd(hi, Vector128.LoadUnsafe(ref py, (nuint)(i + 2)), acc1);
            }
            sum = Vector128.Sum(acc0 + acc1);
        }
        for (; i < n; i++) sum = Math.FusedMultiplyAdd(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), sum);
        return sum;
    }

    /// <summary>The dot product x·y of two float32 vectors, products and sum in float64 (exact products).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => Dot(x, y, SimdWidths.Best);

    internal static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdWidth width)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.", nameof(y));
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        double sum = 0;
        if (width >= SimdWidth.V256 && n >= 8)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var (xl, xh) = Vector256.Widen(Vector256.LoadUnsafe(ref px, (nuint)i));
                var (yl, yh) = Vector256.Widen(Vector256.LoadUnsafe(ref py, (nuint)i));
                acc0 = Vector256.FusedMultiplyAdd(xl, yl, acc0);
                acc1 = Vector256.FusedMultiplyAdd(xh, yh, acc1);
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        else if (width == SimdWidth.V128 && n >= 4)
        {
            var acc0 = Vector128<double>.Zero;
            var acc1 = Vector128<double>.Zero;
            for (; i <= n - 4; i += 4)
            {
                var (xl, xh) = Vector128.Widen(Vector128.LoadUnsafe(ref px, (nuint)i));
                var (yl, yh) = Vector128.Widen(Vector128.LoadUnsafe(ref py, (nuint)i));
                acc0 = Vector128.FusedMultiplyAdd(xl, yl, acc0);
                acc1 = Vector128.FusedMultiplyAdd(xh, yh, acc1);
            }
            sum = Vector128.Sum(acc0 + acc1);
        }
        for (; i < n; i++) sum = Math.FusedMultiplyAdd((double)Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), sum);
        return sum;
    }

    /// <summary>The dot product x·y of two float64 vectors (the same kernel as <see cref="DoubleVectorMath.Dot"/>).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => DoubleVectorMath.Dot(x, y);

    /// <summary>The squared Euclidean distance |x − c|² in float64, x widened from float32 (differences, no cancellation).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<double> c) => SquaredDistance(x, c, SimdWidths.Best);

    internal static double SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<double> c, SimdWidth width)
    {
        if (x.Length != c.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {c.Length}.", nameof(c));
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var pc = ref MemoryMarshal.GetReference(c);
        int n = x.Length, i = 0;
        double sum = 0;
        if (width >= SimdWidth.V256 && n >= 8)
        {
            var acc = Vector256<double>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref px, (nuint)i));
                var d0 = lo - Vector256.LoadUnsafe(ref pc, (nuint)i);
                var d1 = hi - Vector256.LoadUnsafe(ref pc, (nuint)(i + 4));
                acc = Vector256.FusedMultiplyAdd(d0, d0, acc);
                acc = Vector256.FusedMultiplyAdd(d1, d1, acc);
            }
            sum = Vector256.Sum(acc);
        }
        else if (width == SimdWidth.V128 && n >= 4)
        {
            var acc = Vector128<double>.Zero;
            for (; i <= n - 4; i += 4)
            {
                var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref px, (nuint)i));
                var d0 = lo - Vector128.LoadUnsafe(ref pc, (nuint)i);
                var d1 = hi - Vector128.LoadUnsafe(ref pc, (nuint)(i + 2));
                acc = Vector128.FusedMultiplyAdd(d0, d0, acc);
                acc = Vector128.FusedMultiplyAdd(d1, d1, acc);
            }
            sum = Vector128.Sum(acc);
        }
        for (; i < n; i++)
        {
            double d = Unsafe.Add(ref px, i) - Unsafe.Add(ref pc, i);
            sum = Math.FusedMultiplyAdd(d, d, sum);
        }
        return sum;
    }

    /// <summary>The squared Euclidean distance |x − y|² of two float64 vectors.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double SquaredDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.", nameof(y));
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - y[i];
            sum = Math.FusedMultiplyAdd(d, d, sum);
        }
        return sum;
    }
}
