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
    /// <see cref="SimdWidth.V128"/> runs the kernels at 128 bits (ARM64, where Vector256 is not accelerated); every
    /// other width at 256 bits. The kernels are written once over <see cref="ILanes{TVector, T}"/>; all widths give
    /// bit-identical results.
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
                        if (width == SimdWidth.V128) MultiplyRows<Lanes128<float>, Vector128<float>>(rowsOfA, count, depth, panel, panelBias, target, ldc);
                        else MultiplyRows<Lanes256<float>, Vector256<float>>(rowsOfA, count, depth, panel, panelBias, target, ldc);
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

    /// <summary>
    /// <paramref name="count"/> (≤ 6) rows of A times one panel, two vectors of columns per pass: the whole 16-column
    /// panel at 256 bits, each half at 128.
    /// </summary>
    private static unsafe void MultiplyRows<TLanes, TVector>(float* rowsOfA, int count, int depth, float* panel, float* panelBias, float* target, int ldc)
        where TLanes : struct, ILanes<TVector, float>
        where TVector : struct
    {
        for (int h = 0; h < W; h += 2 * TLanes.Count)
        {
            if (count == RowStep) Kernel6<TLanes, TVector>(rowsOfA, depth, panel + h, panelBias + h, target + h, ldc);
            else
                for (int i = 0; i < count; i++)
                    Kernel1<TLanes, TVector>(rowsOfA + (long)i * depth, depth, panel + h, panelBias + h, target + i * ldc + h);
        }
    }

    /// <summary>Six rows by two vectors of columns: 12 accumulators, fits the 16 registers of AVX2 and SSE.</summary>
    private static unsafe void Kernel6<TLanes, TVector>(float* a, int depth, float* panel, float* bias, float* c, int ldc)
        where TLanes : struct, ILanes<TVector, float>
        where TVector : struct
    {
        int w = TLanes.Count;
        var b0 = TLanes.Load(bias);
        var b1 = TLanes.Load(bias + w);
        TVector c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1;
        TVector c30 = b0, c31 = b1, c40 = b0, c41 = b1, c50 = b0, c51 = b1;
        float* a0 = a, a1 = a + depth, a2 = a + 2 * depth, a3 = a + 3 * depth, a4 = a + 4 * depth, a5 = a + 5 * depth;
        for (int k = 0; k < depth; k++)
        {
            var w0 = TLanes.Load(panel + k * W);
            var w1 = TLanes.Load(panel + k * W + w);
            var x = TLanes.Broadcast(a0[k]);
            c00 = TLanes.FusedMultiplyAdd(x, w0, c00); c01 = TLanes.FusedMultiplyAdd(x, w1, c01);
            x = TLanes.Broadcast(a1[k]);
            c10 = TLanes.FusedMultiplyAdd(x, w0, c10); c11 = TLanes.FusedMultiplyAdd(x, w1, c11);
            x = TLanes.Broadcast(a2[k]);
            c20 = TLanes.FusedMultiplyAdd(x, w0, c20); c21 = TLanes.FusedMultiplyAdd(x, w1, c21);
            x = TLanes.Broadcast(a3[k]);
            c30 = TLanes.FusedMultiplyAdd(x, w0, c30); c31 = TLanes.FusedMultiplyAdd(x, w1, c31);
            x = TLanes.Broadcast(a4[k]);
            c40 = TLanes.FusedMultiplyAdd(x, w0, c40); c41 = TLanes.FusedMultiplyAdd(x, w1, c41);
            x = TLanes.Broadcast(a5[k]);
            c50 = TLanes.FusedMultiplyAdd(x, w0, c50); c51 = TLanes.FusedMultiplyAdd(x, w1, c51);
        }
        TLanes.Store(c00, c); TLanes.Store(c01, c + w);
        TLanes.Store(c10, c + ldc); TLanes.Store(c11, c + ldc + w);
        TLanes.Store(c20, c + 2 * ldc); TLanes.Store(c21, c + 2 * ldc + w);
        TLanes.Store(c30, c + 3 * ldc); TLanes.Store(c31, c + 3 * ldc + w);
        TLanes.Store(c40, c + 4 * ldc); TLanes.Store(c41, c + 4 * ldc + w);
        TLanes.Store(c50, c + 5 * ldc); TLanes.Store(c51, c + 5 * ldc + w);
    }

    /// <summary>One row by two vectors of columns.</summary>
    private static unsafe void Kernel1<TLanes, TVector>(float* a, int depth, float* panel, float* bias, float* c)
        where TLanes : struct, ILanes<TVector, float>
        where TVector : struct
    {
        int w = TLanes.Count;
        var c0 = TLanes.Load(bias);
        var c1 = TLanes.Load(bias + w);
        for (int k = 0; k < depth; k++)
        {
            var x = TLanes.Broadcast(a[k]);
            c0 = TLanes.FusedMultiplyAdd(x, TLanes.Load(panel + k * W), c0);
            c1 = TLanes.FusedMultiplyAdd(x, TLanes.Load(panel + k * W + w), c1);
        }
        TLanes.Store(c0, c);
        TLanes.Store(c1, c + w);
    }
}
