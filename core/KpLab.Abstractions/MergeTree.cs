namespace KpLab.Abstractions;

/// <summary>One merge of a hierarchical clustering, in SciPy's linkage-matrix convention.</summary>
/// <param name="Left">The first merged node: an original row (&lt; n) or cluster n + i formed by merge i.</param>
/// <param name="Right">The second merged node, likewise.</param>
/// <param name="Distance">The linkage height at which they merge.</param>
/// <param name="Size">Rows in the merged cluster.</param>
public readonly record struct Merge(int Left, int Right, double Distance, int Size);

/// <summary>
/// The full merge tree of an agglomerative clustering of n rows: n − 1 merges in SciPy's linkage-matrix format
/// (<c>scipy.cluster.hierarchy.linkage</c>), ordered by height.
/// </summary>
public sealed class MergeTree
{
    /// <summary>Creates a tree over <paramref name="leaves"/> rows from its merges.</summary>
    /// <exception cref="ArgumentException">The number of merges is not leaves − 1 (for leaves ≥ 1).</exception>
    public MergeTree(int leaves, IReadOnlyList<Merge> merges)
    {
        ArgumentNullException.ThrowIfNull(merges);
        if (leaves > 0 && merges.Count != leaves - 1)
            throw new ArgumentException($"{leaves} leaves need {leaves - 1} merges, not {merges.Count}.", nameof(merges));
        Leaves = leaves;
        Merges = merges.ToArray();
    }

    /// <summary>Number of original rows.</summary>
    public int Leaves { get; }

    /// <summary>The merges, first to last.</summary>
    public IReadOnlyList<Merge> Merges { get; }

    /// <summary>The tree as SciPy's (n − 1) × 4 linkage matrix.</summary>
    public double[,] ToLinkageMatrix()
    {
        var z = new double[Merges.Count, 4];
        for (int i = 0; i < Merges.Count; i++)
        {
            z[i, 0] = Merges[i].Left;
            z[i, 1] = Merges[i].Right;
            z[i, 2] = Merges[i].Distance;
            z[i, 3] = Merges[i].Size;
        }
        return z;
    }
}
