using KpLab.Kernels;

namespace KpLab.Plugins.Umap;

/// <summary>
/// One random-projection tree (pynndescent's <c>make_euclidean_tree</c> / <c>make_angular_tree</c>): a node splits its
/// rows by the hyperplane that bisects two of them drawn at random (through their midpoint for Euclidean data, through
/// the origin for cosine data, which arrives normalised), until a node holds at most the leaf size. Only the leaves
/// are kept: NN-descent starts from the pairs that share one.
/// </summary>
internal sealed class RandomProjectionTree
{
    private readonly int[] _order;
    private readonly List<(int Start, int End)> _leaves;

    private RandomProjectionTree(int[] order, List<(int Start, int End)> leaves)
    {
        _order = order;
        _leaves = leaves;
    }

    /// <summary>Number of leaves.</summary>
    public int LeafCount => _leaves.Count;

    /// <summary>The rows of leaf <paramref name="leaf"/>.</summary>
    public ReadOnlySpan<int> Leaf(int leaf) => _order.AsSpan(_leaves[leaf].Start, _leaves[leaf].End - _leaves[leaf].Start);

    /// <summary>Builds tree <paramref name="tree"/> of the forest of <paramref name="seed"/> (its own random stream).</summary>
    public static RandomProjectionTree Build(float[] rows, int n, int depth, int leafSize, bool angular, int seed, int tree,
        CancellationToken cancellationToken)
    {
        var random = new Random((int)NearestNeighborDescent.Hash(seed, 0, tree, 0));
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var leaves = new List<(int, int)>();
        var normal = new float[depth];
        var side = new bool[n];
        var pending = new Stack<(int Start, int End)>();
        pending.Push((0, n));
        int splits = 0;
        while (pending.Count > 0)
        {
            var (start, end) = pending.Pop();
            if (end - start <= leafSize)
            {
                leaves.Add((start, end));
                continue;
            }
            if (++splits % 256 == 0) cancellationToken.ThrowIfCancellationRequested();
            int middle = Split(rows, depth, order, start, end, normal, side, angular, random);
            pending.Push((middle, end));
            pending.Push((start, middle));
        }
        return new RandomProjectionTree(order, leaves);
    }

    /// <summary>Reorders <c>order[start..end)</c> into the two sides of a random hyperplane; returns where the second begins.</summary>
    private static int Split(float[] rows, int depth, int[] order, int start, int end, float[] normal, bool[] side, bool angular, Random random)
    {
        int count = end - start;
        int first = random.Next(count), second = random.Next(count - 1);
        if (second >= first) second++;
        int left = order[start + first], right = order[start + second];
        var x = rows.AsSpan(left * depth, depth);
        var y = rows.AsSpan(right * depth, depth);
        float offset = 0f;
        for (int c = 0; c < depth; c++) normal[c] = x[c] - y[c];
        if (!angular)
            for (int c = 0; c < depth; c++) offset -= normal[c] * (x[c] + y[c]) * 0.5f;
        int leftCount = 0;
        for (int i = start; i < end; i++)
        {
            float margin = VectorMath.Dot(normal, rows.AsSpan(order[i] * depth, depth)) + offset;
            bool goesLeft = margin > 0f || (margin == 0f && random.Next(2) == 0);
            side[i - start] = goesLeft;
            if (goesLeft) leftCount++;
        }
        // All on one side (duplicates, or two equal picks): split the node in half, as pynndescent splits at random.
        if (leftCount == 0 || leftCount == count) return start + count / 2;
        var reordered = new int[count];
        int l = 0, r = leftCount;
        for (int i = 0; i < count; i++) reordered[side[i] ? l++ : r++] = order[start + i];
        reordered.CopyTo(order, start);
        return start + leftCount;
    }
}
