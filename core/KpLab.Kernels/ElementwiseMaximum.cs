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
        int i = width.ForLength(x.Length) switch
        {
            SimdWidth.V512 => Accumulate<Lanes512<float>, Vector512<float>>(x, y),
            SimdWidth.V256 => Accumulate<Lanes256<float>, Vector256<float>>(x, y),
            SimdWidth.V128 => Accumulate<Lanes128<float>, Vector128<float>>(x, y),
            _ => 0,
        };
        for (; i < x.Length; i++) y[i] = MathF.Max(x[i], y[i]);
    }

    /// <summary>The whole vectors; returns where they end.</summary>
    private static int Accumulate<TLanes, TVector>(ReadOnlySpan<float> x, Span<float> y)
        where TLanes : struct, ILanes<TVector, float>
        where TVector : struct
    {
        ref var px = ref MemoryMarshal.GetReference(x);
        ref var py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        for (; i <= n - TLanes.Count; i += TLanes.Count)
            TLanes.Store(TLanes.Max(TLanes.Load(ref px, (nuint)i), TLanes.Load(ref py, (nuint)i)), ref py, (nuint)i);
        return i;
    }
}
