namespace KpLab.Plugins.Hdbscan;

/// <summary>One row of the condensed tree: <see cref="Child"/> (a row index &lt; n, or a cluster id ≥ n) leaves
/// <see cref="Parent"/> (a cluster id; the root is n) at density λ = 1 / distance, carrying <see cref="Size"/> rows.</summary>
internal readonly record struct CondensedRow(int Parent, int Child, double Lambda, int Size);

/// <summary>
/// HDBSCAN*'s condensed cluster tree (Campello, Moulavi, Zimek and Sander 2015), built from the single-linkage tree of
/// the mutual reachability graph exactly as the Python hdbscan library's <c>condense_tree</c>: walking down from the
/// root, a split where both sides have at least minClusterSize rows makes two new clusters; otherwise the smaller side's
/// rows fall out of the current cluster at that λ. Cluster ids are n (root), n + 1, ... in breadth-first order.
/// </summary>
internal sealed class CondensedTree
{
    private CondensedTree(int points, List<CondensedRow> rows, int clusterCount)
    {
        Points = points;
        Rows = rows;
        ClusterCount = clusterCount;
        Parent = new int[clusterCount];
        Birth = new double[clusterCount];
        Stability = new double[clusterCount];
        DirectMaxLambda = new double[clusterCount];
        Children = new List<int>[clusterCount];
        for (int c = 0; c < clusterCount; c++) Children[c] = [];
        Parent[0] = -1;
        foreach (var row in rows)
        {
            int p = row.Parent - points;
            DirectMaxLambda[p] = Math.Max(DirectMaxLambda[p], row.Lambda);
            if (row.Child >= points)
            {
                int c = row.Child - points;
                Parent[c] = p;
                Birth[c] = row.Lambda;
                Children[p].Add(c);
            }
        }
    }

    /// <summary>
    /// Computes each cluster's stability Σ (λ − birth) · size over its rows. With <paramref name="pointLambda"/> a row's
    /// λ is taken from it instead (capped at the cluster's split λ), which is R dbscan's definition.
    /// </summary>
    public void ComputeStability(double[]? pointLambda)
    {
        Array.Clear(Stability);
        var splitLambda = new double[ClusterCount];
        for (int c = 0; c < ClusterCount; c++)
            splitLambda[c] = Children[c].Count > 0 ? Birth[Children[c][0]] : double.PositiveInfinity;
        foreach (var row in Rows)
        {
            int p = row.Parent - Points;
            double lambda = pointLambda is not null && row.Child < Points ? Math.Min(pointLambda[row.Child], splitLambda[p]) : row.Lambda;
            // λ − birth with both infinite (a split at distance 0) contributes nothing rather than NaN.
            double excess = lambda == Birth[p] ? 0 : lambda - Birth[p];
            Stability[p] += excess * row.Size;
        }
    }

    /// <summary>Number of original rows (n).</summary>
    public int Points { get; }

    /// <summary>The rows, in the order the tree was built.</summary>
    public IReadOnlyList<CondensedRow> Rows { get; }

    /// <summary>Number of clusters, the root included; cluster c (0-based) has id n + c.</summary>
    public int ClusterCount { get; }

    /// <summary>Parent cluster index of each cluster (-1 for the root).</summary>
    public int[] Parent { get; }

    /// <summary>λ at which each cluster appeared (0 for the root).</summary>
    public double[] Birth { get; }

    /// <summary>Σ (λ − birth) · size over each cluster's rows.</summary>
    public double[] Stability { get; }

    /// <summary>The largest λ among each cluster's own rows (hdbscan's <c>max_lambdas</c>).</summary>
    public double[] DirectMaxLambda { get; }

    /// <summary>Child clusters of each cluster.</summary>
    public List<int>[] Children { get; }

    /// <summary>Condenses a single-linkage tree given as merges: node n + i joins <paramref name="left"/>[i] and
    /// <paramref name="right"/>[i] at <paramref name="height"/>[i] with <paramref name="size"/>[i] rows.</summary>
    public static CondensedTree Build(int n, int[] left, int[] right, double[] height, int[] size, int minClusterSize)
    {
        var rows = new List<CondensedRow>(n + 16);
        if (n == 1) return new CondensedTree(n, rows, 1);
        int root = 2 * n - 2;
        var relabel = new int[2 * n - 1];
        relabel[root] = n;
        int nextLabel = n + 1;
        int SizeOf(int node) => node < n ? 1 : size[node - n];
        var queue = new Queue<int>();
        queue.Enqueue(root);
        var dropQueue = new Queue<int>();

        void Drop(int subtreeRoot, int parentLabel, double lambda)
        {
            // Every row under subtreeRoot falls out of parentLabel at lambda (breadth-first, as hdbscan lists them).
            dropQueue.Enqueue(subtreeRoot);
            while (dropQueue.Count > 0)
            {
                int node = dropQueue.Dequeue();
                if (node < n)
                {
                    rows.Add(new CondensedRow(parentLabel, node, lambda, 1));
                    continue;
                }
                dropQueue.Enqueue(left[node - n]);
                dropQueue.Enqueue(right[node - n]);
            }
        }

        while (queue.Count > 0)
        {
            int node = queue.Dequeue();
            if (node < n) continue;
            int l = left[node - n], r = right[node - n];
            double distance = height[node - n];
            double lambda = distance > 0 ? 1.0 / distance : double.PositiveInfinity;
            int ls = SizeOf(l), rs = SizeOf(r), label = relabel[node];
            bool bigLeft = ls >= minClusterSize, bigRight = rs >= minClusterSize;
            if (bigLeft && bigRight)
            {
                relabel[l] = nextLabel++;
                rows.Add(new CondensedRow(label, relabel[l], lambda, ls));
                relabel[r] = nextLabel++;
                rows.Add(new CondensedRow(label, relabel[r], lambda, rs));
                queue.Enqueue(l);
                queue.Enqueue(r);
            }
            else if (!bigLeft && !bigRight)
            {
                Drop(l, label, lambda);
                Drop(r, label, lambda);
            }
            else if (!bigLeft)
            {
                relabel[r] = label;
                Drop(l, label, lambda);
                queue.Enqueue(r);
            }
            else
            {
                relabel[l] = label;
                Drop(r, label, lambda);
                queue.Enqueue(l);
            }
        }
        return new CondensedTree(n, rows, nextLabel - n);
    }

    /// <summary>All descendants of cluster <paramref name="c"/> (not c itself).</summary>
    public IEnumerable<int> Descendants(int c)
    {
        var stack = new Stack<int>(Children[c]);
        while (stack.Count > 0)
        {
            int d = stack.Pop();
            yield return d;
            foreach (var child in Children[d]) stack.Push(child);
        }
    }
}
