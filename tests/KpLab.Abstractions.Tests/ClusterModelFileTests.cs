using KpLab.Abstractions;

namespace KpLab.Abstractions.Tests;

public sealed class ClusterModelFileTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"kplab-model-{Guid.NewGuid():N}.kpmodel");

    public void Dispose() => File.Delete(_path);

    private sealed record Options : PluginOptions
    {
        public int K { get; init; } = 3;
    }

    /// <summary>A model whose payload is its labels; it predicts label 0 with strength 0.5.</summary>
    private sealed class FakeModel(int[] labels) : IClusterModel
    {
        public Partition Partition { get; } = new(labels);

        public int Dimension => 2;

        public ClusterPrediction Predict(EmbeddingMatrix rows, CancellationToken cancellationToken = default) =>
            new(new int[rows.Rows], Enumerable.Repeat(0.5, rows.Rows).ToArray());

        public void Write(BinaryWriter writer) => ClusterModelPayload.WriteInts(writer, Partition.Labels);
    }

    private sealed class FakeClusterer : IPredictingClusterer
    {
        public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default) => FitModel(data).Partition;

        public IClusterModel FitModel(EmbeddingMatrix data, CancellationToken cancellationToken = default) => new FakeModel(new int[data.Rows]);

        public IClusterModel ReadModel(BinaryReader reader) => new FakeModel(ClusterModelPayload.ReadInts(reader));
    }

    private static EmbeddingMatrix Data() => EmbeddingMatrix.FromValues(3, 2, [1, 2, 3, 4, 5, 6]);

    [Fact]
    public void RoundTripKeepsIdentityAndPayload()
    {
        var identity = ClusterModelIdentity.Of("fake", "1.0.0", new Options(), Data());
        ClusterModelFile.Save(_path, identity, new FakeModel([0, 1, -1]));
        Assert.Equal(identity, ClusterModelFile.ReadIdentity(_path));
        var loaded = ClusterModelFile.Load(_path, new FakeClusterer(), identity);
        Assert.Equal([0, 1, -1], loaded.Partition.Labels);
        Assert.Equal(64, identity.OptionsHash.Length);
        Assert.Equal(64, identity.DataHash.Length);
    }

    [Fact]
    public void HashesChangeWithAnyOptionOrValue()
    {
        Assert.Equal(ClusterModelIdentity.HashOptions(new Options()), ClusterModelIdentity.HashOptions(new Options { K = 3 }));
        Assert.NotEqual(ClusterModelIdentity.HashOptions(new Options()), ClusterModelIdentity.HashOptions(new Options { K = 4 }));
        Assert.NotEqual(ClusterModelIdentity.HashData(Data()), ClusterModelIdentity.HashData(EmbeddingMatrix.FromValues(3, 2, [1, 2, 3, 4, 5, 7])));
        // Same values, other shape.
        Assert.NotEqual(ClusterModelIdentity.HashData(Data()), ClusterModelIdentity.HashData(EmbeddingMatrix.FromValues(2, 3, [1, 2, 3, 4, 5, 6])));
    }

    [Fact]
    public void LoadingRefusesAnotherIdentityNamingEachField()
    {
        var identity = ClusterModelIdentity.Of("fake", "1.0.0", new Options(), Data());
        ClusterModelFile.Save(_path, identity, new FakeModel([0, 1, -1]));
        var other = identity with { Version = "1.1.0", OptionsHash = ClusterModelIdentity.HashOptions(new Options { K = 4 }) };
        var e = Assert.Throws<InvalidDataException>(() => ClusterModelFile.Load(_path, new FakeClusterer(), other));
        Assert.Contains("version is '1.0.0', expected '1.1.0'", e.Message);
        Assert.Contains("options hash", e.Message);
        Assert.DoesNotContain("data hash", e.Message);
        e = Assert.Throws<InvalidDataException>(() => ClusterModelFile.Load(_path, new FakeClusterer(), identity with { DataHash = "x" }));
        Assert.Contains("data hash", e.Message);
        // An empty expected data hash skips the data check (the caller has no data at hand).
        Assert.Equal(3, ClusterModelFile.Load(_path, new FakeClusterer(), identity with { DataHash = "" }).Partition.Count);
    }

    [Fact]
    public void DamagedOrForeignFilesAreRefused()
    {
        var identity = ClusterModelIdentity.Of("fake", "1.0.0", new Options(), Data());
        ClusterModelFile.Save(_path, identity, new FakeModel([0, 1, -1]));
        var bytes = File.ReadAllBytes(_path);
        bytes[^40] ^= 1;
        File.WriteAllBytes(_path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => ClusterModelFile.Load(_path, new FakeClusterer(), identity));
        Assert.Contains("SHA-256", e.Message);
        File.WriteAllBytes(_path, bytes[..20]);
        Assert.Throws<InvalidDataException>(() => ClusterModelFile.ReadIdentity(_path));
        File.WriteAllText(_path, "not a model file at all, just some text that is long enough");
        e = Assert.Throws<InvalidDataException>(() => ClusterModelFile.ReadIdentity(_path));
        Assert.Contains("not a KpLab model file", e.Message);
    }

    [Fact]
    public void PredictionRejectsBadStrengthsAndLengths()
    {
        Assert.Throws<ArgumentException>(() => new ClusterPrediction([0], [1.5]));
        Assert.Throws<ArgumentException>(() => new ClusterPrediction([0], [double.NaN]));
        Assert.Throws<ArgumentException>(() => new ClusterPrediction([0, 1], [1]));
        Assert.Throws<ArgumentException>(() => new ClusterPrediction([-2], [0]));
    }
}
