using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// The engine behind <see cref="MatrixProduct"/>: C[i, j] = A[i]·B[j] for row-major A (n × depth) and B (m × depth),
/// C with row stride <c>ldc</c>.
/// </summary>
/// <remarks>
/// Goto/BLIS structure: A and B are packed once into panels (<see cref="PackedPanels"/>), C is cut into macro-tiles
/// that threads take dynamically, each macro-tile walks the depth in L2-sized blocks and runs a register-blocked
/// micro-kernel (<see cref="GemmMicroKernels"/>) over mr × nr micro-tiles. Every element of C is a single fused
/// multiply-add chain over the depth in ascending order, continued across depth blocks through C itself, so C is
/// bit-identical whatever the thread count, the tiling or the vector width. The symmetric path (A·Aᵀ) computes the
/// micro-tiles on or above the diagonal and mirrors each macro-tile as it finishes, which is exact because the
/// chains for (i, j) and (j, i) multiply the same pairs in the same order.
/// </remarks>
internal static unsafe class GemmEngine
{
    /// <summary>Largest depth block: a B block of <see cref="MaxDepthBlock"/> × <c>NC</c> stays in a Zen 4 L2 (1 MiB).</summary>
    private const int MaxDepthBlock = 384;

    /// <summary>Micro-tiles per macro-tile along the rows (MC = mr · this) and along the columns (NC = nr · this).</summary>
    private const int MicroRowsPerTile = 16;
    private const int MicroColsPerTile = 8;

    /// <summary>The register block of a kernel width.</summary>
    internal readonly record struct KernelShape(int Mr, int Nr)
    {
        public static KernelShape Of(SimdWidth width) => width switch
        {
            SimdWidth.V512 => new(8, 32),
            SimdWidth.V256 => new(6, 16),
            SimdWidth.V128 => new(6, 8),
            _ => new(4, 4),
        };
    }

