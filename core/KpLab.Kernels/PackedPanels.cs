using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KpLab.Kernels;

/// <summary>
/// A row-major <c>rows × depth</c> matrix repacked for the GEMM micro-kernel: rows are grouped into panels of
/// <see cref="PanelRows"/>, and inside a panel the values are stored depth-major (<c>[p][r]</c>), so the kernel reads
/// one contiguous, 64-byte aligned run of <see cref="PanelRows"/> values per depth step. The last panel is padded with
/// zero rows, which only ever feed outputs that are thrown away.
/// </summary>
internal sealed unsafe class PackedPanels : IDisposable
{
    private float* _data;

    private PackedPanels(int rows, int depth, int panelRows)
    {
        Rows = rows;
        Depth = depth;
        PanelRows = panelRows;
        PanelCount = (rows + panelRows - 1) / panelRows;
        nuint bytes = (nuint)Math.Max(1L, (long)PanelCount * panelRows * depth) * sizeof(float);
        _data = (float*)NativeMemory.AlignedAlloc(bytes, 64);
    }

    public int Rows { get; }

    public int Depth { get; }

    public int PanelRows { get; }

    public int PanelCount { get; }

    /// <summary>The start of depth step <paramref name="depthStart"/> in the panel holding row <paramref name="row"/>.</summary>
    public float* At(int row, int depthStart) =>
        _data + (long)(row / PanelRows) * PanelRows * Depth + (long)depthStart * PanelRows;

    /// <summary>Packs <paramref name="rows"/> rows of <paramref name="source"/> (row stride <paramref name="depth"/>).</summary>
    public static PackedPanels Pack(float* source, int rows, int depth, int panelRows, int degree)
    {
        var packed = new PackedPanels(rows, depth, panelRows);
        nint src = (nint)source;
        if (degree <= 1 || packed.PanelCount < 4)
        {
            for (int p = 0; p < packed.PanelCount; p++) packed.PackPanel((float*)src, p);
        }
        else
        {
            Parallel.For(0, packed.PanelCount, new ParallelOptions { MaxDegreeOfParallelism = degree },
                p => packed.PackPanel((float*)src, p));
        }
        return packed;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackPanel(float* source, int panel)
    {
        int r0 = panel * PanelRows, depth = Depth, width = PanelRows;
        float* dst = _data + (long)panel * width * depth;
        int live = Math.Min(width, Rows - r0);
        // Read each source row sequentially; the strided writes stay inside one panel (L2-sized).
        for (int r = 0; r < live; r++)
        {
            float* row = source + (long)(r0 + r) * depth;
            float* d = dst + r;
            for (int p = 0; p < depth; p++) d[(long)p * width] = row[p];
        }
        for (int r = live; r < width; r++)
        {
            float* d = dst + r;
            for (int p = 0; p < depth; p++) d[(long)p * width] = 0f;
        }
    }

    public void Dispose()
    {
        if (_data == null) return;
        NativeMemory.AlignedFree(_data);
        _data = null;
        GC.SuppressFinalize(this);
    }

    ~PackedPanels()
    {
        if (_data != null) NativeMemory.AlignedFree(_data);
    }
}
