using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

// The kernels are fully unrolled over their accumulators so the JIT keeps every one in a register. Every output
// element is one fused multiply-add chain over the depth in ascending order, so all kernels (and all blockings) give
// bit-identical results.

/// <summary>
/// Register-blocked GEMM micro-kernels: C[mr × nr] (+)= Apanel[kc × mr]ᵀ · Bpanel[kc × nr], panels as laid out by
/// <see cref="PackedPanels"/>. <c>accumulate</c> continues the chains already in C (the next depth block);
/// otherwise they start from zero.
/// </summary>
internal static unsafe class GemmMicroKernels
{
    /// <summary>
    /// mr × 2 vectors, written once for every width: 8 × 32 with <see cref="Vector512"/> (16 accumulators of
    /// AVX-512's 32 registers), 6 × 16 with <see cref="Vector256"/> and 6 × 8 with <see cref="Vector128"/>
    /// (12 accumulators: fits AVX2's and SSE's 16 registers; ARM64 AdvSimd has 32). Per depth step: 2 B loads and mr
    /// broadcasts. Rows 6 and 7 exist only at 512 bits; the test on the lane count is a constant in each compiled
    /// copy, so the narrower copies carry no trace of them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel<TLanes, TVector>(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
        where TLanes : struct, ILanes<TVector, float>
        where TVector : struct
    {
        bool eightRows = TLanes.Count == Vector512<float>.Count;
        int w = TLanes.Count, mr = eightRows ? 8 : 6;
        TVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        TVector c60 = default, c61 = default, c70 = default, c71 = default;
        if (accumulate)
        {
            c00 = TLanes.Load(c + 0 * ldc); c01 = TLanes.Load(c + 0 * ldc + w);
            c10 = TLanes.Load(c + 1 * ldc); c11 = TLanes.Load(c + 1 * ldc + w);
            c20 = TLanes.Load(c + 2 * ldc); c21 = TLanes.Load(c + 2 * ldc + w);
            c30 = TLanes.Load(c + 3 * ldc); c31 = TLanes.Load(c + 3 * ldc + w);
            c40 = TLanes.Load(c + 4 * ldc); c41 = TLanes.Load(c + 4 * ldc + w);
            c50 = TLanes.Load(c + 5 * ldc); c51 = TLanes.Load(c + 5 * ldc + w);
            if (eightRows)
            {
                c60 = TLanes.Load(c + 6 * ldc); c61 = TLanes.Load(c + 6 * ldc + w);
                c70 = TLanes.Load(c + 7 * ldc); c71 = TLanes.Load(c + 7 * ldc + w);
            }
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = TLanes.Zero;
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = TLanes.Load(b); var b1 = TLanes.Load(b + w);
            var a0 = TLanes.Broadcast(a[0]); c00 = TLanes.FusedMultiplyAdd(a0, b0, c00); c01 = TLanes.FusedMultiplyAdd(a0, b1, c01);
            var a1 = TLanes.Broadcast(a[1]); c10 = TLanes.FusedMultiplyAdd(a1, b0, c10); c11 = TLanes.FusedMultiplyAdd(a1, b1, c11);
            var a2 = TLanes.Broadcast(a[2]); c20 = TLanes.FusedMultiplyAdd(a2, b0, c20); c21 = TLanes.FusedMultiplyAdd(a2, b1, c21);
            var a3 = TLanes.Broadcast(a[3]); c30 = TLanes.FusedMultiplyAdd(a3, b0, c30); c31 = TLanes.FusedMultiplyAdd(a3, b1, c31);
            var a4 = TLanes.Broadcast(a[4]); c40 = TLanes.FusedMultiplyAdd(a4, b0, c40); c41 = TLanes.FusedMultiplyAdd(a4, b1, c41);
            var a5 = TLanes.Broadcast(a[5]); c50 = TLanes.FusedMultiplyAdd(a5, b0, c50); c51 = TLanes.FusedMultiplyAdd(a5, b1, c51);
            if (eightRows)
            {
                var a6 = TLanes.Broadcast(a[6]); c60 = TLanes.FusedMultiplyAdd(a6, b0, c60); c61 = TLanes.FusedMultiplyAdd(a6, b1, c61);
                var a7 = TLanes.Broadcast(a[7]); c70 = TLanes.FusedMultiplyAdd(a7, b0, c70); c71 = TLanes.FusedMultiplyAdd(a7, b1, c71);
            }
            a += mr;
            b += 2 * w;
        }
        TLanes.Store(c00, c + 0 * ldc); TLanes.Store(c01, c + 0 * ldc + w);
        TLanes.Store(c10, c + 1 * ldc); TLanes.Store(c11, c + 1 * ldc + w);
        TLanes.Store(c20, c + 2 * ldc); TLanes.Store(c21, c + 2 * ldc + w);
        TLanes.Store(c30, c + 3 * ldc); TLanes.Store(c31, c + 3 * ldc + w);
        TLanes.Store(c40, c + 4 * ldc); TLanes.Store(c41, c + 4 * ldc + w);
        TLanes.Store(c50, c + 5 * ldc); TLanes.Store(c51, c + 5 * ldc + w);
        if (eightRows)
        {
            TLanes.Store(c60, c + 6 * ldc); TLanes.Store(c61, c + 6 * ldc + w);
            TLanes.Store(c70, c + 7 * ldc); TLanes.Store(c71, c + 7 * ldc + w);
        }
    }

    /// <summary>4 × 4 scalar fallback, still fused multiply-adds so it matches the vector kernels bit for bit.</summary>
    public static void KernelScalar(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        const int Mr = 4, Nr = 4;
        float* acc = stackalloc float[Mr * Nr];
        for (int r = 0; r < Mr; r++)
            for (int j = 0; j < Nr; j++)
                acc[r * Nr + j] = accumulate ? c[r * ldc + j] : 0f;
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < Mr; r++)
            {
                float ar = a[r];
                for (int j = 0; j < Nr; j++) acc[r * Nr + j] = MathF.FusedMultiplyAdd(ar, b[j], acc[r * Nr + j]);
            }
            a += Mr;
            b += Nr;
        }
        for (int r = 0; r < Mr; r++)
            for (int j = 0; j < Nr; j++)
                c[r * ldc + j] = acc[r * Nr + j];
    }
}
