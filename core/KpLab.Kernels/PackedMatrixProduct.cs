using System.Runtime.Intrinsics;

namespace KpLab.Kernels;

/// <summary>
/// A constant right-hand matrix B (depth × columns, e.g. a layer's weights) packed once into 16-column panels, each
/// stored depth-major, so <see cref="PackedMatrixProduct"/> streams it with unit stride. Columns past the end of the
/// last panel are zero.
/// </summary>
public sealed class PackedMatrix
{
    internal const int PanelWidth = 16;

    private PackedMatrix(int depth, int columns, float[] panels)
    {
        Depth = depth;
        Columns = columns;
        Panels = panels;
    }

    /// <summary>Rows of B (the shared dimension of the product).</summary>
    public int Depth { get; }

    /// <summary>Columns of B (and of the product).</summary>
    public int Columns { get; }

    internal float[] Panels { get; }

    internal int PanelCount => (Columns + PanelWidth - 1) / PanelWidth;

    /// <summary>Packs B given row-major as depth × columns (B[k, j] at k · columns + j).</summary>
    /// <exception cref="ArgumentException">The length is not depth × columns or a dimension is not positive.</exception>
    public static PackedMatrix FromRowMajor(ReadOnlySpan<float> b, int depth, int columns)
    {
        if (depth < 1 || columns < 1 || (long)depth * columns != b.Length)
            throw new ArgumentException($"{b.Length} values cannot form a {depth} x {columns} matrix.", nameof(b));
        int panelCount = (columns + PanelWidth - 1) / PanelWidth;
        var panels = new float[(long)panelCount * depth * PanelWidth];
        for (int p = 0; p < panelCount; p++)
            for (int k = 0; k < depth; k++)
                for (int j = 0; j < PanelWidth && p * PanelWidth + j < columns; j++)
                    panels[((long)p * depth + k) * PanelWidth + j] = b[k * columns + p * PanelWidth + j];
        return new PackedMatrix(depth, columns, panels);
    }
}

/// <summary>
/// C = A·B + bias for a row-major A (rows × depth) and a <see cref="PackedMatrix"/> B: a register-blocked FMA kernel
/// (6 rows × 16 columns per step) parallel over tiles of C. Every element is accumulated by one thread in the same
/// order (bias first, then k ascending, one fused multiply-add per term), whatever the row count, tiling or thread
/// count, so a row's result does not depend on the other rows or on <see cref="KernelParallelism"/>.
/// </summary>
public static class PackedMatrixProduct
{
    private const int RowStep = 6;
    private const int RowsPerTile = 8 * RowStep;
    private const int PanelsPerTile = 4;
    private const int W = PackedMatrix.PanelWidth;

    /// <summary>Computes C = A·B + bias.</summary>
    /// <param name="a">A, rows × depth, row-major.</param>
    /// <param name="rows">Rows of A and C.</param>
    /// <param name="b">B, packed.</param>
    /// <param name="bias">Added to every row of C: length B.Columns, or empty for none.</param>
    /// <param name="c">Receives C, rows × B.Columns, row-major.</param>
    /// <exception cref="ArgumentException">A shape does not match.</exception>
    public static void Multiply(ReadOnlySpan<float> a, int rows, PackedMatrix b, ReadOnlySpan<float> bias, Span<float> c)
        => Multiply(a, rows, b, bias, c, SimdWidths.Best);

