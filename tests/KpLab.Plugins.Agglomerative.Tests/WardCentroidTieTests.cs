using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.Agglomerative.Tests;

/// <summary>
/// Ward on centroids where exact ties decide the tree. SciPy (Lance–Williams updates of a distance matrix) and
/// fastcluster (the generic algorithm) round merged-cluster distances differently, so on tied data their trees differ
/// from any centroid chain after the first tie among merged clusters; the reference here is the plain definition: the
/// nearest-neighbour chain on exact double centroids that scans every active cluster at every step, with the tie rule
/// the plugin documents (smallest value, then lowest slot; the previous chain element wins a tie; the merged cluster
/// takes the larger slot). The fast path (listed neighbours, float32 scans in batches, exact re-checks) must give the
/// same merges bit for bit.
/// </summary>
public sealed class WardCentroidTieTests
{
    [Theory]
    [InlineData("ties")]     // 1,200 rows, half of them duplicates, distances repeating everywhere (make_ties_fixtures.py)
    [InlineData("semeval")]  // 1,500 answers with duplicates
    [InlineData("sphere")]
    public void WardOnCentroidsEqualsTheExhaustiveChain(string set)
    {
        var data = ReferenceFixtures.Data(set);
        var expected = ExhaustiveChain(data);
        var actual = new AgglomerativeClusterer(new AgglomerativeOptions { WardMethod = WardMethod.Centroids },
            PluginContext.Default).Fit(data).MergeTree!.Merges;
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i] == actual[i], $"merge {i}: expected {expected[i]}, got {actual[i]}");
    }

    /// <summary>
    /// Ward on centroids with one and two threads on the ties set (more rows than the 16 listed neighbours, the
    /// 32-cluster scan batches and the 256-row tiles): identical merges, so the parallel scans decide nothing.
    /// </summary>
    [Fact]
    public void WardOnCentroidsIsIdenticalOnOneAndTwoThreads()
    {
        var data = ReferenceFixtures.Data("ties");
        var clusterer = new AgglomerativeClusterer(new AgglomerativeOptions { WardMethod = WardMethod.Centroids, NClusters = 6 },
            PluginContext.Default);
        Partition one, two;
        using (KernelParallelism.Override(1)) one = clusterer.Fit(data);
        using (KernelParallelism.Override(2)) two = clusterer.Fit(data);
        Assert.Equal(one.MergeTree!.Merges, two.MergeTree!.Merges);
        Assert.Equal(one.Labels, two.Labels);
    }

    /// <summary>The chain by definition, O(n²·d): exact double values against every active cluster at every step.</summary>
    private static Merge[] ExhaustiveChain(EmbeddingMatrix data)
    {
        int n = data.Rows, d = data.Columns;
        var centroids = new double[n * d];
        for (int i = 0; i < n * d; i++) centroids[i] = data.Values[i];
        var size = Enumerable.Repeat(1.0, n).ToArray();
        double Value(int a, int b) => size[a] * size[b] / (size[a] + size[b])
            * WideningSums.SquaredDistance(centroids.AsSpan(a * d, d), centroids.AsSpan(b * d, d));
        var chain = new List<int>();
        var raw = new List<(int X, int Y, double Height)>();
        for (int k = 0; k < n - 1; k++)
        {
            if (chain.Count == 0) chain.Add(Array.FindIndex(size, s => s > 0));
            int x, y;
            double value;
            while (true)
            {
                x = chain[^1];
                (y, value) = (-1, double.PositiveInfinity);
                for (int z = 0; z < n; z++)
                    if (z != x && size[z] > 0 && Value(x, z) < value) (y, value) = (z, Value(x, z));
                if (chain.Count > 1 && Value(x, chain[^2]) <= value)
                {
                    (y, value) = (chain[^2], Value(x, chain[^2]));
                    break;
                }
                chain.Add(y);
            }
            chain.RemoveRange(chain.Count - 2, 2);
            if (x > y) (x, y) = (y, x);
            raw.Add((x, y, Math.Sqrt(2 * value)));
            for (int c = 0; c < d; c++)
                centroids[y * d + c] = (size[x] * centroids[x * d + c] + size[y] * centroids[y * d + c]) / (size[x] + size[y]);
            size[y] += size[x];
            size[x] = 0;
        }
        // SciPy's stable sort by height, then slots become cluster ids n + i.
        var sorted = raw.Select((m, i) => (m, i)).OrderBy(t => t.m.Height).Select(t => t.m).ToArray();
        var clusterSize = new int[2 * n - 1];
        Array.Fill(clusterSize, 1);
        var root = Enumerable.Range(0, 2 * n - 1).ToArray(); // union-find over leaves and nodes
        int Find(int v) { while (root[v] != v) v = root[v] = root[root[v]]; return v; }
        var merges = new Merge[n - 1];
        for (int k = 0; k < sorted.Length; k++)
        {
            var (x, y, h) = sorted[k];
            int a = Find(x), b = Find(y), node = n + k;
            root[a] = root[b] = node;
            clusterSize[node] = clusterSize[a] + clusterSize[b];
            merges[k] = new Merge(Math.Min(a, b), Math.Max(a, b), h, clusterSize[node]);
        }
        return merges;
    }
}
