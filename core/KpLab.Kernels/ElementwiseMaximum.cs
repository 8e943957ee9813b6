using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>Element-wise maximum of vectors, e.g. max pooling of token embeddings into a sentence vector.</summary>
public static class ElementwiseMaximum
{
    /// <summary>y ← max(y, x), element by element (NaN propagates, as in <see cref="MathF.Max(float, float)"/>).</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void Accumulate(ReadOnlySpan<float> x, Span<float> y) => Accumulate(x, y, SimdWidths.Best);

    internal static void Accumulate(ReadOnlySpan<float> x, Span<float> y, SimdWidth width)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.", nameof(y));
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        if (width == SimdWidth.V512)
        {
            for (; i <= n - 16; i += 16)
                Vector512.Max(Vector512.LoadUnsafe(ref px, (nuint)i), Vector512.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        }
        else if (width == SimdWidth.V256)
        {
            for (; i <= n - 8; i += 8)
                Vector256.Max(Vector256.LoadUnsafe(ref px, (nuint)i), Vector256.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        }
        else if (width == SimdWidth.V128)
        {
            for (; i <= n - 4; i += 4)
                Vector128.Max(Vector128.LoadUnsafe(ref px, (nuint)i), Vector128.LoadUnsafe(ref py, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        }
        for (; i < n; i++)
            Unsafe.Add(ref py, i) = MathF.Max(Unsafe.Add(ref px, i), Unsafe.Add(ref py, i));
    }
}