    /// <summary>
    /// <see cref="SimdWidth.V128"/> runs <see cref="Vector128"/> kernels (ARM64, where Vector256 is not accelerated);
    /// every other width the <see cref="Vector256"/> ones, as before. Both give bit-identical results.
    /// </summary>
    internal static unsafe void Multiply(ReadOnlySpan<float> a, int rows, PackedMatrix b, ReadOnlySpan<float> bias, Span<float> c, SimdWidth width)
    {
        ArgumentNullException.ThrowIfNull(b);
        int depth = b.Depth, columns = b.Columns;
        if (rows < 0 || (long)a.Length < (long)rows * depth)
            throw new ArgumentException($"A has {a.Length} values; {rows} x {depth} needed.", nameof(a));
        if ((long)c.Length < (long)rows * columns)
            throw new ArgumentException($"C has {c.Length} values; {rows} x {columns} needed.", nameof(c));
        if (bias.Length != 0 && bias.Length != columns)
            throw new ArgumentException($"The bias has {bias.Length} values; {columns} needed.", nameof(bias));
        if (rows == 0) return;
        var paddedBias = new float[b.PanelCount * W];
        bias.CopyTo(paddedBias);
        int rowTiles = (rows + RowsPerTile - 1) / RowsPerTile;
        int panelTiles = (b.PanelCount + PanelsPerTile - 1) / PanelsPerTile;
        fixed (float* pa = a)
        fixed (float* pc = c)
        fixed (float* pb = b.Panels)
        fixed (float* pbias = paddedBias)
        {
            nint aa = (nint)pa, cc = (nint)pc, bb = (nint)pb, bs = (nint)pbias;
            void Tile(int tile)
            {
                int r0 = tile / panelTiles * RowsPerTile, r1 = Math.Min(rows, r0 + RowsPerTile);
                int p0 = tile % panelTiles * PanelsPerTile, p1 = Math.Min(b.PanelCount, p0 + PanelsPerTile);
                float* block = stackalloc float[RowStep * W];
                for (int p = p0; p < p1; p++)
                {
                    float* panel = (float*)bb + (long)p * depth * W;
                    float* panelBias = (float*)bs + p * W;
                    int panelColumns = Math.Min(W, columns - p * W);
                    for (int r = r0; r < r1; r += RowStep)
                    {
                        int count = Math.Min(RowStep, r1 - r);
                        float* rowsOfA = (float*)aa + (long)r * depth;
                        bool direct = panelColumns == W && count == RowStep;
                        float* target = direct ? (float*)cc + (long)r * columns + p * W : block;
                        int ldc = direct ? columns : W;
                        if (count == RowStep)
                        {
                            if (width == SimdWidth.V128)
                            {
                                Kernel6x8(rowsOfA, depth, panel, panelBias, target, ldc);
                                Kernel6x8(rowsOfA, depth, panel + W / 2, panelBias + W / 2, target + W / 2, ldc);
                            }
                            else Kernel6(rowsOfA, depth, panel, panelBias, target, ldc);
                        }
                        else
                            for (int i = 0; i < count; i++)
                            {
                                if (width == SimdWidth.V128) Kernel1x16(rowsOfA + (long)i * depth, depth, panel, panelBias, target + i * ldc);
                                else Kernel1(rowsOfA + (long)i * depth, depth, panel, panelBias, target + i * ldc);
                            }
                        if (!direct)
                            for (int i = 0; i < count; i++)
                                new ReadOnlySpan<float>(block + i * W, panelColumns).CopyTo(new Span<float>((float*)cc + (long)(r + i) * columns + p * W, panelColumns));
                    }
                }
            }
            int tiles = rowTiles * panelTiles;
            if (tiles == 1 || KernelParallelism.Current == 1)
                for (int t = 0; t < tiles; t++)
                {
                    KernelParallelism.ThrowIfCancellationRequested();
                    Tile(t);
                }
            else
                Parallel.For(0, tiles, KernelParallelism.Options(), Tile);
        }
    }

