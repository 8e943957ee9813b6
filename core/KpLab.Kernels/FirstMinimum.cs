using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// The position of the smallest double in a span, the lowest position among equal minima: what a scalar scan with a
/// strict <c>&lt;</c> finds, but eight lanes at a time (four with Vector256, two with Vector128). Each lane keeps its
/// first minimum (strict compare), and the lanes are reduced by value, then by position. NaN never wins; a minimum of +∞ falls back to a scalar scan.
/// A general primitive of the kernel (a deterministic arg-min, the step of Prim's, Dijkstra's or any greedy selection),
/// not one algorithm's helper.
/// </summary>
public static class FirstMinimum
{
    /// <summary>The lowest index holding the minimum of <paramref name="values"/>, or −1 when it is empty or all NaN.</summary>
    public static int IndexOf(ReadOnlySpan<double> values) => IndexOf(values, SimdWidths.Best);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int IndexOf(ReadOnlySpan<double> values, SimdWidth width)
    {
        ref double p = ref MemoryMarshal.GetReference(values);
        int n = values.Length, i = 0;
        double best = double.NaN;
        int bestIndex = -1;
        if (width == SimdWidth.V512 && n >= 2 * Vector512<double>.Count)
        {
            var minimum = Vector512.Create(double.PositiveInfinity);
            var position = Vector512.Create(-1L);
            var index = Vector512.Create(0L, 1, 2, 3, 4, 5, 6, 7);
            var step = Vector512.Create((long)Vector512<double>.Count);
            for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
            {
                var v = Vector512.LoadUnsafe(ref p, (nuint)i);
                var less = Vector512.LessThan(v, minimum);
                minimum = Vector512.ConditionalSelect(less, v, minimum);
                position = Vector512.ConditionalSelect(less.AsInt64(), index, position);
                index += step;
            }
            for (int lane = 0; lane < Vector512<double>.Count; lane++)
                Consider(minimum.GetElement(lane), (int)position.GetElement(lane), ref best, ref bestIndex);
        }
        else if (width >= SimdWidth.V256 && n >= 2 * Vector256<double>.Count)
        {
            var minimum = Vector256.Create(double.PositiveInfinity);
            var position = Vector256.Create(-1L);
            var index = Vector256.Create(0L, 1, 2, 3);
            var step = Vector256.Create((long)Vector256<double>.Count);
            for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                var v = Vector256.LoadUnsafe(ref p, (nuint)i);
                var less = Vector256.LessThan(v, minimum);
                minimum = Vector256.ConditionalSelect(less, v, minimum);
                position = Vector256.ConditionalSelect(less.AsInt64(), index, position);
                index += step;
            }
            for (int lane = 0; lane < Vector256<double>.Count; lane++)
                Consider(minimum.GetElement(lane), (int)position.GetElement(lane), ref best, ref bestIndex);
        }
        else if (width == SimdWidth.V128 && n >= 2 * Vector128<double>.Count)
        {
            var minimum = Vector128.Create(double.PositiveInfinity);
            var position = Vector128.Create(-1L);
            var index = Vector128.Create(0L, 1);
            var step = Vector128.Create((long)Vector128<double>.Count);
            for (; i <= n - Vector128<double>.Count; i += Vector128<double>.Count)
            {
                var v = Vector128.LoadUnsafe(ref p, (nuint)i);
                var less = Vector128.LessThan(v, minimum);
                minimum = Vector128.ConditionalSelect(less, v, minimum);
                position = Vector128.ConditionalSelect(less.AsInt64(), index, position);
                index += step;
            }
            for (int lane = 0; lane < Vector128<double>.Count; lane++)
                Consider(minimum.GetElement(lane), (int)position.GetElement(lane), ref best, ref bestIndex);
        }
        for (; i < n; i++) Consider(Unsafe.Add(ref p, i), i, ref best, ref bestIndex);
        // Lanes start at +∞ and only take strictly smaller values, so a minimum of +∞ needs the plain scan.
        if (bestIndex < 0 || best == double.PositiveInfinity)
        {
            bestIndex = -1;
            for (i = 0; i < n; i++) Consider(Unsafe.Add(ref p, i), i, ref best, ref bestIndex);
        }
        return bestIndex;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Consider(double value, int index, ref double best, ref int bestIndex)
    {
        if (index < 0 || double.IsNaN(value)) return;
        if (bestIndex < 0 || value < best || (value == best && index < bestIndex))
        {
            best = value;
            bestIndex = index;
        }
    }
}
