using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.Hdbscan.Tests;

/// <summary>
/// The blocked path (kNN lists, Borůvka, one all-pairs pass, Prim over the lists and the tree) against the exact path
/// (Prim over every pair through <see cref="GramDistanceBounds"/>): the same core distances, the same edges in the same
/// order with the same weights, and so the same labels, at sizes on both sides of every threshold of the blocked path —
/// lists holding every row (n − 1 ≤ minSamples − 1 + margin), one and several column blocks, one and many components
/// after Borůvka.
/// </summary>
public sealed class BlockedReachabilityTreeTests
{
    // Tie-free rows: clusters of different spread along a curve in depth dimensions, with random offsets.
    private static float[] ClusteredRows(int n, int depth, int clusters, int seed)
    {
        var random = new Random(seed);
        var values = new float[n * depth];
        for (int i = 0; i < n; i++)
        {
            int c = random.Next(clusters);
            double spread = 0.05 + 0.1 * (c % 3);
            for (int t = 0; t < depth; t++)
                values[i * depth + t] = (float)(Math.Sin(c * 1.7 + t) * 2 + spread * (random.NextDouble() * 2 - 1) + (i % 7 == 0 ? random.NextDouble() : 0));
        }
        return values;
    }

    public static TheoryData<int, int, int, PairwiseMeasure> Sizes() => new()
    {
        { 40, 8, 30, PairwiseMeasure.Euclidean },            // lists hold every row
        { 300, 12, 5, PairwiseMeasure.Euclidean },           // one block, many components after Borůvka
        { 700, 20, 15, PairwiseMeasure.CosineDistance },
        { BlockedReachabilityTree.BlockColumns + 53, 16, 10, PairwiseMeasure.Euclidean }, // two blocks
        { 2 * BlockedReachabilityTree.BlockColumns + 300, 24, 50, PairwiseMeasure.CosineDistance }, // three blocks
    };

    private static BlockedReachabilityTree.Result Blocked(float[] data, int depth, PairwiseMeasure measure, int k) =>
        BlockedReachabilityTree.Build(data, 0, data.Length / depth, depth, measure, k, MemoryBudget.Default,
            (_, _) => { }, CancellationToken.None);

    [Theory]
    [MemberData(nameof(Sizes))]
    public void CoreDistancesAndPrimsEdgesEqualTheExactPath(int n, int depth, int k, PairwiseMeasure measure)
    {
        var data = ClusteredRows(n, depth, 6, n);
        var bounds = GramDistanceBounds.Compute(data, depth, measure);
        var core = bounds.KthNearest(k);
        var exact = DenseSpanningTree.Prim(bounds, core, CancellationToken.None);
        var blocked = Blocked(data, depth, measure, k);
        Assert.Equal(core, blocked.Core);
        Assert.Equal(exact.Weights, blocked.Weights);
        Assert.Equal(exact.From, blocked.From);
        Assert.Equal(exact.To, blocked.To);
    }

    [Fact]
    public void WithoutRoomForTheComponentTableThePrimFallbackGivesTheSameTree()
    {
        int n = 300, depth = 12, k = 5;
        var data = ClusteredRows(n, depth, 6, n);
        var bounds = GramDistanceBounds.Compute(data, depth, PairwiseMeasure.Euclidean);
        var exact = DenseSpanningTree.Prim(bounds, bounds.KthNearest(k), CancellationToken.None);
        var budget = MemoryBudget.OfBytes(BlockedReachabilityTree.PeakBytes(n, depth, k, KernelParallelism.Current) + 1);
        var blocked = BlockedReachabilityTree.Build(data, 0, n, depth, PairwiseMeasure.Euclidean, k, budget, (_, _) => { }, CancellationToken.None);
        Assert.Equal(exact.Weights, blocked.Weights);
        Assert.Equal(exact.From, blocked.From);
        Assert.Equal(exact.To, blocked.To);
    }

    [Fact]
    public void WithTiedDistancesCoreDistancesAndTreeWeightsStillEqual()
    {
        // A coarse grid with duplicate rows: many equal distances, so lists end inside a tie and rows need the exact
        // bounded search; Prim's tie order may differ, the tree's weights may not.
        var random = new Random(9);
        int n = 900, depth = 5;
        var data = new float[n * depth];
        for (int i = 0; i < data.Length; i++) data[i] = random.Next(-2, 3) * 0.5f;
        for (int i = 7; i < n; i += 13) data.AsSpan((i - 5) * depth, depth).CopyTo(data.AsSpan(i * depth, depth));
        var bounds = GramDistanceBounds.Compute(data, depth, PairwiseMeasure.Euclidean);
        foreach (var k in new[] { 2, 7, 40 })
        {
            var core = bounds.KthNearest(k);
            var exact = DenseSpanningTree.Prim(bounds, core, CancellationToken.None);
            var blocked = Blocked(data, depth, PairwiseMeasure.Euclidean, k);
            Assert.Equal(core, blocked.Core);
            Assert.Equal(exact.Weights.Order(), blocked.Weights.Order());
        }
    }

    [Theory]
    [InlineData(ClusterSelection.Eom, HdbscanMetric.Euclidean)]
    [InlineData(ClusterSelection.Leaf, HdbscanMetric.Cosine)]
    public void FitGivesTheSameLabelsScoresAndTreeOnBothPaths(ClusterSelection selection, HdbscanMetric metric)
    {
        int n = BlockedReachabilityTree.BlockColumns + 400, depth = 12;
        var data = EmbeddingMatrix.FromValues(n, depth, ClusteredRows(n, depth, 7, 3));
        Partition Fit(bool blocked) => new HdbscanClusterer(new HdbscanOptions
        {
            MinClusterSize = 25, MinSamples = 10, ClusterSelectionMethod = selection, Metric = metric, BlockedTree = blocked,
        }, PluginContext.Default).Fit(data);
        var exact = Fit(false);
        var blocked = Fit(true);
        Assert.True(exact.ClusterCount > 1);
        Assert.Equal(exact.Labels, blocked.Labels);
        Assert.Equal(exact.Probabilities, blocked.Probabilities);
        Assert.Equal(exact.OutlierScores, blocked.OutlierScores);
        Assert.Equal(exact.CoreDistances, blocked.CoreDistances);
    }

    [Fact]
    public void CancellationStopsTheBlockedPathBetweenBlocks()
    {
        int n = 3 * BlockedReachabilityTree.BlockColumns, depth = 8;
        var data = ClusteredRows(n, depth, 5, 1);
        using var cancel = new CancellationTokenSource();
        var stages = new List<(string, double)>();
        Assert.ThrowsAny<OperationCanceledException>(() => BlockedReachabilityTree.Build(data, 0, n, depth,
            PairwiseMeasure.Euclidean, 5, MemoryBudget.Default, (stage, fraction) =>
            {
                stages.Add((stage, fraction));
                if (fraction > 0) cancel.Cancel();
            }, cancel.Token));
        Assert.Equal([("core distances", 0.0), ("core distances", 0.8 / 3)], stages);
    }
}
