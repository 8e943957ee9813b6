using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Kernels;
using KpLab.Plugins.ExternalMetrics;
using KpLab.Plugins.Hdbscan;
using KpLab.Testing;
using Xunit.Abstractions;

namespace KpLab.Plugins.Umap.Tests;

/// <summary>
/// Agreement with umap-learn 0.5.3 and scikit-learn 1.2.1 on scikit-learn's digits (Fixtures/make_fixtures.py): the
/// fuzzy simplicial set, the curve parameters, layout quality (trustworthiness, HDBSCAN-after-UMAP ARI), determinism.
/// </summary>
public sealed class UmapTests(ITestOutputHelper output)
{
    private static readonly Lazy<JsonElement> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Fixture("umap_reference.json"))).RootElement);

    private static readonly Lazy<EmbeddingMatrix> Digits = new(() => NpyFile.Load(Fixture("digits.npy")));

    private static readonly Lazy<int[]> DigitLabels = new(() => NpyFile.Load(Fixture("digits_labels.npy")).ToArray().Select(v => (int)v).ToArray());

    private static readonly int[] Seeds = [0, 1, 2, 3, 4];

    private static string Fixture(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);

    private static UmapModel Fit(EmbeddingMatrix data, UmapOptions options) => new UmapReducer(options, PluginContext.Default).FitModel(data);

    [Theory]
    [InlineData("default", 1.0, 1.0)]
    [InlineData("mixed", 0.5, 2.0)]
    [InlineData("intersection", 0.0, 1.0)]
    public void GivenTheSameKnnGraphTheFuzzySetEqualsUmapLearns(string name, double mix, double localConnectivity)
    {
        var indices = NpyFile.Load(Fixture("digits_knn_indices.npy")).ToArray().Select(v => (int)v).ToArray();
        var distances = NpyFile.Load(Fixture("digits_knn_dists.npy")).ToArray();
        var graph = FuzzySimplicialSet.Build(indices, distances, 15, localConnectivity, mix);
        AssertEqualsFixture(graph, name);
    }

    private void AssertEqualsFixture(FuzzyGraph graph, string name)
    {
        var expected = NpyFile.Load(Fixture($"fuzzy_{name}.npy"));
        Assert.Equal(expected.Rows, graph.EdgeCount);
        double largest = 0;
        for (int e = 0; e < expected.Rows; e++)
        {
            int row = (int)expected[e, 0], column = (int)expected[e, 1];
            float weight = graph.Weight(row, column);
            largest = Math.Max(largest, Math.Abs(weight - expected[e, 2]));
            Assert.True(Math.Abs(weight - expected[e, 2]) <= 1e-5, $"edge ({row}, {column}): umap-learn {expected[e, 2]}, KpLab {weight}.");
        }
        output.WriteLine($"{name}: {graph.EdgeCount} edges, largest difference {largest:G3}");
    }

    [Fact]
    public void TheKernelsKnnGraphHasSklearnsDistances()
    {
        // The graph a fit builds: the kernel's exact search finds scikit-learn's neighbour distances (indices may
        // differ only where distances tie).
        var expected = NpyFile.Load(Fixture("digits_knn_dists.npy")).ToArray();
        var graph = NearestNeighbors.Search(Digits.Value.Values, Digits.Value.Columns, 15, PairwiseMeasure.Euclidean, includeSelf: true);
        double largest = expected.Max();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - graph.Distances[i]) <= 1e-5 * largest, $"row {i / 15}, neighbour {i % 15}: sklearn {expected[i]}, KpLab {graph.Distances[i]}.");
    }

    [Theory]
    [InlineData(1.0, 0.1)]
    [InlineData(1.0, 0.0)]
    [InlineData(2.0, 0.5)]
    public void CurveParametersEqualFindAbParams(double spread, double minDist)
    {
        var expected = Reference.Value.GetProperty("ab").GetProperty($"{spread:0.0}/{minDist:0.0#}").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var (a, b) = LayoutCurve.Fit(spread, minDist);
        output.WriteLine($"spread {spread}, minDist {minDist}: a {a} (scipy {expected[0]}), b {b} (scipy {expected[1]})");
        Assert.Equal(expected[0], a, 1e-5 * expected[0]);
        Assert.Equal(expected[1], b, 1e-5 * expected[1]);
    }

    [Fact]
    public void TrustworthinessEqualsSklearnsOnUmapLearnsLayout()
    {
        var layout = NpyFile.Load(Fixture("layout_default_seed0.npy"));
        double expected = Reference.Value.GetProperty("layouts").GetProperty("default")[0].GetProperty("trustworthiness").GetDouble();
        Assert.Equal(expected, Trustworthiness.Of(Digits.Value, layout, 15), 1e-4);
    }

    [Fact]
    public void LayoutIsAsTrustworthyAsUmapLearns()
    {
        double expected = Reference.Value.GetProperty("layouts").GetProperty("default").EnumerateArray()
            .Average(e => e.GetProperty("trustworthiness").GetDouble());
        var ours = Seeds.Select(seed => Trustworthiness.Of(Digits.Value, Fit(Digits.Value, new UmapOptions { Seed = seed }).Embedding, 15)).ToArray();
        output.WriteLine($"trustworthiness (15 neighbours), mean of {Seeds.Length} seeds: KpLab {ours.Average():F4} [{string.Join(", ", ours.Select(t => t.ToString("F4")))}], umap-learn {expected:F4}");
        Assert.InRange(ours.Average(), expected - 0.01, expected + 0.01);
    }

    [Fact]
    public void HdbscanAfterUmapFindsTheDigitsAsWellAsAfterUmapLearn()
    {
        // umap-learn's documented clustering setting (nNeighbors 30, minDist 0), then the same HDBSCAN on both layouts.
        var options = new UmapOptions { NNeighbors = 30, MinDist = 0.0 };
        var theirs = Seeds.Select(seed => Ari(NpyFile.Load(Fixture($"layout_cluster_seed{seed}.npy")))).ToArray();
        var ours = Seeds.Select(seed => Ari(Fit(Digits.Value, options with { Seed = seed }).Embedding)).ToArray();
        output.WriteLine($"HDBSCAN-after-UMAP ARI vs the digit labels, mean of {Seeds.Length} seeds: KpLab {ours.Average():F4} " +
            $"[{string.Join(", ", ours.Select(t => t.ToString("F3")))}], umap-learn {theirs.Average():F4} [{string.Join(", ", theirs.Select(t => t.ToString("F3")))}]");
        Assert.InRange(ours.Average(), theirs.Average() - 0.02, theirs.Average() + 0.02);
    }

    private static double Ari(EmbeddingMatrix layout)
    {
        var partition = new HdbscanClusterer(new HdbscanOptions { MinClusterSize = 50, MinSamples = 10 }, PluginContext.Default).Fit(layout);
        return new AdjustedRandIndex(new ExternalMetricOptions()).Evaluate(new EvaluationInput
        {
            Predicted = partition,
            Truth = LabelVector.FromInts(DigitLabels.Value),
        }).Value;
    }

    [Fact]
    public void SameSeedAndThreadsGiveTheSameLayoutAndAnotherSeedAnother()
    {
        var data = Digits.Value.SelectRows(Enumerable.Range(0, 900).ToArray());
        var options = new UmapOptions { Seed = 3, Epochs = 100 };
        foreach (int threads in new[] { 1, 2, 4 })
        {
            EmbeddingMatrix first, second;
            using (KernelParallelism.Override(threads)) first = Fit(data, options).Embedding;
            using (KernelParallelism.Override(threads)) second = Fit(data, options).Embedding;
            Assert.Equal(first.ToArray(), second.ToArray());
        }
        Assert.NotEqual(Fit(data, options).Embedding.ToArray(), Fit(data, options with { Seed = 4 }).Embedding.ToArray());
    }

    [Fact]
    public void NewRowsLandAmongTheirOwnDigit()
    {
        var train = Enumerable.Range(0, 1500).ToArray();
        var held = Enumerable.Range(1500, Digits.Value.Rows - 1500).ToArray();
        var model = Fit(Digits.Value.SelectRows(train), new UmapOptions { Seed = 0 });
        var placed = model.Transform(Digits.Value.SelectRows(held));
        // 5-nearest-neighbour vote in the layout: the held-out digits are recognised as in the input space.
        double accuracy = VoteAccuracy(model, placed, train, held);
        output.WriteLine($"held-out digits placed by Transform: 5-NN accuracy in the layout {accuracy:F3}");
        Assert.True(accuracy > 0.9, $"accuracy {accuracy:F3}");
    }

    [Fact]
    public void MoreNewRowsThanTrainingRowsArePlacedToo()
    {
        // 300 training rows, 1,497 new ones: the new rows outnumber the layout they are placed against (the layout's
        // lanes must never index it by a new row's number).
        var train = Enumerable.Range(0, 300).ToArray();
        var held = Enumerable.Range(300, Digits.Value.Rows - 300).ToArray();
        var model = Fit(Digits.Value.SelectRows(train), new UmapOptions { Seed = 0 });
        var placed = model.Transform(Digits.Value.SelectRows(held));
        Assert.Equal((held.Length, 2), (placed.Rows, placed.Columns));
        Assert.All(placed.ToArray(), value => Assert.True(float.IsFinite(value)));
        double accuracy = VoteAccuracy(model, placed, train, held);
        output.WriteLine($"1,497 digits placed against a layout of 300: 5-NN accuracy {accuracy:F3}");
        Assert.True(accuracy > 0.8, $"accuracy {accuracy:F3}");
    }

    /// <summary>The share of placed rows whose 5 nearest training rows in the layout vote for their own digit.</summary>
    private static double VoteAccuracy(UmapModel model, EmbeddingMatrix placed, int[] train, int[] held)
    {
        var neighbours = NearestNeighbors.Search(placed.Values, model.Embedding.Values, 2, 5, PairwiseMeasure.SquaredEuclidean);
        int correct = Enumerable.Range(0, held.Length).Count(i => neighbours.IndicesOf(i).ToArray()
            .GroupBy(j => DigitLabels.Value[train[j]]).OrderByDescending(g => g.Count()).First().Key == DigitLabels.Value[held[i]]);
        return (double)correct / held.Length;
    }

    [Fact]
    public void BadInputIsRefusedNamingTheProblem()
    {
        var data = Digits.Value.SelectRows(Enumerable.Range(0, 50).ToArray());
        var values = data.ToArray();
        values[7 * data.Columns + 3] = float.NaN;
        Assert.Contains("row 7", Assert.Throws<ArgumentException>(() =>
            Fit(EmbeddingMatrix.FromValues(50, data.Columns, values), new UmapOptions())).Message);
        Assert.Contains("at least 2 rows", Assert.Throws<ArgumentException>(() => Fit(data.SelectRows([0]), new UmapOptions())).Message);
        var model = Fit(data, new UmapOptions { Seed = 0, Epochs = 10 });
        Assert.Contains("64 columns", Assert.Throws<ArgumentException>(() => model.Transform(EmbeddingMatrix.Create(1, 3, _ => { }))).Message);
        Assert.Contains(new UmapOptions { NNeighbors = 1, MinDist = 2 }.Validate(), e => e.Option == "nNeighbors");
        Assert.Contains(new UmapOptions { MinDist = 2 }.Validate(), e => e.Option == "minDist");
    }

    [Fact]
    public void Conforms() => PluginConformance.AssertConforms<UmapReducer>();
}
