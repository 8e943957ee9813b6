namespace KpLab.Kernels.Tests;

public sealed class NearestNeighborsTests
{
    [Theory]
    [InlineData(PairwiseMeasure.CosineDistance, true)]
    [InlineData(PairwiseMeasure.CosineDistance, false)]
    [InlineData(PairwiseMeasure.Euclidean, true)]
    [InlineData(PairwiseMeasure.Euclidean, false)]
    [InlineData(PairwiseMeasure.SquaredEuclidean, false)]
    public void Self_search_matches_brute_force_reference(PairwiseMeasure measure, bool includeSelf)
    {
        const int n = 300, d = 37, k = 7;
        var x = Reference.RandomMatrix(n, d, seed: 41);
        var graph = NearestNeighbors.Search(x, d, k, measure, includeSelf);
        Assert.Equal(n, graph.Rows);
        Assert.Equal(k, graph.K);
        for (int i = 0; i < n; i++)
        {
            var expected = Enumerable.Range(0, n)
                .Where(j => includeSelf || j != i)
                .Select(j => (J: j, D: j == i ? 0 : Reference.Measure(x, i, x, j, d, measure)))
                .OrderBy(t => t.D).ThenBy(t => t.J).Take(k).ToArray();
            var idx = graph.IndicesOf(i);
            var dist = graph.DistancesOf(i);
            for (int r = 0; r < k; r++)
            {
                Assert.Equal(expected[r].D, dist[r], 1e-4);
                // The neighbour at rank r is exact unless it is within rounding of another candidate.
                if (idx[r] != expected[r].J)
                    Assert.Equal(expected[r].D, Reference.Measure(x, i, x, idx[r], d, measure), 1e-4);
                if (r > 0) Assert.True(dist[r] >= dist[r - 1]);
            }
            if (includeSelf) Assert.Equal(i, idx[0]);
            else Assert.DoesNotContain(i, idx.ToArray());
        }
    }

    [Fact]
    public void Query_search_and_tiled_search_agree_across_thread_counts()
    {
        const int d = 769;
        var queries = Reference.RandomMatrix(300, d, seed: 51);
        var reference = Reference.RandomMatrix(520, d, seed: 52);
        NeighborGraph one, two;
        using (KernelParallelism.Override(1)) one = NearestNeighbors.Search(queries, reference, d, 5, PairwiseMeasure.CosineDistance);
        using (KernelParallelism.Override(2)) two = NearestNeighbors.Search(queries, reference, d, 5, PairwiseMeasure.CosineDistance);
        Assert.Equal(one.Indices, two.Indices);
        Assert.Equal(one.Distances, two.Distances);
        for (int q = 0; q < 300; q += 37)
        {
            var best = Enumerable.Range(0, 520).MinBy(j => Reference.Measure(queries, q, reference, j, d, PairwiseMeasure.CosineDistance));
            Assert.Equal(best, one.IndicesOf(q)[0]);
        }
    }

    [Fact]
    public void Ties_go_to_the_lower_index_and_nan_counts_as_infinitely_far()
    {
        const int d = 3;
        float[] x =
        [
            1, 0, 0,
            float.NaN, 0, 0,
            1, 0, 0,
            0, 1, 0,
            1, 0, 0,
        ];
        var graph = NearestNeighbors.Search(x, d, 4, PairwiseMeasure.Euclidean, includeSelf: false);
        Assert.Equal([2, 4, 3, 1], graph.IndicesOf(0).ToArray());
        Assert.Equal(0f, graph.DistancesOf(0)[0]);
        Assert.Equal(MathF.Sqrt(2), graph.DistancesOf(0)[2], 1e-6f);
        Assert.Equal(float.PositiveInfinity, graph.DistancesOf(0)[3]);
        // The NaN row is infinitely far from everything: its neighbours are the lowest other indices.
        Assert.Equal([0, 2, 3, 4], graph.IndicesOf(1).ToArray());
        Assert.All(graph.DistancesOf(1).ToArray(), v => Assert.Equal(float.PositiveInfinity, v));
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var x = Reference.RandomMatrix(5, 2, seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => NearestNeighbors.Search(x, 2, 5, PairwiseMeasure.Euclidean, includeSelf: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => NearestNeighbors.Search(x, 2, 0, PairwiseMeasure.Euclidean, includeSelf: true));
        Assert.Throws<ArgumentException>(() => NearestNeighbors.Search(x, 2, 2, PairwiseMeasure.Dot, includeSelf: true));
        var single = NearestNeighbors.Search([3f, 4f], 2, 1, PairwiseMeasure.Euclidean, includeSelf: true);
        Assert.Equal(0, single.IndicesOf(0)[0]);
    }
}
