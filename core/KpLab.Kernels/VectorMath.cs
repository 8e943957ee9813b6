using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// SIMD primitives on float32 spans. Each uses <see cref="Vector512"/> when the processor accelerates it, else
/// <see cref="Vector256"/>, else <see cref="Vector128"/> (ARM64), else a scalar loop; products are fused multiply-adds where the hardware has them.
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
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        float sum = 0f;
        if (width == SimdWidth.V512 && n >= 16)
        {
            var acc0 = Vector512<float>.Zero;
            var acc1 = Vector512<float>.Zero;
            for (; i <= n - 32; i += 32)
            {
                acc0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref px, (nuint)i), Vector512.LoadUnsafe(ref py, (nuint)i), acc0);
                acc1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref px, (nuint)(i + 16)), Vector512.LoadUnsafe(ref py, (nuint)(i + 16)), acc1);
            }
            for (; i <= n - 16; i += 16)
                acc0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref px, (nuint)i), Vector512.LoadUnsafe(ref py, (nuint)i), acc0);
            sum = Vector512.Sum(acc0 + acc1);
        }
        else if (width >= SimdWidth.V256 && n >= 8)
        {
            var acc0 = Vector256<float>.Zero;
            var acc1 = Vector256<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref px, (nuint)i), Vector256.LoadUnsafe(ref py, (nuint)i), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref px, (nuint)(i + 8)), Vector256.LoadUnsafe(ref py, (nuint)(i + 8)), acc1);
            }
            for (; i <= n - 8; i += 8)
                acc0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref px, (nuint)i), Vector256.LoadUnsafe(ref py, (nuint)i), acc0);
            sum = Vector256.Sum(acc0 + acc1);
        }
        else if (width == SimdWidth.V128 && n >= 4)
        {
            var acc0 = Vector128<float>.Zero;
            var acc1 = Vector128<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                acc0 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref px, (nuint)i), Vector128.LoadUnsafe(ref py, (nuint)i), acc0);
                acc1 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref px, (nuint)(i + 4)), Vector128.LoadUnsafe(ref py, (nuint)(i + 4)), acc1);
            }
            for (; i <= n - 4; i += 4)
                acc0 = Vector128.FusedMultiplyAdd(Vector128.LoadUnsafe(ref px, (nuint)i), Vector128.LoadUnsafe(ref py, (nuint)i), acc0);
            sum = Vector128.Sum(acc0 + acc1);
        }
        for (; i < n; i++)
            sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i), sum);
        return sum;
    }

    /// <summary>The squared Euclidean distance |x - y|², computed from differences (no cancellation).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static float SquaredL2(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => SquaredL2(x, y, SimdWidths.Best);

    internal static float SquaredL2(ReadOnlySpan<float> x, ReadOnlySpan<float> y, SimdWidth width)
    {
        RequireSameLength(x, y);
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        float sum = 0f;
        if (width == SimdWidth.V512 && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16)
            {
                var diff = Vector512.LoadUnsafe(ref px, (nuint)i) - Vector512.LoadUnsafe(ref py, (nuint)i);
                acc = Vector512.FusedMultiplyAdd(diff, diff, acc);
            }
            sum = Vector512.Sum(acc);
        }
        else if (width >= SimdWidth.V256 && n >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var diff = Vector256.LoadUnsafe(ref px, (nuint)i) - Vector256.LoadUnsafe(ref py, (nuint)i);
                acc = Vector256.FusedMultiplyAdd(diff, diff, acc);
            }
            sum = Vector256.Sum(acc);
        }
        else if (width == SimdWidth.V128 && n >= 4)
        {
            var acc = Vector128<float>.Zero;
            for (; i <= n - 4; i += 4)
            {
                var diff = Vector128.LoadUnsafe(ref px, (nuint)i) - Vector128.LoadUnsafe(ref py, (nuint)i);
                acc = Vector128.FusedMultiplyAdd(diff, diff, acc);
            }
            sum = Vector128.Sum(acc);
        }
        for (; i < n; i++)
        {
            var diff = Unsafe.Add(ref px, i) - Unsafe.Add(ref py, i);
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
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (width == SimdWidth.V512)
        {
            var va = Vector512.Create(a);
            for (; i <= n - 16; i += 16)
                Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref px, (nuint)i), Vector512.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        }
        else if (width >= SimdWidth.V256)
        {
            var va = Vector256.Create(a);
            for (; i <= n - 8; i += 8)
                Vector256.FusedMultiplyAdd(va, Vector256.LoadUnsafe(ref px, (nuint)i), Vector256.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        }
        else if (width == SimdWidth.V128)
        {
            var va = Vector128.Create(a);
            for (; i <= n - 4; i += 4)
                Vector128.FusedMultiplyAdd(va, Vector128.LoadUnsafe(ref px, (nuint)i), Vector128.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref py, i) = MathF.FusedMultiplyAdd(a, Unsafe.Add(ref px, i), Unsafe.Add(ref py, i));
    }

    /// <summary>x ← a·x.</summary>
    public static void Scale(float a, Span<float> x) => Scale(a, x, SimdWidths.Best);

    internal static void Scale(float a, Span<float> x, SimdWidth width)
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        if (width == SimdWidth.V512)
        {
            var va = Vector512.Create(a);
            for (; i <= n - 16; i += 16)
                (Vector512.LoadUnsafe(ref px, (nuint)i) * va).StoreUnsafe(ref px, (nuint)i);
        }
        else if (width >= SimdWidth.V256)
        {
            var va = Vector256.Create(a);
            for (; i <= n - 8; i += 8)
                (Vector256.LoadUnsafe(ref px, (nuint)i) * va).StoreUnsafe(ref px, (nuint)i);
        }
        else if (width == SimdWidth.V128)
        {
            var va = Vector128.Create(a);
            for (; i <= n - 4; i += 4)
                (Vector128.LoadUnsafe(ref px, (nuint)i) * va).StoreUnsafe(ref px, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref px, i) *= a;
    }

    /// <summary>y ← y + x, element-wise.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Add(ReadOnlySpan<float> x, Span<float> y) => Axpy(1f, x, y);

    /// <summary>The sum of the elements, accumulated in SIMD lanes.</summary>
    public static float Sum(ReadOnlySpan<float> x) => Sum(x, SimdWidths.Best);

    internal static float Sum(ReadOnlySpan<float> x, SimdWidth width)
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        float sum = 0f;
        if (width == SimdWidth.V512 && n >= 16)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= n - 16; i += 16) acc += Vector512.LoadUnsafe(ref px, (nuint)i);
            sum = Vector512.Sum(acc);
        }
        else if (width >= SimdWidth.V256 && n >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8) acc += Vector256.LoadUnsafe(ref px, (nuint)i);
            sum = Vector256.Sum(acc);
        }
        else if (width == SimdWidth.V128 && n >= 4)
        {
            var acc = Vector128<float>.Zero;
            for (; i <= n - 4; i += 4) acc += Vector128.LoadUnsafe(ref px, (nuint)i);
            sum = Vector128.Sum(acc);
        }
        for (; i < n; i++) sum += Unsafe.Add(ref px, i);
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
