namespace KpLab.Kernels;

/// <summary>
/// The engine behind <see cref="MatrixProduct"/>: C[i, j] = A[i]·B[j], C with row stride <c>ldc</c>.
/// Parallel over blocks of C; each element is one fixed-order dot product, independent of the thread count.
/// </summary>
internal static class GemmEngine
{
    private const int RowBlock = 32;
    private const int ColBlock = 128;

    public static unsafe void MultiplyTransposed(ReadOnlySpan<float> a, int n, ReadOnlySpan<float> b, int m, int depth, Span<float> c, int ldc, bool parallel = true)
    {
        if (n == 0 || m == 0) return;
        int rowBlocks = (n + RowBlock - 1) / RowBlock;
        int colBlocks = (m + ColBlock - 1) / ColBlock;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            nint aa = (nint)pa, bb = (nint)pb, cc = (nint)pc;
            var options = parallel ? KernelParallelism.Options() : new ParallelOptions { MaxDegreeOfParallelism = 1 };
            Parallel.For(0, rowBlocks * colBlocks, options, block =>
            {
                int i0 = block / colBlocks * RowBlock, j0 = block % colBlocks * ColBlock;
                int i1 = Math.Min(n, i0 + RowBlock), j1 = Math.Min(m, j0 + ColBlock);
                for (int i = i0; i < i1; i++)
                {
                    var ai = new ReadOnlySpan<float>((float*)aa + (long)i * depth, depth);
                    var ci = (float*)cc + (long)i * ldc;
                    for (int j = j0; j < j1; j++)
                        ci[j] = VectorMath.Dot(ai, new ReadOnlySpan<float>((float*)bb + (long)j * depth, depth));
                }
            });
        }
    }
}
