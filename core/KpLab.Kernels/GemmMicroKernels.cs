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
    /// <summary>8 × 32 with <see cref="Vector512"/>: 16 accumulators, 2 B loads and 8 broadcasts per depth step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel512(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        Vector512<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (accumulate)
        {
            c00 = Vector512.Load(c + 0 * ldc + 0); c01 = Vector512.Load(c + 0 * ldc + 16);
            c10 = Vector512.Load(c + 1 * ldc + 0); c11 = Vector512.Load(c + 1 * ldc + 16);
            c20 = Vector512.Load(c + 2 * ldc + 0); c21 = Vector512.Load(c + 2 * ldc + 16);
            c30 = Vector512.Load(c + 3 * ldc + 0); c31 = Vector512.Load(c + 3 * ldc + 16);
            c40 = Vector512.Load(c + 4 * ldc + 0); c41 = Vector512.Load(c + 4 * ldc + 16);
            c50 = Vector512.Load(c + 5 * ldc + 0); c51 = Vector512.Load(c + 5 * ldc + 16);
            c60 = Vector512.Load(c + 6 * ldc + 0); c61 = Vector512.Load(c + 6 * ldc + 16);
            c70 = Vector512.Load(c + 7 * ldc + 0); c71 = Vector512.Load(c + 7 * ldc + 16);
        }
        else
        {
            c00 = Vector512<float>.Zero; c01 = Vector512<float>.Zero;
            c10 = Vector512<float>.Zero; c11 = Vector512<float>.Zero;
            c20 = Vector512<float>.Zero; c21 = Vector512<float>.Zero;
            c30 = Vector512<float>.Zero; c31 = Vector512<float>.Zero;
            c40 = Vector512<float>.Zero; c41 = Vector512<float>.Zero;
            c50 = Vector512<float>.Zero; c51 = Vector512<float>.Zero;
            c60 = Vector512<float>.Zero; c61 = Vector512<float>.Zero;
            c70 = Vector512<float>.Zero; c71 = Vector512<float>.Zero;
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.LoadAligned(b + 0); var b1 = Vector512.LoadAligned(b + 16);
            var a0 = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            var a6 = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61);
            var a7 = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71);
            a += 8;
            b += 32;
        }
        c00.Store(c + 0 * ldc + 0); c01.Store(c + 0 * ldc + 16);
        c10.Store(c + 1 * ldc + 0); c11.Store(c + 1 * ldc + 16);
        c20.Store(c + 2 * ldc + 0); c21.Store(c + 2 * ldc + 16);
        c30.Store(c + 3 * ldc + 0); c31.Store(c + 3 * ldc + 16);
        c40.Store(c + 4 * ldc + 0); c41.Store(c + 4 * ldc + 16);
        c50.Store(c + 5 * ldc + 0); c51.Store(c + 5 * ldc + 16);
        c60.Store(c + 6 * ldc + 0); c61.Store(c + 6 * ldc + 16);
        c70.Store(c + 7 * ldc + 0); c71.Store(c + 7 * ldc + 16);
    }

    /// <summary>6 × 16 with <see cref="Vector256"/>: 12 accumulators, fits AVX2's 16 registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel256(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        Vector256<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate)
        {
            c00 = Vector256.Load(c + 0 * ldc + 0); c01 = Vector256.Load(c + 0 * ldc + 8);
            c10 = Vector256.Load(c + 1 * ldc + 0); c11 = Vector256.Load(c + 1 * ldc + 8);
            c20 = Vector256.Load(c + 2 * ldc + 0); c21 = Vector256.Load(c + 2 * ldc + 8);
            c30 = Vector256.Load(c + 3 * ldc + 0); c31 = Vector256.Load(c + 3 * ldc + 8);
            c40 = Vector256.Load(c + 4 * ldc + 0); c41 = Vector256.Load(c + 4 * ldc + 8);
            c50 = Vector256.Load(c + 5 * ldc + 0); c51 = Vector256.Load(c + 5 * ldc + 8);
        }
        else
        {
            c00 = Vector256<float>.Zero; c01 = Vector256<float>.Zero;
            c10 = Vector256<float>.Zero; c11 = Vector256<float>.Zero;
            c20 = Vector256<float>.Zero; c21 = Vector256<float>.Zero;
            c30 = Vector256<float>.Zero; c31 = Vector256<float>.Zero;
            c40 = Vector256<float>.Zero; c41 = Vector256<float>.Zero;
            c50 = Vector256<float>.Zero; c51 = Vector256<float>.Zero;
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadAligned(b + 0); var b1 = Vector256.LoadAligned(b + 8);
            var a0 = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(a0, b0, c00); c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(a1, b0, c10); c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(a2, b0, c20); c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(a3, b0, c30); c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(a4, b0, c40); c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(a5, b0, c50); c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += 16;
        }
        c00.Store(c + 0 * ldc + 0); c01.Store(c + 0 * ldc + 8);
        c10.Store(c + 1 * ldc + 0); c11.Store(c + 1 * ldc + 8);
        c20.Store(c + 2 * ldc + 0); c21.Store(c + 2 * ldc + 8);
        c30.Store(c + 3 * ldc + 0); c31.Store(c + 3 * ldc + 8);
        c40.Store(c + 4 * ldc + 0); c41.Store(c + 4 * ldc + 8);
        c50.Store(c + 5 * ldc + 0); c51.Store(c + 5 * ldc + 8);
    }

    /// <summary>6 × 8 with <see cref="Vector128"/>: 12 accumulators, fits SSE's 16 registers (ARM64 AdvSimd has 32).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel128(int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        Vector128<float> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
        if (accumulate)
        {
            c00 = Vector128.Load(c + 0 * ldc + 0); c01 = Vector128.Load(c + 0 * ldc + 4);
            c10 = Vector128.Load(c + 1 * ldc + 0); c11 = Vector128.Load(c + 1 * ldc + 4);
            c20 = Vector128.Load(c + 2 * ldc + 0); c21 = Vector128.Load(c + 2 * ldc + 4);
            c30 = Vector128.Load(c + 3 * ldc + 0); c31 = Vector128.Load(c + 3 * ldc + 4);
            c40 = Vector128.Load(c + 4 * ldc + 0); c41 = Vector128.Load(c + 4 * ldc + 4);
            c50 = Vector128.Load(c + 5 * ldc + 0); c51 = Vector128.Load(c + 5 * ldc + 4);
        }
        else
        {
            c00 = Vector128<float>.Zero; c01 = Vector128<float>.Zero;
            c10 = Vector128<float>.Zero; c11 = Vector128<float>.Zero;
            c20 = Vector128<float>.Zero; c21 = Vector128<float>.Zero;
            c30 = Vector128<float>.Zero; c31 = Vector128<float>.Zero;
            c40 = Vector128<float>.Zero; c41 = Vector128<float>.Zero;
            c50 = Vector128<float>.Zero; c51 = Vector128<float>.Zero;
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b + 0); var b1 = Vector128.Load(b + 4);
            var a0 = Vector128.Create(a[0]); c00 = Vector128.FusedMultiplyAdd(a0, b0, c00); c01 = Vector128.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector128.Create(a[1]); c10 = Vector128.FusedMultiplyAdd(a1, b0, c10); c11 = Vector128.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector128.Create(a[2]); c20 = Vector128.FusedMultiplyAdd(a2, b0, c20); c21 = Vector128.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector128.Create(a[3]); c30 = Vector128.FusedMultiplyAdd(a3, b0, c30); c31 = Vector128.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector128.Create(a[4]); c40 = Vector128.FusedMultiplyAdd(a4, b0, c40); c41 = Vector128.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector128.Create(a[5]); c50 = Vector128.FusedMultiplyAdd(a5, b0, c50); c51 = Vector128.FusedMultiplyAdd(a5, b1, c51);
            a += 6;
            b += 8;
        }
        c00.Store(c + 0 * ldc + 0); c01.Store(c + 0 * ldc + 4);
        c10.Store(c + 1 * ldc + 0); c11.Store(c + 1 * ldc + 4);
        c20.Store(c + 2 * ldc + 0); c21.Store(c + 2 * ldc + 4);
        c30.Store(c + 3 * ldc + 0); c31.Store(c + 3 * ldc + 4);
        c40.Store(c + 4 * ldc + 0); c41.Store(c + 4 * ldc + 4);
        c50.Store(c + 5 * ldc + 0); c51.Store(c + 5 * ldc + 4);
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
