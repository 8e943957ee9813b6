using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Sweeps.Tests;

/// <summary>
/// An in-memory host: embedder "chars" (letter counts), clusterer "mod" (row index modulo k, shifted by the seed),
/// metric "agreement" (fraction of rows whose cluster equals the label code, with a per-label row) and unit metric
/// "spread". Counts every plugin it creates and every fit; can fail the n-th fit to simulate an interrupted run.
/// </summary>
internal sealed class FakeSweepHost(string runDirectory, int jobs = 1) : ISweepHost
{
    public int Seed { get; init; } = 7;

    public int Jobs => jobs;

    public int TrialThreads => 1;

    public string RunDirectory => runDirectory;

    public CancellationToken Cancellation { get; init; }

    public SweepShard? Shard { get; init; }

    public IReadOnlyList<ShardRecord>? MergedShards { get; init; }

    public List<string> Logs { get; } = [];

    public Dictionary<string, string> Versions { get; } = new() { ["chars"] = "1.0", ["mod"] = "1.0", ["agreement"] = "1.0", ["spread"] = "1.0" };

    public int Created;
    public int Fits;
    public int Embeds;
    public int? FailAtFit { get; set; }
    public List<SweepReport> Reports { get; } = [];
    private int _sweeps;

    public PluginConfig Configure(PluginKind kind, string name, object? options, string? label)
    {
        var json = options is null ? "null" : JsonSerializer.Serialize(options, options.GetType());
        var text = options is null ? "" : string.Join(", ", JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => $"{p.Name}={p.Value}"));
        return new PluginConfig(kind, name, label ?? name, Versions[name], "sha-" + name, json, ContentHash.OfText(json), text) { Options = options };
    }

    public IEmbedder Embedder(PluginConfig config) { Interlocked.Increment(ref Created); return new Chars(this); }

    public IClusterer Clusterer(PluginConfig config, int seed)
    {
        Interlocked.Increment(ref Created);
        using var json = JsonDocument.Parse(config.OptionsJson);
        return new Mod(this, json.RootElement.GetProperty("k").GetInt32(), seed);
    }

    public IMetric Metric(PluginConfig config) { Interlocked.Increment(ref Created); return config.Name == "spread" ? new Spread() : new Agreement(); }

    public string NextTrialsFile() => ++_sweeps == 1 ? "trials.csv" : $"trials-{_sweeps}.csv";

    public int SweepsStarted => _sweeps;

    public void Log(string message) { lock (Logs) Logs.Add(message); }

    public void Completed(SweepReport report) => Reports.Add(report);

    public static Dataset Unit(string group, params (string Text, string Label)[] items) =>
        new("d/" + group, items.Select((t, i) => new TextItem($"{group}-{i}", t.Text, group, t.Label)).ToArray()) { QualityOrder = ["a", "b", "c"] };

    /// <summary>
    /// The sweep most tests declare on <see cref="Units"/>: one embedder, a per-unit clusterer and a two-option grid,
    /// two seeds, a metric and a unit metric (2 units × 7 trials).
    /// </summary>
    public Sweep StandardSweep() => new Sweep(this, Units())
        .Embedders("chars")
        .Clusterer("mod", u => new { k = u.LabelNames.Count })
        .Clusterers("mod", _ => [new { k = 2 }, new { k = 4 }], label: "mod-grid")
        .Seeds(1, 2)
        .Metrics("agreement")
        .UnitMetrics("spread");

    public static IReadOnlyList<Dataset> Units() =>
    [
        Unit("q1", ("apple", "a"), ("banana", "b"), ("cherry", "a"), ("date", "c"), ("elder", "b"), ("fig", "a")),
        Unit("q2", ("grape", "a"), ("honeydew", "a"), ("kiwi", "b"), ("lemon", "b"), ("mango", "a")),
    ];

    private sealed class Chars(FakeSweepHost host) : IEmbedder
    {
        public string Identity => "chars";
        public int Dimension => 3;
        public EmbeddingMatrix Embed(IReadOnlyList<string?> texts, IProgress<EmbeddingProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref host.Embeds);
            return EmbeddingMatrix.FromRows(texts.Select(t => new[] { (float)t!.Length, t.Count(c => c == 'a'), t.Count(c => c == 'e') }).ToArray());
        }
    }

    private sealed class Mod(FakeSweepHost host, int k, int seed) : IClusterer
    {
        public Partition Fit(EmbeddingMatrix data, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref host.Fits) == host.FailAtFit) throw new OperationCanceledException("interrupted");
            return new Partition(Enumerable.Range(0, data.Rows).Select(i => (i + seed + (int)data[i, 0]) % k).ToArray());
        }
    }

    private sealed class Agreement : IMetric
    {
        public MetricResult Evaluate(EvaluationInput input)
        {
            var p = input.RequirePredicted("agreement");
            var truth = input.RequireTruth("agreement");
            var hits = Enumerable.Range(0, p.Count).Select(i => p.Labels[i] == truth.Codes[i] ? 1.0 : 0.0).ToArray();
            return new MetricResult("agreement", hits.Average())
            {
                Rows = truth.Names.Select((name, code) => new MetricRow(name, new Dictionary<string, double>
                {
                    ["size"] = truth.Codes.Count(c => c == code),
                    ["hit"] = Enumerable.Range(0, p.Count).Where(i => truth.Codes[i] == code).Average(i => hits[i]),
                })).ToArray(),
            };
        }
    }

    private sealed class Spread : IMetric
    {
        public MetricResult Evaluate(EvaluationInput input) =>
            new("spread", input.RequireEmbeddings("spread").ToArray().Average()) { Components = new Dictionary<string, double> { ["labels"] = input.QualityOrder?.Count ?? -1 } };
    }
}
