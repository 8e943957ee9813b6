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
}
