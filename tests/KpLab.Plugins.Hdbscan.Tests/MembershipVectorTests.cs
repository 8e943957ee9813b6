using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Clustering;
using KpLab.Data;

namespace KpLab.Plugins.Hdbscan.Tests;

/// <summary>
/// Soft clustering against Fixtures/make_membership_fixtures.py, an independent numpy implementation of the hdbscan
/// library's <c>all_points_membership_vectors</c> and <c>membership_vector</c> (the library is not packaged for Debian),
/// and BERTopic's "probabilities" outlier reassignment on those vectors.
/// </summary>
public sealed class MembershipVectorTests
{
    private const double Tolerance = 1e-12;
    private static readonly JsonElement[] Cases = NewRowsCase.Load("membership_cases.json");

    public static IEnumerable<object[]> Names() => Cases.Select(c => new object[] { c.GetProperty("name").GetString()! });

    private static JsonElement Case(string name) => Cases.Single(e => e.GetProperty("name").GetString() == name);

    private static (ISoftClusterModel Model, EmbeddingMatrix Train, EmbeddingMatrix New, HdbscanClusterer Clusterer) Fit(JsonElement c)
    {
        var fixture = NewRowsCase.From(c);
        var clusterer = new HdbscanClusterer(fixture.Options, PluginContext.Default);
        var model = (ISoftClusterModel)clusterer.FitModel(fixture.Train);
        Assert.Equal(Ints(c.GetProperty("fitLabels")), model.Partition.Labels);
        return (model, fixture.Train, fixture.New, clusterer);
    }

    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static double[][] Matrix(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

    private static double WorstDeviation(double[][] want, MembershipVectors got)
    {
        Assert.Equal(want.Length, got.Rows);
        double worst = 0;
        for (int i = 0; i < want.Length; i++)
        {
            Assert.Equal(want[i].Length, got.Clusters);
            for (int c = 0; c < want[i].Length; c++) worst = Math.Max(worst, Math.Abs(want[i][c] - got[i, c]));
        }
        return worst;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void AllPointsMembershipVectorsMatchNumpyReference(string name)
    {
        var c = Case(name);
        var (model, _, _, _) = Fit(c);
        // The exemplars (rows leaving each leaf under a selected cluster at the leaf's largest λ) are the reference's.
        var exemplars = ((HdbscanModel)model).Soft.Exemplars.Select(e => e.Order().ToArray()).ToArray();
        Assert.Equal(c.GetProperty("exemplars").EnumerateArray().Select(Ints).ToArray(), exemplars);

        var vectors = model.AllPointsMembershipVectors();
        int clusters = model.Partition.ClusterCount;
        Assert.Equal(Enumerable.Range(0, clusters), vectors.ClusterLabels);
        double worst = WorstDeviation(Matrix(c.GetProperty("vectors")), vectors);
        Assert.True(worst <= Tolerance, $"{name}: largest deviation {worst:E2}");
        // A vector sums to the row's chance of being in some cluster, at most 1.
        for (int i = 0; i < vectors.Rows; i++) Assert.True(vectors.Row(i).ToArray().Sum() <= 1 + 1e-12, $"row {i}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MembershipVectorsOfNewRowsMatchNumpyReference(string name)
    {
        var c = Case(name);
        var (model, _, newRows, _) = Fit(c);
        var vectors = model.PredictMembershipVectors(newRows);
        double worst = WorstDeviation(Matrix(c.GetProperty("newVectors")), vectors);
        Assert.True(worst <= Tolerance, $"{name}: largest deviation {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ReassignmentByMembershipVectorsMatchesNumpyReference(string name)
    {
        var c = Case(name);
        var (model, _, _, _) = Fit(c);
        var before = model.Partition.Labels;
        foreach (var step in c.GetProperty("reassignments").EnumerateArray())
        {
            double threshold = step.GetProperty("threshold").GetDouble();
            var want = Ints(step.GetProperty("labels"));
            var result = OutlierReassignment.ByMembership(model, threshold);
            Assert.Equal(want, result.Partition.Labels);
            Assert.Equal(Enumerable.Range(0, want.Length).Where(i => want[i] != before[i]), result.MovedRows);
            Assert.Equal(before.Count(l => l < 0), result.NoiseBefore);
        }
    }

    [Fact]
    public void FixturesCoverNoiseASingleClusterCosineAndLeavesUnderASelectedCluster()
    {
        // What the cases above exercise, so that a fixture regenerated without it fails here.
        Assert.Contains(Cases, c => Ints(c.GetProperty("fitLabels")).Contains(-1) && c.GetProperty("reassignments").GetArrayLength() == 2
            && c.GetProperty("reassignments")[1].GetProperty("labels").EnumerateArray().Any(v => v.GetInt32() == -1));
        Assert.Contains(Cases, c => c.GetProperty("allowSingleCluster").GetBoolean() && c.GetProperty("exemplars").GetArrayLength() == 1);
        Assert.Contains(Cases, c => c.GetProperty("metric").GetString() == "cosine");
        Assert.Contains(Cases, c => c.GetProperty("name").GetString()!.StartsWith("aniso", StringComparison.Ordinal));
    }

    [Fact]
    public void ALoadedModelGivesTheSameVectors()
    {
        var c = Cases.First(e => e.GetProperty("metric").GetString() == "cosine");
        var (model, x, newRows, clusterer) = Fit(c);
        var identity = ClusterModelIdentity.Of("hdbscan", "test", new HdbscanOptions(), x);
        var path = Path.Combine(Path.GetTempPath(), $"kplab-hdbscan-soft-{Guid.NewGuid():N}.kpmodel");
        try
        {
            ClusterModelFile.Save(path, identity, model);
            var loaded = Assert.IsAssignableFrom<ISoftClusterModel>(ClusterModelFile.Load(path, clusterer, identity));
            Assert.Equal(model.AllPointsMembershipVectors().ToArray(), loaded.AllPointsMembershipVectors().ToArray());
            Assert.Equal(model.PredictMembershipVectors(newRows).ToArray(), loaded.PredictMembershipVectors(newRows).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WithoutClustersTheVectorsHaveNoColumnAndBadRowsAreNamed()
    {
        // Ten rows on a line, minClusterSize 10: the root never splits and is not allowed as a cluster.
        var x = EmbeddingMatrix.FromValues(10, 1, Enumerable.Range(0, 10).Select(i => (float)(i * i)).ToArray());
        var model = (ISoftClusterModel)new HdbscanClusterer(new HdbscanOptions { MinClusterSize = 10 }, PluginContext.Default).FitModel(x);
        Assert.Equal(0, model.Partition.ClusterCount);
        var all = model.AllPointsMembershipVectors();
        Assert.Equal((10, 0), (all.Rows, all.Clusters));
        Assert.Equal((3, 0), (model.PredictMembershipVectors(EmbeddingMatrix.FromValues(3, 1, [1, 2, 3])) is var p ? (p.Rows, p.Clusters) : default));
        var e = Assert.Throws<ArgumentException>(() => model.PredictMembershipVectors(EmbeddingMatrix.FromValues(1, 2, [1, 2])));
        Assert.Contains("2 columns", e.Message);
        Assert.Throws<ArgumentException>(() => OutlierReassignment.ByMembership(model));
    }
}
