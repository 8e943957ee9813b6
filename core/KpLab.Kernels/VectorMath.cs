using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// SIMD primitives on float32 spans. Each uses <see cref="Vector512"/> when the processor accelerates it, else
/// <see cref="Vector256"/>, else <see cref="Vector128"/> (ARM64), else a scalar loop; products are fused multiply-adds
/// where the hardware has them. Each loop is written once over <see cref="ILanes{TVector, T}"/> and compiled per width.
/// Accumulation order is fixed for a given length and instruction set, so results are reproducible run to run.
/// </summary>
/// <remarks>NaN inputs propagate as IEEE arithmetic does: a NaN anywhere gives a NaN result (ArgMin and ArgMax skip NaN).</remarks>
public static class VectorMath
{
    /// <summary>The dot product x·y.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => Dot(x, y, SimdWidths.Best);

    internal static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdWidth width)
    {
        RequireSameLength(x, y);
        return width.ForLength(x.Length) switch
        {
            SimdWidth.V512 => Dot<Lanes512<float>, Vector512<float>>(x, y),
            SimdWidth.V256 => Dot<Lanes256<float>, Vector256<float>>(x, y),
            SimdWidth.V128 => Dot<Lanes128<float>, Vector128<float>>(x, y),
            _ => DotTail(x, y, 0, 0f),
        };
    }

    /// <summary>Two accumulators over pairs of vectors, one over a last vector, then the scalar tail.</summary>
    private static float Dot<TLanes, TVector>(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        where TLanes : struct, ILanes<TVector, float>
        where TVector : struct
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0, w = TLanes.Count;
        var acc0 = TLanes.Zero;
        var acc1 = TLanes.Zero;
        for (; i <= n - 2 * w; i += 2 * w)
        {
            acc0 = TLanes.FusedMultiplyAdd(TLanes.Load(ref px, (nuint)i), TLanes.Load(ref py, (nuint)i), acc0);
            acc1 = TLanes.FusedMultiplyAdd(TLanes.Load(ref px, (nuint)(i + w)), TLanes.Load(ref py, (nuint)(i + w)), acc1);
        }
        for (; i <= n - w; i += w)
            acc0 = TLanes.FusedMultiplyAdd(TLanes.Load(ref px, (nuint)i), TLanes.Load(ref py, (nuint)i), acc0);
        return DotTail(x, y, i, TLanes.Sum(TLanes.Add(acc0, acc1)));
    }

    private static float DotTail(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int i, float sum)
    {
        for (; i < x.Length; i++) sum = MathF.FusedMultiplyAdd(x[i], y[i], sum);
        return sum;
    }

    /// <summary>The squared Euclidean distance |x - y|², computed from differences (no cancellation).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static float SquaredL2(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => SquaredL2(x, y, SimdWidths.Best);

    internal static float SquaredL2(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdWidth width)
    {
        RequireSameLength(x, y);
        return width.ForLength(x.Length) switch
        {
            SimdWidth.V512 => SquaredL2<Lanes512<float>, Vector512<float>>(x, y),
            SimdWidth.V256 => SquaredL2<Lanes256<float>, Vector256<float>>(x, y),
            SimdWidth.V128 => SquaredL2<Lanes128<float>, Vector128<float>>(x, y),
            _ => SquaredL2Tail(x, y, 0, 0f),
        };
    }

    private static float SquaredL2<TLanes, TVector>(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
        where TLanes : struct, ILanes<TVector, float>
        where TVector : struct
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0, w = TLanes.Count;
        // Four accumulators: one would make every fused multiply–add wait for the one before (the sum's latency, not
        // the loads, would set the pace on long rows such as 384-d embeddings).
        var acc0 = TLanes.Zero;
        var acc1 = TLanes.Zero;
        var acc2 = TLanes.Zero;
        var acc3 = TLanes.Zero;
        for (; i <= n - 4 * w; i += 4 * w)
        {
            var diff0 = TLanes.Subtract(TLanes.Load(ref px, (nuint)i), TLanes.Load(ref py, (nuint)i));
            var diff1 = TLanes.Subtract(TLanes.Load(ref px, (nuint)(i + w)), TLanes.Load(ref py, (nuint)(i + w)));
            var diff2 = TLanes.Subtract(TLanes.Load(ref px, (nuint)(i + 2 * w)), TLanes.Load(ref py, (nuint)(i + 2 * w)));
            var diff3 = TLanes.Subtract(TLanes.Load(ref px, (nuint)(i + 3 * w)), TLanes.Load(ref py, (nuint)(i + 3 * w)));
            acc0 = TLanes.FusedMultiplyAdd(diff0, diff0, acc0);
            acc1 = TLanes.FusedMultiplyAdd(diff1, diff1, acc1);
            acc2 = TLanes.FusedMultiplyAdd(diff2, diff2, acc2);
            acc3 = TLanes.FusedMultiplyAdd(diff3, diff3, acc3);
        }
        for (; i <= n - w; i += w)
        {
            var diff = TLanes.Subtract(TLanes.Load(ref px, (nuint)i), TLanes.Load(ref py, (nuint)i));
            acc0 = TLanes.FusedMultiplyAdd(diff, diff, acc0);
        }
        return SquaredL2Tail(x, y, i, TLanes.Sum(TLanes.Add(TLanes.Add(acc0, acc1), TLanes.Add(acc2, acc3))));
    }

    private static float SquaredL2Tail(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int i, float sum)
    {
        for (; i < x.Length; i++)
        {
            var diff = x[i] - y[i];
            sum = MathF.FusedMultiplyAdd(diff, diff, sum);
        }
        return sum;
    }

    /// <summary>The Euclidean norm |x|.</summary>
    public static float Norm(ReadOnlySpan<float> x) => MathF.Sqrt(Dot(x, x));

    /// <summary>
    /// Cosine similarity x·y / (|x| |y|). A zero vector has similarity 0 with everything (never NaN), matching
    /// scikit-learn's convention of leaving zero rows unnormalised.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static float Cosine(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var dot = Dot(x, y);
        var nx = Dot(x, x);
        var ny = Dot(y, y);
        if (nx == 0f || ny == 0f) return 0f;
        return dot / (MathF.Sqrt(nx) * MathF.Sqrt(ny));
    }

    /// <summary>y ← a·x + y.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y) => Axpy(a, x, y, SimdWidths.Best);

    internal static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y, SimdWidth width)
    {
        RequireSameLength(x, y);
        int i = width.ForLength(x.Length) switch
        {
            SimdWidth.V512 => Axpy<Lanes512<float>, Vector512<float>>(a, x, y),
            SimdWidth.V256 => Axpy<Lanes256<float>, Vector256<float>>(a, x, y),
            SimdWidth.V128 => Axpy<Lanes128<float>, Vector128<float>>(a, x, y),
            _ => 0,
        };
        for (; i < x.Length; i++) y[i] = MathF.FusedMultiplyAdd(a, x[i], y[i]);
    }

    /// <summary>The whole vectors; returns where they end.</summary>
    private static int Axpy<TLanes, TVector>(float a, ReadOnlySpan<float> x, Span<float> y)
        where TLanes : struct, ILanes<TVector, float>
        where TVector : struct
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        var va = TLanes.Broadcast(a);
        for (; i <= n - TLanes.Count; i += TLanes.Count)
            TLanes.Store(TLanes.FusedMultiplyAdd(va, TLanes.Load(ref px, (nuint)i), TLanes.Load(ref py, (nuint)i)), ref py, (nuint)i);
        return i;
    }

    /// <summary>x ← a·x.</summary>
    public static void Scale(float a, Span<float> x) => Scale(a, x, SimdWidths.Best);

    internal static void Scale(float a, Span<float> x, SimdWidth width)
    {
        int i = width.ForLength(x.Length) switch
        {
            SimdWidth.V512 => Scale<Lanes512<float>, Vector512<float>>(a, x),
            SimdWidth.V256 => Scale<Lanes256<float>, Vector256<float>>(a, x),
            SimdWidth.V128 => Scale<Lanes128<float>, Vector128<float>>(a, x),
            _ => 0,
        };
        for (; i < x.Length; i++) x[i] *= a;
    }

    /// <summary>The whole vectors; returns where they end.</summary>
    private static int Scale<TLanes, TVector>(float a, Span<float> x)
        where TLanes : struct, ILanes<TVector, float>
        where TVector : struct
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        var va = TLanes.Broadcast(a);
        for (; i <= n - TLanes.Count; i += TLanes.Count)
            TLanes.Store(TLanes.Multiply(TLanes.Load(ref px, (nuint)i), va), ref px, (nuint)i);
        return i;
    }

    /// <summary>y ← y + x, element-wise.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Add(ReadOnlySpan<float> x, Span<float> y) => Axpy(1f, x, y);

    /// <summary>The sum of the elements, accumulated in SIMD lanes.</summary>
    public static float Sum(ReadOnlySpan<float> x) => Sum(x, SimdWidths.Best);

    internal static float Sum(ReadOnlySpan<float> x, SimdWidth width) => width.ForLength(x.Length) switch
    {
        SimdWidth.V512 => Sum<Lanes512<float>, Vector512<float>>(x),
        SimdWidth.V256 => Sum<Lanes256<float>, Vector256<float>>(x),
        SimdWidth.V128 => Sum<Lanes128<float>, Vector128<float>>(x),
        _ => SumTail(x, 0, 0f),
    };

    private static float Sum<TLanes, TVector>(ReadOnlySpan<float> x)
        where TLanes : struct, ILanes<TVector, float>
        where TVector : struct
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        var acc = TLanes.Zero;
        for (; i <= n - TLanes.Count; i += TLanes.Count) acc = TLanes.Add(acc, TLanes.Load(ref px, (nuint)i));
        return SumTail(x, i, TLanes.Sum(acc));
    }

    private static float SumTail(ReadOnlySpan<float> x, int i, float sum)
    {
        for (; i < x.Length; i++) sum += x[i];
        return sum;
    }

    /// <summary>
    /// Scales x to unit Euclidean length in place and returns its former norm. A zero vector stays zero (no NaN).
    /// </summary>
    public static float L2Normalize(Span<float> x)
    {
        var norm = Norm(x);
        if (norm > 0f && float.IsFinite(norm)) Scale(1f / norm, x);
        return norm;
    }

    /// <summary>The index of the smallest element (first on ties; NaN skipped), or -1 for an empty or all-NaN span.</summary>
    public static int ArgMin(ReadOnlySpan<float> x)
    {
        int best = -1;
        float bestValue = float.PositiveInfinity;
        for (int i = 0; i < x.Length; i++)
        {
            var v = x[i];
            if (v < bestValue || (best < 0 && !float.IsNaN(v))) { best = i; bestValue = v; }
        }
        return best;
    }

    /// <summary>The index of the largest element (first on ties; NaN skipped), or -1 for an empty or all-NaN span.</summary>
    public static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = -1;
        float bestValue = float.NegativeInfinity;
        for (int i = 0; i < x.Length; i++)
        {
            var v = x[i];
            if (v > bestValue || (best < 0 && !float.IsNaN(v))) { best = i; bestValue = v; }
        }
        return best;
    }

    private static void RequireSameLength(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
            throw new ArgumentException($"Vector lengths differ: {x.Length} and {y.Length}.", nameof(y));
    }
}
