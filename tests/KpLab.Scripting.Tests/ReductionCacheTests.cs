using KpLab.Abstractions;
using KpLab.Hosting;

namespace KpLab.Scripting.Tests;

/// <summary>Reduced vectors are cached like embeddings: keyed by matrix content, identity, options, seed and threads.</summary>
public sealed class ReductionCacheTests : IDisposable
{
    private readonly ScriptWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private static readonly EmbeddingMatrix Data = EmbeddingMatrix.FromValues(3, 2, [1f, 2f, 3f, 4f, 5f, 6f]);

    [Fact]
    public void ASecondFitOfTheSameMatrixIsReadBackAndAnyKeyFieldChangeMisses()
    {
        var cache = new ReductionCache(_workspace.ReductionCache);
        var inner = new SumReducer();
        var reducer = new CachingReducer(inner, cache, ["seed=0"]);

        var first = reducer.Fit(Data);
        Assert.False(reducer.LastFitCached);
        var second = reducer.Fit(Data);
        Assert.True(reducer.LastFitCached);
        Assert.Equal(1, inner.Fits);
        Assert.Equal(first.Embedding.ToArray(), second.Embedding.ToArray());
        Assert.Equal([3f, 7f, 11f], second.Embedding.ToArray());

        new CachingReducer(inner, cache, ["seed=1"]).Fit(Data);
        reducer.Fit(EmbeddingMatrix.FromValues(3, 2, [1f, 2f, 3f, 4f, 5f, 7f]));
        new CachingReducer(new SumReducer { Scale = 2 }, cache, ["seed=0"]).Fit(Data);
        Assert.Equal(3, inner.Fits);
    }

    [Fact]
    public void ACachedModelRefitsOnlyToTransformNewRows()
    {
        var inner = new SumReducer();
        var cache = new ReductionCache(_workspace.ReductionCache);
        new CachingReducer(inner, cache, []).Fit(Data);
        var model = new CachingReducer(inner, cache, []).Fit(Data);
        Assert.Equal(1, inner.Fits);
        Assert.Equal([30f], model.Transform(EmbeddingMatrix.FromValues(1, 2, [10f, 20f])).ToArray());
        Assert.Equal(2, inner.Fits);
    }

    [Fact]
    public void ACorruptEntryIsReportedDeletedAndRecomputed()
    {
        var warnings = new List<string>();
        var cache = new ReductionCache(_workspace.ReductionCache, warnings.Add);
        var inner = new SumReducer();
        new CachingReducer(inner, cache, []).Fit(Data);
        var file = Directory.GetFiles(_workspace.ReductionCache, "*.npy").Single();
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(file, bytes);

        var model = new CachingReducer(inner, cache, []).Fit(Data);
        Assert.Equal(2, inner.Fits);
        Assert.Equal([3f, 7f, 11f], model.Embedding.ToArray());
        Assert.Contains(warnings, w => w.Contains(file) && w.Contains("hash does not match"));
    }

    [Fact]
    public async Task LabReducerCachesAcrossRunsAndRecordsThePlugin()
    {
        _workspace.Write("reduce.csx", """
            var data = KpLab.Abstractions.EmbeddingMatrix.FromValues(2, 2, new float[] { 1, 2, 3, 4 });
            var reduced = Lab.Reducer("fake-reduce").Fit(data).Embedding;
            Lab.Log($"reduced {reduced[0, 0]} {reduced[1, 0]}");
            """);
        var source = new ReducerPluginSource();
        var (first, output, _) = await _workspace.RunAsync("reduce.csx", source);
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("reducer fake-reduce: 2 x 2 -> 1 columns fitted", output);
        Assert.Contains("reduced 3 7", output);
        var (second, again, _) = await _workspace.RunAsync("reduce.csx", source);
        Assert.Contains("reducer fake-reduce: 2 x 2 -> 1 columns from the cache", again);
        Assert.Contains("reduced 3 7", again);
        Assert.Equal(1, source.Reducer.Fits);
        var (_, otherSeed, _) = await _workspace.RunAsync("reduce.csx", source, seed: 5);
        Assert.Contains("columns fitted", otherSeed);
        Assert.Contains(ScriptWorkspace.Record(second).GetProperty("plugins").EnumerateArray(),
            p => p.GetProperty("kind").GetString() == "reducer" && p.GetProperty("name").GetString() == "fake-reduce");
    }

    /// <summary>Sums each row (times <see cref="Scale"/>) into one column; counts its fits.</summary>
    private sealed class SumReducer : IReducer
    {
        public int Fits { get; private set; }

        public float Scale { get; init; } = 1;

        public string Identity => $"sum(scale={Scale})";

        public int OutputDimension => 1;

        public IReducerModel Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
        {
            Fits++;
            return new Model(this, data.Columns, Sum(data));
        }

        private EmbeddingMatrix Sum(EmbeddingMatrix data) => EmbeddingMatrix.Create(data.Rows, 1, values =>
        {
            for (int i = 0; i < data.Rows; i++)
            {
                float total = 0;
                foreach (var v in data.Row(i)) total += v;
                values[i] = total * Scale;
            }
        });

        private sealed record Model(SumReducer Owner, int InputDimension, EmbeddingMatrix Embedding) : IReducerModel
        {
            public int OutputDimension => 1;

            public EmbeddingMatrix Transform(EmbeddingMatrix data, CancellationToken cancellationToken = default) => Owner.Sum(data);
        }
    }

    /// <summary>The fake plugins plus "fake-reduce".</summary>
    private sealed class ReducerPluginSource : IPluginSource
    {
        private readonly FakePluginSource _fakes = new();

        public SumReducer Reducer { get; } = new();

        public IReadOnlyList<PluginDescriptor> Plugins =>
        [
            .. _fakes.Plugins,
            new(PluginKind.Reducer, "fake-reduce", "9.9.9", "Row sums.", "/plugins/fake-reduce.dll", new string('b', 64),
                PluginOrigin.Bundled, typeof(NoOptions).FullName!, []),
        ];

        public IReadOnlyList<PluginLoadError> Errors => [];

        public PluginDescriptor Find(PluginKind kind, string name) => kind == PluginKind.Reducer && name == "fake-reduce"
            ? Plugins[^1]
            : _fakes.Find(kind, name);

        public PluginInstance Create(PluginKind kind, string name, object? options, PluginContext context) =>
            kind == PluginKind.Reducer
                ? new PluginInstance(Find(kind, name), OptionsBinder.Bind(typeof(NoOptions), options, name), Reducer)
                : _fakes.Create(kind, name, options, context);
    }
}