    /// <summary>
    /// C = A·Bᵀ with an explicit degree and width. With <paramref name="symmetric"/> B must be A (n = m) and only
    /// the upper triangle is computed, then mirrored.
    /// </summary>
    internal static void MultiplyTransposed(ReadOnlySpan<float> a, int n, ReadOnlySpan<float> b, int m, int depth, Span<float> c, int ldc,
        int degree, SimdWidth width, bool symmetric)
    {
        if (n == 0 || m == 0) return;
        var shape = KernelShape.Of(width);
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            using var packedA = PackedPanels.Pack(pa, n, depth, shape.Mr, degree);
            using var packedB = PackedPanels.Pack(pb, m, depth, shape.Nr, degree);
            Run(packedA, packedB, pc, ldc, degree, width, symmetric);
        }
    }

    /// <summary>
    /// C = A·Bᵀ for a few rows of A against an already packed B, on the calling thread (the tiled pairwise path).
    /// </summary>
    internal static void MultiplyTile(float* a, int rows, PackedPanels packedB, float* c, int ldc, SimdWidth width)
    {
        if (rows == 0 || packedB.Rows == 0) return;
        using var packedA = PackedPanels.Pack(a, rows, packedB.Depth, KernelShape.Of(width).Mr, degree: 1);
        Run(packedA, packedB, c, ldc, degree: 1, width, symmetric: false);
    }

    private static void Run(PackedPanels a, PackedPanels b, float* c, int ldc, int degree, SimdWidth width, bool symmetric)
    {
        int n = a.Rows, m = b.Rows;
        var shape = KernelShape.Of(width);
        int mc = shape.Mr * MicroRowsPerTile, nc = shape.Nr * MicroColsPerTile;
        int tilesI = (n + mc - 1) / mc, tilesJ = (m + nc - 1) / nc;
        // Row-major order of macro-tiles; the symmetric path keeps those that reach the diagonal or lie above it.
        var tiles = new List<(int I0, int J0)>(tilesI * tilesJ);
        for (int ti = 0; ti < tilesI; ti++)
            for (int tj = 0; tj < tilesJ; tj++)
                if (!symmetric || (tj + 1) * nc > ti * mc) tiles.Add((ti * mc, tj * nc));
        nint cc = (nint)c;
        if (degree <= 1 || tiles.Count == 1)
        {
            foreach (var (i0, j0) in tiles)
            {
                KernelParallelism.ThrowIfCancellationRequested();
                MacroTile(a, b, c, ldc, i0, j0, mc, nc, width, symmetric);
            }
            return;
        }
        Parallel.For(0, tiles.Count, KernelParallelism.Options(degree), t =>
            MacroTile(a, b, (float*)cc, ldc, tiles[t].I0, tiles[t].J0, mc, nc, width, symmetric));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MacroTile(PackedPanels a, PackedPanels b, float* c, int ldc, int i0, int j0, int mc, int nc,
        SimdWidth width, bool symmetric)
    {
        var shape = KernelShape.Of(width);
        int mr = shape.Mr, nr = shape.Nr, depth = a.Depth;
        int i1 = Math.Min(a.Rows, i0 + mc), j1 = Math.Min(b.Rows, j0 + nc);
        // Equal depth blocks of at most MaxDepthBlock (768 = 2 × 384, 384 = 1 × 384).
        int blocks = (depth + MaxDepthBlock - 1) / MaxDepthBlock;
        int kcStep = (depth + blocks - 1) / blocks;
        float* edge = stackalloc float[mr * nr];
        for (int p0 = 0; p0 < depth; p0 += kcStep)
        {
            int kc = Math.Min(kcStep, depth - p0);
            bool accumulate = p0 > 0;
            for (int ir = i0; ir < i1; ir += mr)
            {
                float* ap = a.At(ir, p0);
                int rows = Math.Min(mr, i1 - ir);
                for (int jr = j0; jr < j1; jr += nr)
                {
                    if (symmetric && jr + nr <= ir) continue; // strictly below the diagonal: mirrored later
                    float* bp = b.At(jr, p0);
                    int cols = Math.Min(nr, j1 - jr);
                    float* ct = c + (long)ir * ldc + jr;
                    if (rows == mr && cols == nr)
                    {
                        Kernel(width, kc, ap, bp, ct, ldc, accumulate);
                        continue;
                    }
                    // Edge micro-tile: run the full kernel on a scratch tile and copy the live part.
                    if (accumulate)
                        for (int r = 0; r < rows; r++)
                            new ReadOnlySpan<float>(ct + (long)r * ldc, cols).CopyTo(new Span<float>(edge + r * nr, cols));
                    Kernel(width, kc, ap, bp, edge, nr, accumulate);
                    for (int r = 0; r < rows; r++)
                        new ReadOnlySpan<float>(edge + r * nr, cols).CopyTo(new Span<float>(ct + (long)r * ldc, cols));
                }
            }
        }
        if (symmetric) MirrorTile(c, ldc, i0, i1, j0, j1, mr, nr);
    }

    /// <summary>
    /// Copies the finished upper-triangle part of a macro-tile to its mirror image C[j, i] while the tile is still in
    /// cache (a separate pass over an n × n result would stream it from memory twice). Lower positions that a
    /// diagonal micro-tile computes itself (possibly in another macro-tile, mid-chain) are left to it, so every
    /// element of C has exactly one writer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MirrorTile(float* c, int ldc, int i0, int i1, int j0, int j1, int mr, int nr)
    {
        const int Block = 16;
        for (int jb = Math.Max(j0, i0 + 1); jb < j1; jb += Block)
        {
            int jEnd = Math.Min(j1, jb + Block);
            for (int i = i0; i < i1; i++)
            {
                // (j, i) is computed in place when its micro-tile reaches the diagonal: j below the first multiple
                // of mr at or after the end of i's nr-column block.
                int computedBelow = ((i / nr + 1) * nr + mr - 1) / mr * mr;
                float* src = c + (long)i * ldc;
                for (int j = Math.Max(jb, Math.Max(i + 1, computedBelow)); j < jEnd; j++) c[(long)j * ldc + i] = src[j];
            }
        }
    }

    private static void Kernel(SimdWidth width, int kc, float* a, float* b, float* c, nint ldc, bool accumulate)
    {
        switch (width)
        {
            case SimdWidth.V512: GemmMicroKernels.Kernel<Lanes512<float>, Vector512<float>>(kc, a, b, c, ldc, accumulate); break;
            case SimdWidth.V256: GemmMicroKernels.Kernel<Lanes256<float>, Vector256<float>>(kc, a, b, c, ldc, accumulate); break;
            case SimdWidth.V128: GemmMicroKernels.Kernel<Lanes128<float>, Vector128<float>>(kc, a, b, c, ldc, accumulate); break;
            default: GemmMicroKernels.KernelScalar(kc, a, b, c, ldc, accumulate); break;
        }
    }
}
