using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Kernels;
using Xunit.Abstractions;

namespace KpLab.Plugins.Umap.Tests;

/// <summary>
/// The approximate kNN graph (NN-descent from a random-projection forest) against scikit-learn's exact one on a
/// clustered fixture whose sizes cross umap-learn's 4,096-row switch (Fixtures/make_knn_fixtures.py); its determinism,
/// its cancellation, and the quality of a UMAP layout built on it.
/// </summary>
public sealed class ApproximateKnnTests(ITestOutputHelper output)
{
    private const int K = 15;

    private static readonly Lazy<EmbeddingMatrix> Blobs = new(() => NpyFile.Load(Fixture("blobs.npy")));

    private static readonly Lazy<EmbeddingMatrix> Digits = new(() => NpyFile.Load(Fixture("digits.npy")));

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    private static EmbeddingMatrix FirstRows(EmbeddingMatrix data, int n) => data.SelectRows(Enumerable.Range(0, n).ToArray());

    private static UmapReducer Reducer(UmapOptions options) => new(options, PluginContext.Default);

    /// <summary>The share of the exact non-self neighbours (k − 1 per row) the approximate graph found.</summary>
    private static double Recall(int[] approximate, float[] exact, int n)
    {
        long found = 0;
        for (int i = 0; i < n; i++)
        {
            var truth = new HashSet<int>();
            for (int s = 1; s < K; s++) truth.Add((int)exact[i * K + s]);
            for (int s = 1; s < K; s++) if (truth.Contains(approximate[i * K + s])) found++;
        }
        return (double)found / ((long)n * (K - 1));
    }

    [Theory]
    [InlineData(UmapMetric.Euclidean, 3000)]
    [InlineData(UmapMetric.Euclidean, 6000)]
    [InlineData(UmapMetric.Cosine, 3000)]
    [InlineData(UmapMetric.Cosine, 6000)]
    public void ApproximateGraphFindsAtLeast95PercentOfSklearnsNeighbours(UmapMetric metric, int n)
    {
        var data = FirstRows(Blobs.Value, n);
        var exact = NpyFile.Load(Fixture($"blobs_knn_{metric.ToString().ToLowerInvariant()}_{n}.npy")).ToArray();
        var (indices, distances) = Reducer(new UmapOptions { Metric = metric, Knn = UmapKnn.Approximate, Seed = 0 }).Neighbours(data, K, default);
        double recall = Recall(indices, exact, n);
        output.WriteLine($"{metric}, n = {n}: recall@{K - 1} (self excluded) {recall:F4}");
        Assert.True(recall >= 0.95, $"recall {recall:F4}");
        // Each row: itself first at 0, then distinct others, ascending, at their true distances.
        var measure = UmapReducer.Measure(metric);
        for (int i = 0; i < n; i += 97)
        {
            Assert.Equal(i, indices[i * K]);
            Assert.Equal(0f, distances[i * K]);
            Assert.Equal(K - 1, indices.Skip(i * K + 1).Take(K - 1).Where(j => j != i).Distinct().Count());
            for (int s = 1; s < K; s++)
            {
                int j = indices[i * K + s];
                float expected = QueryDistance(data, i, j, measure);
                Assert.Equal(expected, distances[i * K + s], 1e-4f * Math.Max(1f, expected));
                Assert.True(distances[i * K + s] >= distances[i * K + s - 1]);
            }
        }
    }

    private static float QueryDistance(EmbeddingMatrix data, int i, int j, PairwiseMeasure measure) =>
        measure == PairwiseMeasure.Euclidean
            ? MathF.Sqrt(VectorMath.SquaredL2(data.Row(i), data.Row(j)))
            : 1f - VectorMath.Cosine(data.Row(i), data.Row(j));

    [Fact]
    public void AutoSearchesExactlyUpTo4096RowsAndApproximatelyAbove()
    {
        var auto = Reducer(new UmapOptions());
        Assert.False(auto.SearchesApproximately(UmapOptions.ApproximateAbove));
        Assert.True(auto.SearchesApproximately(UmapOptions.ApproximateAbove + 1));
        Assert.False(Reducer(new UmapOptions { Knn = UmapKnn.Exact }).SearchesApproximately(100_000));
        Assert.True(Reducer(new UmapOptions { Knn = UmapKnn.Approximate }).SearchesApproximately(10));
        // The option as `kplab plugins` lists it.
        var listed = KpLab.Hosting.OptionsBinder.Describe(typeof(UmapOptions)).Single(o => o.Name == "knn");
        Assert.Equal("auto", listed.Default);
        Assert.Contains("4,096", listed.Description);
        // Below the switch auto is the exact graph: every neighbour of scikit-learn's.
        var data = FirstRows(Blobs.Value, 3000);
        var exact = NpyFile.Load(Fixture("blobs_knn_euclidean_3000.npy")).ToArray();
        Assert.Equal(1.0, Recall(auto.Neighbours(data, K, default).Indices, exact, 3000));
    }

    [Fact]
    public void SameSeedGivesTheSameGraphWhateverTheThreadsAndAnotherSeedAnother()
    {
        var data = FirstRows(Blobs.Value, 5000);
        (int[], float[]) Graph(int seed, int threads)
        {
            using var scope = KernelParallelism.Override(threads);
            return Reducer(new UmapOptions { Knn = UmapKnn.Approximate, Seed = seed }).Neighbours(data, K, default);
        }
        var (indices, distances) = Graph(1, 1);
        foreach (int threads in new[] { 1, 2, 4 })
        {
            var (again, againDistances) = Graph(1, threads);
            Assert.Equal(indices, again);
            Assert.Equal(distances, againDistances);
        }
        Assert.NotEqual(indices, Graph(2, 2).Item1);
    }

    [Fact]
    public void CancellationStopsTheDescentBetweenRounds()
    {
        var data = Blobs.Value;
        using var cancellation = new CancellationTokenSource();
        var rounds = new List<int>();
        // Cancelled when the first round ends: the search must stop there, not run its remaining rounds.
        Assert.ThrowsAny<OperationCanceledException>(() => NearestNeighborDescent.Search(data.Values, data.Columns, K, cosine: false, seed: 0,
            threads: 2, cancellation.Token, (round, _) => { rounds.Add(round); cancellation.Cancel(); }));
        Assert.Equal([1], rounds);
        // Already cancelled: it stops in the forest, before any round.
        Assert.ThrowsAny<OperationCanceledException>(() => NearestNeighborDescent.Search(data.Values, data.Columns, K, cosine: true, seed: 0,
            threads: 1, new CancellationToken(true), (round, _) => rounds.Add(round)));
        Assert.Equal([1], rounds);
    }

    [Fact]
    public void LayoutOnTheApproximateGraphIsAsTrustworthyAsOnTheExactOne()
    {
        // Digits (1,797 rows) searched approximately on purpose (umap-learn's force_approximation_algorithm); the same
        // seeds and layout settings on the exact graph. scikit-learn's trustworthiness, 15 neighbours, mean of 3 seeds.
        int[] seeds = [0, 1, 2];
        double Mean(UmapKnn knn) => seeds.Average(seed =>
            Trustworthiness.Of(Digits.Value, Reducer(new UmapOptions { Knn = knn, Seed = seed }).FitModel(Digits.Value).Embedding, 15));
        double exact = Mean(UmapKnn.Exact), approximate = Mean(UmapKnn.Approximate);
        output.WriteLine($"trustworthiness on digits, mean of {seeds.Length} seeds: exact kNN {exact:F4}, approximate kNN {approximate:F4}");
        Assert.InRange(approximate, exact - 0.01, exact + 0.01);
    }
}
