using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Clustering.Tests;

/// <summary>Outlier reassignment against Fixtures/make_fixtures.py (numpy, after BERTopic's reduce_outliers).</summary>
public sealed class OutlierReassignmentTests
{
    private static readonly JsonElement Root = Load();

    private static JsonElement Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "outlier_cases.json")));
        return doc.RootElement.Clone();
    }

    private static EmbeddingMatrix Data() => NpyFile.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "outliers.npy"));

    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static Partition Partition() => new(Ints(Root.GetProperty("labels")));

    public static IEnumerable<object[]> Cases() =>
        Root.GetProperty("cases").EnumerateArray().Select((c, i) => new object[] { i, c.GetProperty("strategy").GetString()! });

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesNumpyReference(int index, string strategy)
    {
        var c = Root.GetProperty("cases")[index];
        double? threshold = c.GetProperty("threshold").ValueKind == JsonValueKind.Null ? null : c.GetProperty("threshold").GetDouble();
        var partition = Partition();
        var result = strategy switch
        {
            "cosine" => OutlierReassignment.ToNearestCentroid(partition, Data(), CentroidMeasure.Cosine, threshold),
            "euclidean" => OutlierReassignment.ToNearestCentroid(partition, Data(), CentroidMeasure.Euclidean, threshold),
            "membership" => OutlierReassignment.ByMembership(partition,
                Root.GetProperty("memberships").EnumerateArray().Select(r => (IReadOnlyList<double>)r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray(),
                threshold!.Value),
            _ => OutlierReassignment.ByPrediction(partition,
                new ClusterPrediction(Ints(Root.GetProperty("predicted")), Root.GetProperty("strengths").EnumerateArray().Select(v => v.GetDouble()).ToArray()),
                threshold!.Value),
        };
        var want = Ints(c.GetProperty("labels"));
        Assert.Equal(want, result.Partition.Labels);
        Assert.Equal(c.GetProperty("moved").GetInt32(), result.Moved);
        Assert.Equal(60, result.NoiseBefore);
        Assert.Equal(60 - result.Moved, result.NoiseAfter);
        Assert.Equal(Enumerable.Range(0, want.Length).Where(i => want[i] != partition.Labels[i]), result.MovedRows);
        Assert.Contains($"{result.Moved} of 60 noise rows moved", result.ToString());
    }

    public static IEnumerable<object[]> MembershipCases() =>
        Cases().Where(c => (string)c[1] == "membership").Select(c => new object[] { c[0] });

    private static MembershipVectors Memberships()
    {
        var rows = Root.GetProperty("memberships").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        return new MembershipVectors(rows.Length, Partition().Labels.Where(l => l >= 0).Distinct().Order().ToArray(), rows.SelectMany(r => r).ToArray());
    }

    /// <summary>A fitted model that hands out fixed membership vectors, for the one-call overload.</summary>
    private sealed class FixedSoftModel(Partition partition, MembershipVectors vectors) : ISoftClusterModel
    {
        public int Calls { get; private set; }
        public Partition Partition => partition;
        public int Dimension => 1;
        public ClusterPrediction Predict(EmbeddingMatrix rows, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public void Write(BinaryWriter writer) => throw new NotSupportedException();
        public MembershipVectors PredictMembershipVectors(EmbeddingMatrix rows, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public MembershipVectors AllPointsMembershipVectors(CancellationToken cancellationToken = default)
        {
            Calls++;
            return vectors;
        }
    }

    [Theory]
    [MemberData(nameof(MembershipCases))]
    public void TypedMembershipVectorsAndTheModelOverloadMatchNumpyReference(int index)
    {
        var c = Root.GetProperty("cases")[index];
        double threshold = c.GetProperty("threshold").GetDouble();
        var want = Ints(c.GetProperty("labels"));
        var byVectors = OutlierReassignment.ByMembership(Partition(), Memberships(), threshold);
        Assert.Equal(want, byVectors.Partition.Labels);
        Assert.Equal(c.GetProperty("moved").GetInt32(), byVectors.Moved);
        var model = new FixedSoftModel(Partition(), Memberships());
        var byModel = OutlierReassignment.ByMembership(model, threshold);
        Assert.Equal(want, byModel.Partition.Labels);
        Assert.Equal(byVectors.MovedRows, byModel.MovedRows);
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public void MembershipColumnsMustBeThePartitionsClusters()
    {
        var partition = new Partition([0, 0, 2, -1]);
        var e = Assert.Throws<ArgumentException>(() => OutlierReassignment.ByMembership(partition, new MembershipVectors(4, [0, 1], new double[8])));
        Assert.Contains("membership columns are clusters [0, 1], the partition's clusters [0, 2]", e.Message);
        e = Assert.Throws<ArgumentException>(() => OutlierReassignment.ByMembership(partition, new MembershipVectors(3, [0, 2], new double[6])));
        Assert.Contains("3 membership rows for 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => new MembershipVectors(1, [0, 2], [0.5, 1.5]));
        Assert.Contains("row 0, column 1 holds 1.5", e.Message);
        var moved = OutlierReassignment.ByMembership(partition, new MembershipVectors(4, [0, 2], [1, 0, 1, 0, 0, 1, 0.25, 0.25]), 0.25);
        // A tie goes to the smaller label, as numpy's argmax.
        Assert.Equal([0, 0, 2, 0], moved.Partition.Labels);
    }

    [Fact]
    public void ClusteredRowsNeverMoveAndBadInputIsNamed()
    {
        var partition = new Partition([0, 0, 1, -1]);
        var data = EmbeddingMatrix.FromValues(4, 1, [0, 1, 10, 9]);
        var result = OutlierReassignment.ToNearestCentroid(partition, data, CentroidMeasure.Euclidean);
        Assert.Equal([0, 0, 1, 1], result.Partition.Labels);
        var e = Assert.Throws<ArgumentException>(() => OutlierReassignment.ToNearestCentroid(new Partition([-1, -1]), EmbeddingMatrix.FromValues(2, 1, [0, 1])));
        Assert.Contains("no cluster", e.Message);
        e = Assert.Throws<ArgumentException>(() => OutlierReassignment.ByMembership(partition, [[1.0, 0.0]]));
        Assert.Contains("1 membership rows for 4", e.Message);
        e = Assert.Throws<ArgumentException>(() => OutlierReassignment.ByMembership(partition, [[1.0], [1.0], [1.0], [1.0]]));
        Assert.Contains("membership row 3 has 1 values for 2 clusters", e.Message);
        e = Assert.Throws<ArgumentException>(() => OutlierReassignment.ToNearestCentroid(partition, EmbeddingMatrix.FromValues(3, 1, [0, 1, 2])));
        Assert.Contains("3 rows, the partition 4", e.Message);
    }
}
