using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Kernels;

namespace KpLab.Plugins.InternalMetrics.Tests;

public sealed class InternalMetricsTests
{
    private static readonly JsonElement[] Cases = Load();

    private static JsonElement[] Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "internal_cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public static IEnumerable<object[]> Names() => Cases.Select(c => new object[] { c.GetProperty("name").GetString()! });

    private static (EvaluationInput Input, NoiseHandling Noise, JsonElement Expected) Case(string name)
    {
        var c = Cases.Single(e => e.GetProperty("name").GetString() == name);
        var data = NpyFile.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", c.GetProperty("file").GetString()!));
        var labels = c.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var noise = c.GetProperty("noise").GetString() == "exclude" ? NoiseHandling.Exclude : NoiseHandling.Cluster;
        return (new EvaluationInput { Embeddings = data, Predicted = new Partition(labels) }, noise, c.GetProperty("expected"));
    }

    public static IEnumerable<object[]> SilhouetteVariants() =>
        from n in Names()
        from v in new[] { ("euclidean", SilhouetteMethod.Pairwise), ("cosine", SilhouetteMethod.Pairwise), ("cosine", SilhouetteMethod.Decomposed) }
        select new object[] { n[0], v.Item1, v.Item2 };

    [Theory]
    [MemberData(nameof(SilhouetteVariants))]
    public void SilhouetteMatchesSklearnPerSample(string name, string distance, SilhouetteMethod method)
    {
        var (input, noise, expected) = Case(name);
        var options = new SilhouetteOptions
        {
            Distance = distance == "cosine" ? SilhouetteDistance.Cosine : SilhouetteDistance.Euclidean,
            Noise = noise,
            Method = method,
            TileRows = 64, // several tiles even for the small fixtures
        };
        var result = new Silhouette(options).Evaluate(input);
        var want = expected.GetProperty($"silhouette_{distance}_samples").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var got = ((double[])result.Details["samples"]).Where((_, i) => noise == NoiseHandling.Cluster || input.Predicted!.Labels[i] != -1).ToArray();
        Assert.Equal(want.Length, got.Length);
        double worst = want.Zip(got, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-6, $"{name} {distance} {method}: max per-sample deviation {worst:E2}");
        double mean = expected.GetProperty($"silhouette_{distance}").GetDouble();
        Assert.True(Math.Abs(mean - result.Value) <= 1e-6, $"{name} {distance} {method}: mean {result.Value} vs {mean}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CentroidIndicesMatchSklearn(string name)
    {
        var (input, noise, expected) = Case(name);
        var options = new CentroidIndexOptions { Noise = noise };
        double db = expected.GetProperty("davies_bouldin").GetDouble();
        double ch = expected.GetProperty("calinski_harabasz").GetDouble();
        double gotDb = new DaviesBouldin(options).Evaluate(input).Value, gotCh = new CalinskiHarabasz(options).Evaluate(input).Value;
        Assert.True(Math.Abs(db - gotDb) <= 1e-10 * Math.Max(1, Math.Abs(db)), $"{name} DB {gotDb:R} vs {db:R}");
        Assert.True(Math.Abs(ch - gotCh) <= 1e-10 * Math.Max(1, Math.Abs(ch)), $"{name} CH {gotCh:R} vs {ch:R}");
    }

    [Fact]
    public void SilhouetteDoesNotDependOnThreadCount()
    {
        var (input, _, _) = Case("sphere_n500_d32");
        var options = new SilhouetteOptions { Distance = SilhouetteDistance.Cosine, Method = SilhouetteMethod.Pairwise, TileRows = 32 };
        double one, two;
        using (KernelParallelism.Override(1)) one = new Silhouette(options).Evaluate(input).Value;
        using (KernelParallelism.Override(2)) two = new Silhouette(options).Evaluate(input).Value;
        Assert.Equal(one, two);
    }

    [Fact]
    public void OneClusterOrAllSingletonsAreRejectedLikeSklearn()
    {
        var data = EmbeddingMatrix.FromRows(new[] { new[] { 0f, 1f }, new[] { 1f, 0f }, new[] { 1f, 1f } });
        var one = new EvaluationInput { Embeddings = data, Predicted = new Partition([0, 0, 0]) };
        var singletons = new EvaluationInput { Embeddings = data, Predicted = new Partition([0, 1, 2]) };
        foreach (var input in new[] { one, singletons })
        {
            var error = Assert.Throws<ArgumentException>(() => new Silhouette(new SilhouetteOptions()).Evaluate(input));
            Assert.Contains("2 <= clusters <= samples - 1", error.Message);
        }
    }

    [Fact]
    public void BadInputGivesClearErrors()
    {
        var nan = EmbeddingMatrix.FromRows(new[] { new[] { 0f, 1f }, new[] { float.NaN, 0f }, new[] { 1f, 1f } });
        var error = Assert.Throws<ArgumentException>(() =>
            new Silhouette(new SilhouetteOptions()).Evaluate(new EvaluationInput { Embeddings = nan, Predicted = new Partition([0, 1, 1]) }));
        Assert.Contains("row 1", error.Message);
        var ok = EmbeddingMatrix.FromRows(new[] { new[] { 0f, 1f }, new[] { 1f, 0f } });
        error = Assert.Throws<ArgumentException>(() =>
            new DaviesBouldin(new CentroidIndexOptions()).Evaluate(new EvaluationInput { Embeddings = ok, Predicted = new Partition([0, 1, 1]) }));
        Assert.Contains("2 rows", error.Message);
        var empty = EmbeddingMatrix.FromRows(Array.Empty<float[]>(), 2);
        error = Assert.Throws<ArgumentException>(() =>
            new CalinskiHarabasz(new CentroidIndexOptions()).Evaluate(new EvaluationInput { Embeddings = empty, Predicted = new Partition([]) }));
        Assert.Contains("empty", error.Message);
        Assert.Contains(new SilhouetteOptions { Method = SilhouetteMethod.Decomposed }.Validate(), e => e.Option == "method");
    }
}
