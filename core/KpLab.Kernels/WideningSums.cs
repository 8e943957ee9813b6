using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// Float32 data accumulated in float64: sums, per-segment sums, centroid accumulation and mixed-precision dot products.
/// Metrics that must agree with float64 references to 1e-10 (centroids, dispersions, per-cluster distance sums over
/// thousands of terms) use these instead of the float32 primitives of <see cref="VectorMath"/>. Each float is widened
/// exactly, so the only rounding is that of the float64 additions. SIMD (<see cref="Vector256"/> of doubles, also on
/// AVX-512 hardware; <see cref="Vector128"/> on ARM64) when accelerated, each loop written once over
/// <see cref="ILanes{TVector, T}"/>; the accumulation order is fixed for a given length, so results are reproducible run to run.
/// </summary>
public static class WideningSums
{
    /// <summary>The sum of <paramref name="x"/>, accumulated in float64.</summary>
    public static double Sum(ReadOnlySpan<float> x) => Sum(x, SimdWidths.Best);

    internal static double Sum(ReadOnlySpan<float> x, SimdWidth width) => width.AtMost256().ForLength(x.Length, vectors: 2) switch
    {
        SimdWidth.V256 => Sum<Lanes256<double>, Vector256<double>>(x),
        SimdWidth.V128 => Sum<Lanes128<double>, Vector128<double>>(x),
        _ => SumTail(x, 0, 0),
    };

