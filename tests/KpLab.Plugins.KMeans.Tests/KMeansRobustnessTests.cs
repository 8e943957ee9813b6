using KpLab.Abstractions;
using KpLab.Hosting;
using KpLab.Kernels;

namespace KpLab.Plugins.KMeans.Tests;

/// <summary>Thread-count independence, bad input and degenerate data.</summary>
public sealed class KMeansRobustnessTests
{
    [Fact]
    public void SeedingReportsProgressAndStopsOnCancellation()
    {
        var random = new Random(4);
        var data = EmbeddingMatrix.Create(3000, 8, span => { for (int i = 0; i < span.Length; i++) span[i] = (float)random.NextDouble(); });
        using var cancel = new CancellationTokenSource();
        var seeding = new List<double>();
        var context = new PluginContext(new RandomSource(1))
        {
            Progress = new SynchronousProgress(p =>
            {
                if (p.Stage != "seeding") return;
                seeding.Add(p.Fraction);
                if (seeding.Count == 3) cancel.Cancel();
            }),
        };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new KMeansClusterer(new KMeansOptions { K = 40, Seed = 1 }, context).Fit(data, cancel.Token));
        Assert.Equal([1.0 / 40, 2.0 / 40, 3.0 / 40], seeding);
    }

    private sealed class SynchronousProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }

    private static Partition Fit(EmbeddingMatrix data, KMeansOptions options) => new KMeansClusterer(options, PluginContext.Default).Fit(data);

    [Theory]
    [InlineData(KMeansAlgorithm.Lloyd, false)]
    [InlineData(KMeansAlgorithm.Hamerly, false)]
    [InlineData(KMeansAlgorithm.MiniBatch, false)]
    [InlineData(KMeansAlgorithm.Lloyd, true)]
    public void OneAndTwoThreadsGiveIdenticalResults(KMeansAlgorithm algorithm, bool spherical)
    {
        // 2,000 rows = 8 tiles, so two threads really split the work.
        var data = Synthetic(2000, 24, 6, seed: 11);
        var options = new KMeansOptions { K = 6, Seed = 5, NInit = 2, Algorithm = algorithm, Spherical = spherical, BatchSize = 256 };
        Partition one, two;
        using (KernelParallelism.Override(1)) one = Fit(data, options);
        using (KernelParallelism.Override(2)) two = Fit(data, options);
        Assert.Equal(one.Labels, two.Labels);
        Assert.Equal(one.Centroids!.ToArray(), two.Centroids!.ToArray());
        Assert.Equal(one.Inertia!.Value, two.Inertia!.Value);
    }

    [Fact]
    public void HamerlyGivesLloydLabelsFromKMeansPlusPlus()
    {
        var data = Synthetic(3000, 32, 10, seed: 4);
        var lloyd = Fit(data, new KMeansOptions { K = 10, Seed = 9 });
        var hamerly = Fit(data, new KMeansOptions { K = 10, Seed = 9, Algorithm = KMeansAlgorithm.Hamerly });
        Assert.Equal(lloyd.Labels, hamerly.Labels);
        Assert.Equal(lloyd.Iterations!.Value, hamerly.Iterations!.Value);
    }

    [Fact]
    public void EmptyMatrixIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Fit(EmbeddingMatrix.FromValues(0, 4, []), new KMeansOptions { K = 1 }));
        Assert.Contains("kmeans", e.Message);
        Assert.Contains("no rows", e.Message);
    }

    [Fact]
    public void ZeroColumnsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Fit(EmbeddingMatrix.FromValues(3, 0, []), new KMeansOptions { K = 1 }));
        Assert.Contains("no columns", e.Message);
    }

    [Fact]
    public void KBelowOneIsAnOptionError()
    {
        Assert.Contains(new KMeansOptions { K = 0 }.Validate(), error => error.Option == "k");
        var e = Assert.Throws<PluginOptionException>(() => OptionsBinder.Bind<KMeansOptions>(new { k = 0 }, "kmeans"));
        Assert.Equal("k", e.Option);
    }

    [Fact]
    public void MoreClustersThanRowsIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Fit(Synthetic(3, 2, 1, 1), new KMeansOptions { K = 4 }));
        Assert.Contains("k = 4", e.Message);
        Assert.Contains("has 3", e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NonFiniteValueNamesTheRow(float bad)
    {
        var values = Synthetic(10, 3, 2, 1).ToArray();
        values[7 * 3 + 1] = bad;
        var e = Assert.Throws<ArgumentException>(() => Fit(EmbeddingMatrix.FromValues(10, 3, values), new KMeansOptions { K = 2 }));
        Assert.Contains("row 7", e.Message);
        Assert.Contains("kmeans", e.Message);
    }

    [Fact]
    public void IdenticalRowsGiveOneClusterAndZeroInertia()
    {
        var data = EmbeddingMatrix.Create(20, 3, span => { for (int i = 0; i < span.Length; i++) span[i] = 1.5f + i % 3; });
        var messages = new List<string>();
        var context = new PluginContext(new RandomSource(1)) { Log = messages.Add };
        var result = new KMeansClusterer(new KMeansOptions { K = 3 }, context).Fit(data);
        Assert.All(result.Labels, l => Assert.Equal(0, l));
        Assert.Equal(0.0, result.Inertia!.Value);
        Assert.Equal(3, result.Centroids!.Rows);
        Assert.Contains(messages, m => m.Contains("only 1 distinct clusters"));
    }

    [Fact]
    public void FewerDistinctRowsThanKGiveThatManyClusters()
    {
        // Two distinct points, each repeated five times, k = 3: the documented result is two clusters, inertia 0.
        var data = EmbeddingMatrix.Create(10, 2, span => { for (int i = 0; i < 10; i++) { span[2 * i] = i % 2 == 0 ? 0f : 5f; span[2 * i + 1] = 1f; } });
        foreach (var algorithm in new[] { KMeansAlgorithm.Lloyd, KMeansAlgorithm.Hamerly })
        {
            var result = Fit(data, new KMeansOptions { K = 3, Seed = 2, Algorithm = algorithm });
            Assert.Equal(2, result.ClusterCount);
            Assert.Equal(0.0, result.Inertia!.Value, 1e-9);
            for (int i = 2; i < 10; i++) Assert.Equal(result.Labels[i % 2], result.Labels[i]);
        }
    }

    [Fact]
    public void BadOptionsAreReported()
    {
        var errors = new KMeansOptions { K = 2, Init = "furthest", NInit = 0, MaxIter = 0, Tol = -1, BatchSize = 0 }.Validate().Select(e => e.Option).ToList();
        Assert.Equal(["init", "nInit", "maxIter", "tol", "batchSize"], errors);
        Assert.Contains(new KMeansOptions { K = 2, InitialCentroids = [[1.0, 2.0]] }.Validate(), e => e.Option == "initialCentroids");
        var e = Assert.Throws<PluginOptionException>(() => Fit(Synthetic(10, 3, 2, 1), new KMeansOptions { K = 1, InitialCentroids = [[1.0, 2.0]] }));
        Assert.Contains("3 columns", e.Message);
    }

    [Fact]
    public void OptionsAreDescribedForThePluginListing()
    {
        var names = OptionsBinder.Describe(typeof(KMeansOptions)).Select(o => o.Name).ToArray();
        Assert.Equal(["k", "init", "initialCentroids", "nInit", "maxIter", "tol", "seed", "algorithm", "spherical", "batchSize", "maxNoImprovement", "memoryBudgetGb"], names);
        Assert.All(OptionsBinder.Describe(typeof(KMeansOptions)), o => Assert.False(string.IsNullOrWhiteSpace(o.Description)));
        var bound = OptionsBinder.Bind<KMeansOptions>(new Dictionary<string, object?> { ["k"] = 2, ["algorithm"] = "hamerly", ["initialCentroids"] = new object[] { new object[] { 1, 2 }, new object[] { 3.5, 4 } } }, "kmeans");
        Assert.Equal(KMeansAlgorithm.Hamerly, bound.Algorithm);
        Assert.Equal(3.5, bound.InitialCentroids![1][0]);
    }

    /// <summary>Gaussian clusters (Box–Muller from a seeded generator).</summary>
    internal static EmbeddingMatrix Synthetic(int n, int d, int clusters, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var centres = Enumerable.Range(0, Math.Max(clusters, 1) * d).Select(_ => 3 * Normal()).ToArray();
        return EmbeddingMatrix.Create(n, d, span =>
        {
            for (int i = 0; i < n; i++)
            {
                int c = i % Math.Max(clusters, 1);
                for (int j = 0; j < d; j++) span[i * d + j] = (float)(centres[c * d + j] + Normal());
            }
        });
    }
}
