using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// The position of the smallest double in a span, the lowest position among equal minima: what a scalar scan with a
/// strict <c>&lt;</c> finds, but eight lanes at a time (four with Vector256, two with Vector128; the loop is written once
/// over <see cref="ILanes{TVector, T}"/>). Each lane keeps its
/// first minimum (strict compare), and the lanes are reduced by value, then by position. NaN never wins; a minimum of +∞ falls back to a scalar scan.
/// A general primitive of the kernel (a deterministic arg-min, the step of Prim's, Dijkstra's or any greedy selection),
/// not one algorithm's helper.
/// </summary>
public static class FirstMinimum
{
    /// <summary>The lowest index holding the minimum of <paramref name="values"/>, or −1 when it is empty or all NaN.</summary>
    public static int IndexOf(ReadOnlySpan<double> values) => IndexOf(values, SimdWidths.Best);

    internal static int IndexOf(ReadOnlySpan<double> values, SimdWidth width)
    {
        double best = double.NaN;
        int bestIndex = -1;
        // ForLength counts floats: lanes run when the span holds at least two vectors of doubles.
        int i = width.ForLength(values.Length) switch
        {
            SimdWidth.V512 => LaneMinima<Lanes512<double>, Vector512<double>>(values, ref best, ref bestIndex),
            SimdWidth.V256 => LaneMinima<Lanes256<double>, Vector256<double>>(values, ref best, ref bestIndex),
            SimdWidth.V128 => LaneMinima<Lanes128<double>, Vector128<double>>(values, ref best, ref bestIndex),
            _ => 0,
        };
        for (; i < values.Length; i++) Consider(values[i], i, ref best, ref bestIndex);
        // Lanes start at +∞ and only take strictly smaller values, so a minimum of +∞ needs the plain scan.
        if (bestIndex < 0 || best == double.PositiveInfinity)
        {
            bestIndex = -1;
            for (i = 0; i < values.Length; i++) Consider(values[i], i, ref best, ref bestIndex);
        }
        return bestIndex;
    }

    /// <summary>
    /// Each lane's first minimum over the whole vectors of <paramref name="values"/>, merged into
    /// <paramref name="best"/>; returns where the whole vectors end. Positions are kept in double lanes beside the
    /// values (exact below 2^53), so one lane type serves both.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int LaneMinima<TLanes, TVector>(ReadOnlySpan<double> values, ref double best, ref int bestIndex)
        where TLanes : struct, ILanes<TVector, double>
        where TVector : struct
    {
        ref double p = ref MemoryMarshal.GetReference(values);
        int n = values.Length, i = 0;
        var minimum = TLanes.Broadcast(double.PositiveInfinity);
        var position = TLanes.Broadcast(-1);
        var index = TLanes.Indices;
        var step = TLanes.Broadcast(TLanes.Count);
        for (; i <= n - TLanes.Count; i += TLanes.Count)
        {
            var v = TLanes.Load(ref p, (nuint)i);
            var less = TLanes.LessThan(v, minimum);
            minimum = TLanes.Select(less, v, minimum);
            position = TLanes.Select(less, index, position);
            index = TLanes.Add(index, step);
        }
        for (int lane = 0; lane < TLanes.Count; lane++)
            Consider(TLanes.Lane(minimum, lane), (int)TLanes.Lane(position, lane), ref best, ref bestIndex);
        return i;
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
