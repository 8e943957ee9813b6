using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Plugins.InternalMetrics.Tests;

/// <summary>DBCV against Fixtures/make_dbcv_fixtures.py, an independent numpy implementation of Moulavi et al. 2014.</summary>
public sealed class DbcvTests
{
    private static readonly JsonElement[] Cases = Load();

    private static JsonElement[] Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "dbcv_cases.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public static IEnumerable<object[]> Names() => Cases.Select(c => new object[] { c.GetProperty("name").GetString()! });

    private static (EvaluationInput Input, DbcvOptions Options, JsonElement Case) Case(string name)
    {
        var c = Cases.Single(e => e.GetProperty("name").GetString() == name);
        var data = NpyFile.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", c.GetProperty("file").GetString()!));
        var labels = c.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var options = new DbcvOptions { Distance = c.GetProperty("metric").GetString() == "cosine" ? DbcvDistance.Cosine : DbcvDistance.Euclidean };
        return (new EvaluationInput { Embeddings = data, Predicted = new Partition(labels) }, options, c);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void DbcvMatchesNumpyReference(string name)
    {
        var (input, options, c) = Case(name);
        var result = new Dbcv(options).Evaluate(input);
        double want = c.GetProperty("dbcv").GetDouble();
        Assert.True(Math.Abs(result.Value - want) <= 1e-9, $"{name}: dbcv {result.Value:R} vs numpy {want:R}");
        var clusters = c.GetProperty("clusters").EnumerateArray().ToArray();
        Assert.Equal(clusters.Length, result.Rows.Count);
        for (int i = 0; i < clusters.Length; i++)
        {
            Assert.Equal(clusters[i].GetProperty("label").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), result.Rows[i].Key);
            foreach (var key in new[] { "size", "sparseness", "separation", "validity" })
            {
                double expected = clusters[i].GetProperty(key).GetDouble(), got = result.Rows[i].Values[key];
                Assert.True(Math.Abs(expected - got) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{name} cluster {i} {key}: {got:R} vs {expected:R}");
            }
        }
    }

    [Fact]
    public void TheMoonsScoreAboveAStraightCutOfThem()
    {
        double moons = new Dbcv(new DbcvOptions()).Evaluate(Case("moons_euclidean").Input).Value;
        double cut = new Dbcv(new DbcvOptions()).Evaluate(Case("moons_cut_euclidean").Input).Value;
        Assert.True(moons > 0.5 && cut < 0, $"moons {moons}, cut {cut}");
    }

    [Fact]
    public void OneRowClustersCountAsNoiseAndTooFewClustersAreRefused()
    {
        var (input, options, _) = Case("blobs2d_euclidean");
        var result = new Dbcv(options).Evaluate(input);
        Assert.Equal(1, result.Components["singletonClusters"]);
        Assert.Equal(31, result.Components["noise"]);
        var data = EmbeddingMatrix.FromValues(4, 1, [0, 1, 5, 9]);
        var e = Assert.Throws<ArgumentException>(() => new Dbcv(options).Evaluate(
            new EvaluationInput { Embeddings = data, Predicted = new Partition([0, 0, 1, -1]) }));
        Assert.Contains("at least 2 clusters of 2 or more rows", e.Message);
    }

    [Fact]
    public void ABudgetBelowTheEstimateIsRefusedBeforeAllocating()
    {
        var (input, _, _) = Case("high384_euclidean");
        var e = Assert.Throws<MemoryBudgetExceededException>(() =>
            new Dbcv(new DbcvOptions { MemoryBudgetGb = 1e-6 }).Evaluate(input));
        Assert.Equal("dbcv", e.Plugin);
    }
}
