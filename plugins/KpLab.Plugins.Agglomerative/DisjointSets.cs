namespace KpLab.Plugins.Agglomerative;

/// <summary>Union–find over 0..count−1 with path halving; also records a size per root for linkage relabelling.</summary>
internal sealed class DisjointSets
{
    private readonly int[] _parent;
    private readonly int[] _size;

    public DisjointSets(int count)
    {
        _parent = new int[count];
        _size = new int[count];
        for (int i = 0; i < count; i++)
        {
            _parent[i] = i;
            _size[i] = 1;
        }
    }

    public int Find(int x)
    {
        while (_parent[x] != x)
        {
            _parent[x] = _parent[_parent[x]];
            x = _parent[x];
        }
        return x;
    }

    /// <summary>Joins the sets of a and b under the root of a; returns that root.</summary>
    public int Union(int a, int b)
    {
        int ra = Find(a), rb = Find(b);
        if (ra != rb) _parent[rb] = ra;
        return ra;
    }

    /// <summary>Makes root <paramref name="root"/> a child of <paramref name="parent"/> (a fresh node).</summary>
    public void Attach(int root, int parent) => _parent[root] = parent;

    public int SizeOf(int root) => _size[root];

    public void SetSize(int root, int size) => _size[root] = size;
}
