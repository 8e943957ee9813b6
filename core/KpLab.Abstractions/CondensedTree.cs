namespace KpLab.Abstractions;

/// <summary>One edge of a condensed cluster tree, in the Python hdbscan library's convention.</summary>
/// <param name="Parent">The cluster the child leaves: a cluster id (the root is n, the number of rows).</param>
/// <param name="Child">A row index (&lt; n) or a cluster id (≥ n).</param>
/// <param name="Lambda">The density λ = 1 / distance at which the child leaves the parent.</param>
/// <param name="Size">Rows the child carries (1 for a row).</param>
public readonly record struct CondensedTreeEdge(int Parent, int Child, double Lambda, int Size);

/// <summary>
/// HDBSCAN*'s condensed cluster tree over n rows (the <c>condensed_tree_</c> of the Python hdbscan library): the
/// edges along which rows and clusters leave their parent clusters as the density rises.
/// </summary>
public sealed class CondensedTree
{
    /// <summary>Creates a tree over <paramref name="points"/> rows from its edges (a copy is kept).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="points"/> is negative.</exception>
    public CondensedTree(int points, IEnumerable<CondensedTreeEdge> edges)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(points);
        ArgumentNullException.ThrowIfNull(edges);
        Points = points;
        Edges = edges.ToArray();
    }

    /// <summary>Number of original rows.</summary>
    public int Points { get; }

    /// <summary>The edges, in the order the tree was built (parents before their children).</summary>
    public IReadOnlyList<CondensedTreeEdge> Edges { get; }

    /// <summary>The tree as a table with columns parent, child, lambda, size.</summary>
    public ResultTable ToTable(string name = "condensedTree") =>
        new(name, ["parent", "child", "lambda", "size"],
            Edges.Select(e => (IReadOnlyList<object?>)[e.Parent, e.Child, e.Lambda, e.Size]));
}
