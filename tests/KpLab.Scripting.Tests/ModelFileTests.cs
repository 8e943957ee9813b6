using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Scripting.Tests;

/// <summary>The fake threshold clusterer can predict: a new row is cluster 1 when its first value reaches the threshold.</summary>
public sealed partial class ThresholdClusterer : IPredictingClusterer
{
    public IClusterModel FitModel(EmbeddingMatrix data, CancellationToken cancellationToken = default) =>
        new ThresholdModel(Fit(data, cancellationToken), this);

    public IClusterModel ReadModel(BinaryReader reader) => new ThresholdModel(new Partition(ClusterModelPayload.ReadInts(reader)), this);

    /// <summary>Predicts by the clusterer's own rule, which needs nothing from the fit; the payload is the fitted labels.</summary>
    private sealed class ThresholdModel(Partition partition, ThresholdClusterer clusterer) : IClusterModel
    {
        public Partition Partition { get; } = partition;

        public int Dimension => 0;

        public ClusterPrediction Predict(EmbeddingMatrix rows, CancellationToken cancellationToken = default) =>
            new(clusterer.Fit(rows, cancellationToken).Labels, Enumerable.Repeat(1.0, rows.Rows).ToArray());

        public void Write(BinaryWriter writer) => ClusterModelPayload.WriteInts(writer, Partition.Labels);
    }
}

public sealed class ModelFileTests(ScriptWorkspace workspace) : IClassFixture<ScriptWorkspace>
{
    [Fact]
    public async Task AModelIsSavedWithItsRunIdentityAndLoadedOnlyByTheSameClustererAndData()
    {
        NpyFile.Save(Path.Combine(workspace.Root, "train.npy"), EmbeddingMatrix.FromRows([new float[] { 1, 0 }, new float[] { 3, 0 }]));
        NpyFile.Save(Path.Combine(workspace.Root, "other.npy"), EmbeddingMatrix.FromRows([new float[] { 5, 0 }]));
        workspace.Write("models.csx", """
            var x = Lab.LoadNpy("train.npy");
            var other = Lab.LoadNpy("other.npy");
            var clusterer = (IPredictingClusterer)Lab.Clusterer("threshold", new { threshold = 2.0 });
            var model = clusterer.FitModel(x);
            Lab.SaveModel("model.kpmodel", model);
            var file = Lab.OutPath("model.kpmodel");
            var loaded = Lab.LoadModel(file, Lab.Clusterer("threshold", new { threshold = 2.0 }), x);
            Lab.Log($"loaded labels {string.Join(",", loaded.Partition.Labels)} predicted {string.Join(",", loaded.Predict(other).Labels)}");
            void Try(Action load) { try { load(); Lab.Log("accepted"); } catch (InvalidDataException e) { Lab.Log("refused: " + e.Message); } }
            Try(() => Lab.LoadModel(file, Lab.Clusterer("threshold", new { threshold = 3.0 })));
            Try(() => Lab.LoadModel(file, Lab.Clusterer("threshold", new { threshold = 2.0 }), other));
            Try(() => Lab.LoadModel(file, Lab.Clusterer("threshold", new { threshold = 2.0 })));
            // Outlier reassignment is in the default imports: the noise row 1 takes the label predicted for it.
            Lab.Log(OutlierReassignment.ByPrediction(new Partition(new[] { 1, -1 }), loaded.Predict(x)).ToString());
            """);
        var (result, output, error) = await workspace.RunAsync("models.csx", new FakePluginSource());
        Assert.True(result.ExitCode == 0, error + output);
        Assert.Contains("loaded labels 0,1 predicted 1", output);
        var refusals = output.Split('\n').Where(l => l.Contains("refused: ") || l.Contains("accepted")).ToArray();
        Assert.Equal(3, refusals.Length);
        Assert.Contains("options hash", refusals[0]);
        Assert.DoesNotContain("data hash", refusals[0]);
        Assert.Contains("data hash", refusals[1]);
        Assert.EndsWith("accepted", refusals[2].TrimEnd());
        Assert.Contains("prediction(threshold 0): 1 of 1 noise rows moved into clusters, 0 remain noise", output);

        var identity = ClusterModelFile.ReadIdentity(Path.Combine(result.RunDirectory!, "model.kpmodel"));
        Assert.Equal("threshold", identity.Plugin);
        Assert.Equal("9.9.9", identity.Version);
        Assert.Equal(ClusterModelIdentity.HashData(NpyFile.Load(Path.Combine(workspace.Root, "train.npy"))), identity.DataHash);
        var record = ScriptWorkspace.Record(result);
        Assert.Contains("model.kpmodel", record.GetProperty("outputs").EnumerateArray().Select(o => o.GetString()));
        Assert.Contains(record.GetProperty("inputs").EnumerateArray(), i => i.GetProperty("path").GetString()!.EndsWith("model.kpmodel"));
    }
}
