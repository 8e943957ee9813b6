using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// The vector width a kernel runs at. Public entry points use <see cref="SimdWidths.Best"/>; the internal cores take
/// the width as a parameter so tests can force the 256-bit, 128-bit and scalar paths on a processor that has AVX-512.
/// The members are ordered narrowest first, so <c>width &gt;= SimdWidth.V256</c> means "at least 256 bits".
/// </summary>
internal enum SimdWidth
{
    /// <summary>Plain scalar loops (still fused multiply-adds).</summary>
    Scalar,

    /// <summary><see cref="Vector128"/>: ARM64 AdvSimd (and SSE on x86, where it is only used when forced).</summary>
    V128,

    /// <summary><see cref="Vector256"/>: AVX2-class hardware.</summary>
    V256,

    /// <summary><see cref="Vector512"/>: AVX-512-class hardware.</summary>
    V512,
}

/// <summary>What the running processor accelerates.</summary>
internal static class SimdWidths
{
    /// <summary>The widest width the hardware accelerates (a JIT-time constant).</summary>
    public static readonly SimdWidth Best =
        Vector512.IsHardwareAccelerated ? SimdWidth.V512 :
        Vector256.IsHardwareAccelerated ? SimdWidth.V256 :
        Vector128.IsHardwareAccelerated ? SimdWidth.V128 : SimdWidth.Scalar;

    /// <summary>Every width this processor can run, narrowest first (what tests iterate over).</summary>
    public static IReadOnlyList<SimdWidth> Supported { get; } =
        Enum.GetValues<SimdWidth>().Where(w => w <= Best).ToArray();

    /// <summary>
    /// The width a loop over <paramref name="length"/> floats runs at: <paramref name="width"/> when
    /// <paramref name="vectors"/> of its vectors fit in the length; on AVX-512 hardware 256 bits when that many of
    /// those fit; otherwise scalar (a short span is not worth a vector loop).
    /// </summary>
    public static SimdWidth ForLength(this SimdWidth width, int length, int vectors = 1)
    {
        if (width == SimdWidth.V512 && length < FloatsPerVector(SimdWidth.V512) * vectors) width = SimdWidth.V256;
        return length >= FloatsPerVector(width) * vectors ? width : SimdWidth.Scalar;
    }

    /// <summary>At most 256 bits: for kernels whose 512-bit form would not be faster (they run the 256-bit one there).</summary>
    public static SimdWidth AtMost256(this SimdWidth width) => width == SimdWidth.V512 ? SimdWidth.V256 : width;

    private static int FloatsPerVector(SimdWidth width) => width switch
    {
        SimdWidth.V512 => 16,
        SimdWidth.V256 => 8,
        SimdWidth.V128 => 4,
        _ => 1,
    };
}
