using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Hosting;
using KpLab.Data;
using KpLab.Kernels;
using Xunit.Abstractions;

namespace KpLab.Plugins.Spectral.Tests;

/// <summary>Agreement with scikit-learn 1.2.1's SpectralClustering (Fixtures/make_fixtures.py), determinism, bad input.</summary>
public sealed class SpectralTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Fixture("spectral_reference.json"))).RootElement);

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    private static int[] Ints(string name, string key) => Reference.Value.GetProperty(name).GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static Partition Fit(EmbeddingMatrix data, SpectralOptions options) => new SpectralClusterer(options, PluginContext.Default).Fit(data);

    [Theory]
    [InlineData("blobs_nn", SpectralAffinity.NearestNeighbors)]
    [InlineData("blobs_rbf", SpectralAffinity.Rbf)]
    public void WellSeparatedDataGivesSklearnsPartition(string name, SpectralAffinity affinity)
    {
        var options = new SpectralOptions { K = 3, Affinity = affinity, Metric = SpectralMetric.Euclidean, Gamma = 0.05, Seed = 0 };
        var result = Fit(NpyFile.Load(Fixture("blobs.npy")), options);
        Assert.Equal(1.0, AdjustedRand.Index(Ints(name, "labels"), result.Labels), 12);
        Assert.Equal(1.0, AdjustedRand.Index(Ints(name, "truth"), result.Labels), 12);
    }

    [Fact]
    public void EmbeddingEqualsSklearnsSpectralEmbedding()
    {
        var data = NpyFile.Load(Fixture("moons.npy"));
        var options = new SpectralOptions { K = 2, Metric = SpectralMetric.Euclidean };
        var embedding = SpectralEmbedding.Embed(SpectralEmbedding.Affinity(data.ToArray(), data.Rows, data.Columns, options), data.Rows, 2);
        var expected = Reference.Value.GetProperty("moons_nn").GetProperty("embedding").EnumerateArray()
            .SelectMany(row => row.EnumerateArray().Select(v => v.GetDouble())).ToArray();
        double largest = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], embedding[i], largest * 1e-5);
    }

    [Fact]
    public void HarderDataAgreesWithSklearn()
    {
        // Noisy moons (sklearn's own ARI against the truth is 0.87): KpLab reproduces sklearn's partition.
        var result = Fit(NpyFile.Load(Fixture("moons.npy")), new SpectralOptions { K = 2, Metric = SpectralMetric.Euclidean, Seed = 0 });
        double ari = AdjustedRand.Index(Ints("moons_nn", "labels"), result.Labels);
        output.WriteLine($"moons: ARI(KpLab, sklearn) = {ari:F4}, ARI(KpLab, truth) = {AdjustedRand.Index(Ints("moons_nn", "truth"), result.Labels):F4}");
        Assert.Equal(1.0, ari, 12);
    }

    [Fact]
    public void CosineGraphOnAnswerEmbeddingsAgreesWithSklearn()
    {
        // TF-IDF + SVD of SemEval answers to 3 questions; sklearn ran Euclidean kNN on unit rows (= cosine kNN).
        var result = Fit(NpyFile.Load(Fixture("semeval.npy")), new SpectralOptions { K = 3, Metric = SpectralMetric.Cosine, Seed = 0 });
        double ari = AdjustedRand.Index(Ints("semeval_cosine_nn", "labels"), result.Labels);
        double truth = AdjustedRand.Index(Ints("semeval_cosine_nn", "truth"), result.Labels);
        double sklearnTruth = Reference.Value.GetProperty("semeval_cosine_nn").GetProperty("ari_vs_truth").GetDouble();
        output.WriteLine($"semeval: ARI(KpLab, sklearn) = {ari:F4}; ARI vs question: KpLab {truth:F4}, sklearn {sklearnTruth:F4}");
        Assert.True(ari >= 0.9, $"ARI against sklearn {ari}");
    }

    [Fact]
    public void OneAndTwoThreadsGiveIdenticalLabels()
    {
        var data = NpyFile.Load(Fixture("semeval.npy"));
        var options = new SpectralOptions { K = 4, Seed = 3 };
        Partition one, two;
        using (KernelParallelism.Override(1)) one = Fit(data, options);
        using (KernelParallelism.Override(2)) two = Fit(data, options);
        Assert.Equal(one.Labels, two.Labels);
    }

    [Fact]
    public void BadInputIsRejectedWithAClearMessage()
    {
        var data = NpyFile.Load(Fixture("blobs.npy"));
        Assert.Contains("no rows", Assert.Throws<ArgumentException>(() => Fit(EmbeddingMatrix.FromValues(0, 3, []), new SpectralOptions { K = 1 })).Message);
        Assert.Contains("no columns", Assert.Throws<ArgumentException>(() => Fit(EmbeddingMatrix.FromValues(3, 0, []), new SpectralOptions { K = 1 })).Message);
        Assert.Equal("k", Assert.Throws<PluginOptionException>(() => OptionsBinder.Bind<SpectralOptions>(new { k = 0 }, "spectral")).Option);
        Assert.Contains("k = 301", Assert.Throws<ArgumentException>(() => Fit(data, new SpectralOptions { K = 301 })).Message);
        Assert.Contains("maxRows", Assert.Throws<ArgumentException>(() => Fit(data, new SpectralOptions { K = 3, MaxRows = 100 })).Message);
        Assert.Equal("nNeighbors", Assert.Throws<PluginOptionException>(() => Fit(data.SelectRows([0, 1, 2, 3, 4]), new SpectralOptions { K = 2 })).Option);
        var values = data.ToArray();
        values[42 * data.Columns] = float.NaN;
        Assert.Contains("row 42", Assert.Throws<ArgumentException>(() => Fit(EmbeddingMatrix.FromValues(data.Rows, data.Columns, values), new SpectralOptions { K = 3 })).Message);
        Assert.Equal(["k", "nNeighbors", "gamma", "nInit", "maxRows"],
            new SpectralOptions { K = 0, NNeighbors = 0, Gamma = 0, NInit = 0, MaxRows = 0 }.Validate().Select(e => e.Option));
    }

    [Fact]
    public void IdenticalRowsGiveOneCluster()
    {
        // Documented: with nothing to separate, one cluster (the kNN graph would only reflect index tie-breaking).
        var data = EmbeddingMatrix.Create(30, 4, span => span.Fill(0.5f));
        var result = Fit(data, new SpectralOptions { K = 2, Metric = SpectralMetric.Euclidean, Seed = 1 });
        Assert.Equal(new int[30], result.Labels);
    }

    [Fact]
    public void OptionsAreDescribedForThePluginListing()
    {
        var names = OptionsBinder.Describe(typeof(SpectralOptions)).Select(o => o.Name).ToArray();
        Assert.Equal(["k", "affinity", "metric", "nNeighbors", "gamma", "nInit", "seed", "maxRows", "memoryBudgetGb"], names);
    }

    [Fact]
    public void CancellationDuringTheEigendecompositionEndsTheFit()
    {
        var random = new Random(2);
        var data = EmbeddingMatrix.Create(1500, 6, span => { for (int i = 0; i < span.Length; i++) span[i] = (float)random.NextDouble(); });
        using var cancel = new CancellationTokenSource();
        var stages = new List<string>();
        var context = new PluginContext(new RandomSource(0))
        {
            Progress = new SynchronousProgress(p =>
            {
                stages.Add(p.Stage);
                if (p.Stage == "eigenvectors") cancel.CancelAfter(20); // after the Laplacian, during the solve
            }),
        };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new SpectralClusterer(new SpectralOptions { K = 3 }, context).Fit(data, cancel.Token));
        Assert.Equal(["affinity", "eigenvectors"], stages);
    }

    private sealed class SynchronousProgress(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
