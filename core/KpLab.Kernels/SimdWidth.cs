using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// The vector width a kernel runs at. Public entry points use <see cref="SimdWidths.Best"/>; the internal cores take
/// the width as a parameter so tests can force the 256-bit and scalar paths on a processor that has AVX-512.
/// </summary>
internal enum SimdWidth
{
    /// <summary>Plain scalar loops (still fused multiply-adds).</summary>
    Scalar,

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
        Vector256.IsHardwareAccelerated ? SimdWidth.V256 : SimdWidth.Scalar;

    /// <summary>Every width this processor can run, narrowest first (what tests iterate over).</summary>
    public static IReadOnlyList<SimdWidth> Supported { get; } =
        Enum.GetValues<SimdWidth>().Where(w => w <= Best).ToArray();
}
