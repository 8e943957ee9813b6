using KpLab.Kernels;

namespace KpLab.Plugins.KMeans;

/// <summary>
/// The assignment step shared by every k-means variant: each row goes to the centre minimising |c|² − 2x·c (|x|² is
/// the same for all centres), through the kernel's fused A·Bᵀ-and-argmin (<see cref="NearestCentroid"/>). Rows are
/// handled in tiles of a
/// fixed size, and per-tile centre sums are kept separately and added in tile order, so neither labels nor centres
/// depend on the thread count.
/// </summary>
internal sealed class NearestCentre
{
    /// <summary>Rows per tile. Fixed, never derived from the thread count, so sums are reduced in the same order.</summary>
    public const int TileRows = 256;

    private readonly int _columns;
    private readonly int _k;
    private readonly float[] _tileSums;
    private readonly int[] _tileCounts;

    public NearestCentre(int maxRows, int columns, int k)
    {
        _columns = columns;
        _k = k;
        Tiles = (maxRows + TileRows - 1) / TileRows;
        _tileSums = new float[(long)Tiles * k * columns];
        _tileCounts = new int[Tiles * k];
    }

    public int Tiles { get; }

    /// <summary>
    /// Labels the first <paramref name="rows"/> rows of <paramref name="values"/> with their nearest centre and, when
    /// <paramref name="accumulate"/> is set, keeps per-tile sums of the rows of each label for <see cref="ReduceSums"/>.
    /// When <paramref name="offsets"/> is given, it receives each row's |c|² − 2x·c for its centre (add |x|² for the
    /// squared distance).
    /// </summary>
    public void Assign(float[] values, int rows, float[] centres, int[] labels, bool accumulate, float[]? offsets = null)
    {
        int k = _k, d = _columns;
        var centreNorms = new float[k];
        MatrixRows.SquaredNorms(centres, d, centreNorms);
        int tiles = (rows + TileRows - 1) / TileRows;
        Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = KernelParallelism.Current }, tile =>
        {
            int r0 = tile * TileRows, count = Math.Min(TileRows, rows - r0);
            NearestCentroid.Assign(values.AsSpan(r0 * d, count * d), centres, d, centreNorms, labels.AsSpan(r0, count),
                offsets is null ? default : offsets.AsSpan(r0, count));
            if (!accumulate) return;
            var sums = _tileSums.AsSpan(tile * k * d, k * d);
            var counts = _tileCounts.AsSpan(tile * k, k);
            sums.Clear();
            counts.Clear();
            for (int i = r0; i < r0 + count; i++)
            {
                VectorMath.Add(values.AsSpan(i * d, d), sums.Slice(labels[i] * d, d));
                counts[labels[i]]++;
            }
        });
    }

    /// <summary>Per-tile sums written by the caller (Hamerly's step fills them itself): tile t's k × d block.</summary>
    public Span<float> TileSums(int tile) => _tileSums.AsSpan(tile * _k * _columns, _k * _columns);

    /// <summary>Per-tile counts: tile t's k entries.</summary>
    public Span<int> TileCounts(int tile) => _tileCounts.AsSpan(tile * _k, _k);

    /// <summary>Adds the per-tile sums and counts of the first <paramref name="rows"/> rows in tile order.</summary>
    public void ReduceSums(int rows, Span<float> sums, Span<int> counts)
    {
        sums.Clear();
        counts.Clear();
        int tiles = (rows + TileRows - 1) / TileRows;
        for (int t = 0; t < tiles; t++)
        {
            VectorMath.Add(TileSums(t), sums);
            var tileCounts = TileCounts(t);
            for (int j = 0; j < _k; j++) counts[j] += tileCounts[j];
        }
    }
}