    private static unsafe void Kernel6(float* a, int depth, float* panel, float* bias, float* c, int ldc)
    {
        var b0 = Vector256.Load(bias);
        var b1 = Vector256.Load(bias + 8);
        Vector256<float> c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1;
        Vector256<float> c30 = b0, c31 = b1, c40 = b0, c41 = b1, c50 = b0, c51 = b1;
        float* a0 = a, a1 = a + depth, a2 = a + 2 * depth, a3 = a + 3 * depth, a4 = a + 4 * depth, a5 = a + 5 * depth;
        for (int k = 0; k < depth; k++)
        {
            var w0 = Vector256.Load(panel + k * W);
            var w1 = Vector256.Load(panel + k * W + 8);
            var x = Vector256.Create(a0[k]);
            c00 = Vector256.FusedMultiplyAdd(x, w0, c00); c01 = Vector256.FusedMultiplyAdd(x, w1, c01);
            x = Vector256.Create(a1[k]);
            c10 = Vector256.FusedMultiplyAdd(x, w0, c10); c11 = Vector256.FusedMultiplyAdd(x, w1, c11);
            x = Vector256.Create(a2[k]);
            c20 = Vector256.FusedMultiplyAdd(x, w0, c20); c21 = Vector256.FusedMultiplyAdd(x, w1, c21);
            x = Vector256.Create(a3[k]);
            c30 = Vector256.FusedMultiplyAdd(x, w0, c30); c31 = Vector256.FusedMultiplyAdd(x, w1, c31);
            x = Vector256.Create(a4[k]);
            c40 = Vector256.FusedMultiplyAdd(x, w0, c40); c41 = Vector256.FusedMultiplyAdd(x, w1, c41);
            x = Vector256.Create(a5[k]);
            c50 = Vector256.FusedMultiplyAdd(x, w0, c50); c51 = Vector256.FusedMultiplyAdd(x, w1, c51);
        }
        c00.Store(c); c01.Store(c + 8);
        c10.Store(c + ldc); c11.Store(c + ldc + 8);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 8);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 8);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 8);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 8);
    }

    private static unsafe void Kernel1(float* a, int depth, float* panel, float* bias, float* c)
    {
        var c0 = Vector256.Load(bias);
        var c1 = Vector256.Load(bias + 8);
        for (int k = 0; k < depth; k++)
        {
            var x = Vector256.Create(a[k]);
            c0 = Vector256.FusedMultiplyAdd(x, Vector256.Load(panel + k * W), c0);
            c1 = Vector256.FusedMultiplyAdd(x, Vector256.Load(panel + k * W + 8), c1);
        }
        c0.Store(c);
        c1.Store(c + 8);
    }

    /// <summary>
    /// Six rows by eight of the panel's sixteen columns with <see cref="Vector128"/> (12 accumulators: fits SSE's 16
    /// registers as well as AdvSimd's 32); the caller runs it on both halves of the panel.
    /// </summary>
    private static unsafe void Kernel6x8(float* a, int depth, float* panel, float* bias, float* c, int ldc)
    {
        var b0 = Vector128.Load(bias);
        var b1 = Vector128.Load(bias + 4);
        Vector128<float> c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1;
        Vector128<float> c30 = b0, c31 = b1, c40 = b0, c41 = b1, c50 = b0, c51 = b1;
        float* a0 = a, a1 = a + depth, a2 = a + 2 * depth, a3 = a + 3 * depth, a4 = a + 4 * depth, a5 = a + 5 * depth;
        for (int k = 0; k < depth; k++)
        {
            var w0 = Vector128.Load(panel + k * W);
            var w1 = Vector128.Load(panel + k * W + 4);
            var x = Vector128.Create(a0[k]);
            c00 = Vector128.FusedMultiplyAdd(x, w0, c00); c01 = Vector128.FusedMultiplyAdd(x, w1, c01);
            x = Vector128.Create(a1[k]);
            c10 = Vector128.FusedMultiplyAdd(x, w0, c10); c11 = Vector128.FusedMultiplyAdd(x, w1, c11);
            x = Vector128.Create(a2[k]);
            c20 = Vector128.FusedMultiplyAdd(x, w0, c20); c21 = Vector128.FusedMultiplyAdd(x, w1, c21);
            x = Vector128.Create(a3[k]);
            c30 = Vector128.FusedMultiplyAdd(x, w0, c30); c31 = Vector128.FusedMultiplyAdd(x, w1, c31);
            x = Vector128.Create(a4[k]);
            c40 = Vector128.FusedMultiplyAdd(x, w0, c40); c41 = Vector128.FusedMultiplyAdd(x, w1, c41);
            x = Vector128.Create(a5[k]);
            c50 = Vector128.FusedMultiplyAdd(x, w0, c50); c51 = Vector128.FusedMultiplyAdd(x, w1, c51);
        }
        c00.Store(c); c01.Store(c + 4);
        c10.Store(c + ldc); c11.Store(c + ldc + 4);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 4);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 4);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 4);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 4);
    }

    private static unsafe void Kernel1x16(float* a, int depth, float* panel, float* bias, float* c)
    {
        var c0 = Vector128.Load(bias);
        var c1 = Vector128.Load(bias + 4);
        var c2 = Vector128.Load(bias + 8);
        var c3 = Vector128.Load(bias + 12);
        for (int k = 0; k < depth; k++)
        {
            var x = Vector128.Create(a[k]);
            float* w = panel + k * W;
            c0 = Vector128.FusedMultiplyAdd(x, Vector128.Load(w), c0);
            c1 = Vector128.FusedMultiplyAdd(x, Vector128.Load(w + 4), c1);
            c2 = Vector128.FusedMultiplyAdd(x, Vector128.Load(w + 8), c2);
            c3 = Vector128.FusedMultiplyAdd(x, Vector128.Load(w + 12), c3);
        }
        c0.Store(c);
        c1.Store(c + 4);
        c2.Store(c + 8);
        c3.Store(c + 12);
    }
}