    private static double Sum<TLanes, TVector>(ReadOnlySpan<float> x)
        where TLanes : struct, ILanes<TVector, double>
        where TVector : struct
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0, floats = 2 * TLanes.Count;
        var acc0 = TLanes.Zero;
        var acc1 = TLanes.Zero;
        for (; i <= n - floats; i += floats)
        {
            var (lo, hi) = TLanes.LoadWidened(ref px, (nuint)i);
            acc0 = TLanes.Add(acc0, lo);
            acc1 = TLanes.Add(acc1, hi);
        }
        return SumTail(x, i, TLanes.Sum(TLanes.Add(acc0, acc1)));
    }

    private static double SumTail(ReadOnlySpan<float> x, int i, double sum)
    {
        for (; i < x.Length; i++) sum += x[i];
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
        int i = width.AtMost256().ForLength(x.Length) switch
        {
            SimdWidth.V256 => ScaleAddTo<Lanes256<double>, Vector256<double>>(a, x, acc),
            SimdWidth.V128 => ScaleAddTo<Lanes128<double>, Vector128<double>>(a, x, acc),
            _ => 0,
        };
        for (; i < x.Length; i++) acc[i] = Math.FusedMultiplyAdd(a, x[i], acc[i]);
    }

    /// <summary>The whole vectors; returns where they end.</summary>
    private static int ScaleAddTo<TLanes, TVector>(double a, ReadOnlySpan<float> x, Span<double> acc)
        where TLanes : struct, ILanes<TVector, double>
        where TVector : struct
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var pa = ref MemoryMarshal.GetReference(acc);
        int n = x.Length, i = 0, w = TLanes.Count;
        var va = TLanes.Broadcast(a);
        for (; i <= n - 2 * w; i += 2 * w)
        {
            var (lo, hi) = TLanes.LoadWidened(ref px, (nuint)i);
            TLanes.Store(TLanes.FusedMultiplyAdd(va, lo, TLanes.Load(ref pa, (nuint)i)), ref pa, (nuint)i);
            TLanes.Store(TLanes.FusedMultiplyAdd(va, hi, TLanes.Load(ref pa, (nuint)(i + w))), ref pa, (nuint)(i + w));
        }
        return i;
    }

    /// <summary>The dot product x·y in float64, x widened from float32.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<double> y) => Dot(x, y, SimdWidths.Best);

    internal static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<double> y, SimdWidth width) => Dot<double>(x, y, width);

    /// <summary>The dot product x·y of two float32 vectors, products and sum in float64 (exact products).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => Dot(x, y, SimdWidths.Best);

    internal static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdWidth width) => Dot<float>(x, y, width);

    /// <summary>x·y in float64 for y of floats (widened) or doubles: one kernel for both.</summary>
    private static double Dot<TY>(ReadOnlySpan<float> x, ReadOnlySpan<TY> y, SimdWidth width)
        where TY : unmanaged
    {
        if (x.Length != y.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.", nameof(y));
        return width.AtMost256().ForLength(x.Length) switch
        {
            SimdWidth.V256 => Dot<Lanes256<double>, Vector256<double>, TY>(x, y),
            SimdWidth.V128 => Dot<Lanes128<double>, Vector128<double>, TY>(x, y),
            _ => DotTail(x, y, 0, 0),
        };
    }

    /// <summary>Two fused multiply-add accumulators over the widened halves, then the scalar tail.</summary>
    private static double Dot<TLanes, TVector, TY>(ReadOnlySpan<float> x, ReadOnlySpan<TY> y)
        where TLanes : struct, ILanes<TVector, double>
        where TVector : struct
        where TY : unmanaged
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0, floats = 2 * TLanes.Count;
        var acc0 = TLanes.Zero;
        var acc1 = TLanes.Zero;
        for (; i <= n - floats; i += floats)
        {
            var (xl, xh) = TLanes.LoadWidened(ref px, (nuint)i);
            var (yl, yh) = LoadAsDoubles<TLanes, TVector, TY>(ref py, i);
            acc0 = TLanes.FusedMultiplyAdd(xl, yl, acc0);
            acc1 = TLanes.FusedMultiplyAdd(xh, yh, acc1);
        }
        return DotTail(x, y, i, TLanes.Sum(TLanes.Add(acc0, acc1)));
    }

    private static double DotTail<TY>(ReadOnlySpan<float> x, ReadOnlySpan<TY> y, int i, double sum)
        where TY : unmanaged
    {
        for (; i < x.Length; i++) sum = Math.FusedMultiplyAdd(x[i], AsDouble(y[i]), sum);
        return sum;
    }

    /// <summary>Two double vectors from position <paramref name="i"/> of floats (widened) or doubles (loaded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TVector Lower, TVector Upper) LoadAsDoubles<TLanes, TVector, TY>(ref TY p, int i)
        where TLanes : struct, ILanes<TVector, double>
        where TVector : struct
        where TY : unmanaged
    {
        if (typeof(TY) == typeof(float)) return TLanes.LoadWidened(ref Unsafe.As<TY, float>(ref p), (nuint)i);
        ref double d = ref Unsafe.As<TY, double>(ref p);
        return (TLanes.Load(ref d, (nuint)i), TLanes.Load(ref d, (nuint)(i + TLanes.Count)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double AsDouble<TY>(TY value)
        where TY : unmanaged
        => typeof(TY) == typeof(float) ? Unsafe.As<TY, float>(ref value) : Unsafe.As<TY, double>(ref value);

    /// <summary>The dot product x·y of two float64 vectors (the same kernel as <see cref="DoubleVectorMath.Dot"/>).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => DoubleVectorMath.Dot(x, y);

    /// <summary>The squared Euclidean distance |x − c|² in float64, x widened from float32 (differences, no cancellation).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static double SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<double> c) => SquaredDistance(x, c, SimdWidths.Best);

    internal static double SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<double> c, SimdWidth width)
    {
        if (x.Length != c.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {c.Length}.", nameof(c));
        return width.AtMost256().ForLength(x.Length) switch
        {
            SimdWidth.V256 => SquaredDistance<Lanes256<double>, Vector256<double>>(x, c),
            SimdWidth.V128 => SquaredDistance<Lanes128<double>, Vector128<double>>(x, c),
            _ => SquaredDistanceTail(x, c, 0, 0),
        };
    }

    /// <summary>One fused multiply-add accumulator over both widened halves, then the scalar tail.</summary>
    private static double SquaredDistance<TLanes, TVector>(ReadOnlySpan<float> x, ReadOnlySpan<double> c)
        where TLanes : struct, ILanes<TVector, double>
        where TVector : struct
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var pc = ref MemoryMarshal.GetReference(c);
        int n = x.Length, i = 0, w = TLanes.Count;
        var acc = TLanes.Zero;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            var (lo, hi) = TLanes.LoadWidened(ref px, (nuint)i);
            var d0 = TLanes.Subtract(lo, TLanes.Load(ref pc, (nuint)i));
            var d1 = TLanes.Subtract(hi, TLanes.Load(ref pc, (nuint)(i + w)));
            acc = TLanes.FusedMultiplyAdd(d0, d0, acc);
            acc = TLanes.FusedMultiplyAdd(d1, d1, acc);
        }
        return SquaredDistanceTail(x, c, i, TLanes.Sum(acc));
    }

    private static double SquaredDistanceTail(ReadOnlySpan<float> x, ReadOnlySpan<double> c, int i, double sum)
    {
        for (; i < x.Length; i++)
        {
            double d = x[i] - c[i];
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
