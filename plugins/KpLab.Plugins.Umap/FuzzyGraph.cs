namespace KpLab.Plugins.Umap;

/// <summary>
/// A sparse weighted graph in compressed-row form: the neighbours of row i are
/// <c>Columns[RowStarts[i] .. RowStarts[i + 1]]</c>, in ascending column order, with their <c>Weights</c>.
/// </summary>
/// <param name="Rows">Number of rows (source vertices).</param>
/// <param name="ColumnCount">Number of columns (target vertices): the rows for a graph on one set, the training rows for new rows.</param>
/// <param name="RowStarts">Row offsets, length Rows + 1.</param>
/// <param name="Columns">Column of each stored edge.</param>
/// <param name="Weights">Weight of each stored edge, all &gt; 0.</param>
public sealed record FuzzyGraph(int Rows, int ColumnCount, int[] RowStarts, int[] Columns, float[] Weights)
{
    /// <summary>Number of stored edges.</summary>
    public int EdgeCount => Columns.Length;

    /// <summary>The weight of edge (i, j), or 0 when it is not stored.</summary>
    public float Weight(int row, int column)
    {
        int at = Array.BinarySearch(Columns, RowStarts[row], RowStarts[row + 1] - RowStarts[row], column);
        return at >= 0 ? Weights[at] : 0f;
    }

    /// <summary>The largest weight, or 0 for an empty graph.</summary>
    public float MaxWeight() => Weights.Length == 0 ? 0f : Weights.Max();

    /// <summary>Builds the graph from row-wise entries; entries with weight 0 are left out, duplicates are not expected.</summary>
    internal static FuzzyGraph FromRows(int rows, int columns, IReadOnlyList<List<(int Column, float Weight)>> entries)
    {
        var starts = new int[rows + 1];
        for (int i = 0; i < rows; i++) starts[i + 1] = starts[i] + entries[i].Count(e => e.Weight != 0f);
        var cols = new int[starts[rows]];
        var weights = new float[starts[rows]];
        for (int i = 0; i < rows; i++)
        {
            int at = starts[i];
            foreach (var (column, weight) in entries[i].Where(e => e.Weight != 0f).OrderBy(e => e.Column))
            {
                cols[at] = column;
                weights[at++] = weight;
            }
        }
        return new FuzzyGraph(rows, columns, starts, cols, weights);
    }
}
