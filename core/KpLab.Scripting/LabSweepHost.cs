using KpLab.Abstractions;
using KpLab.Hosting;
using KpLab.Sweeps;

namespace KpLab.Scripting;

/// <summary>
/// What a script's sweeps get from Lab: plugin configurations bound once per distinct (kind, name, options) and
/// plugins created once per configuration (and clustering seed), all tracked and listed in the run record; embedders
/// wrapped by the disk embedding cache; the run folder for the trial store.
/// </summary>
internal sealed class LabSweepHost(Lab lab) : ISweepHost
{
    public int Seed => lab.Seed;

    public int Jobs => lab.Jobs;

    // Every trial runs with the same kernel thread count whatever --jobs is, so results do not depend on --jobs.
    public int TrialThreads => lab.TrialThreads;

    public string RunDirectory => lab.Out;

    public SweepShard? Shard => lab.Shard is { } shard ? new SweepShard(shard.Index, shard.Count) : null;

    public IReadOnlyList<ShardRecord>? MergedShards => lab.MergedShards;

    public CancellationToken Cancellation => lab.Cancellation;

    public PluginConfig Configure(PluginKind kind, string name, object? options, string? label) =>
        lab.SweepPlugins.Configure(kind, name, options, label);

    public IEmbedder Embedder(PluginConfig config) => (IEmbedder)lab.SweepPlugins.Get(config, lab.Seed);

    public IClusterer Clusterer(PluginConfig config, int seed) => (IClusterer)lab.SweepPlugins.Get(config, seed);

    public IMetric Metric(PluginConfig config) => (IMetric)lab.SweepPlugins.Get(config, lab.Seed);

    public string NextTrialsFile() => lab.NextTrialsFile();

    public int SweepsStarted => lab.SweepsStarted;

    public void Log(string message) => lab.Log(message);

    public void Completed(SweepReport report)
    {
        lab.RecordSweep(new SweepRecord(report.Trials, report.Computed, report.FromStore, report.TrialsFile, "trials"));
        if (report.Shard is { } shard) lab.RecordShardSweep(shard);
        var trials = report.Shard is { } part ? $"{part.Stored.Count} of {report.Trials} trials, this shard's" : $"{report.Trials} trials";
        lab.Log($"sweep: {trials} ({report.Computed} computed, {report.FromStore} from the trial store), " +
                $"{report.Configurations.Count} plugin configurations.");
    }
}

/// <summary>
/// The plugins of a run's sweeps: each distinct (kind, name, options) bound once, each configuration created once per
/// clustering seed, reused by every trial (plugins are stateless between calls by contract).
/// </summary>
internal sealed class SweepPlugins(Lab lab, Func<PluginKind, string, object, object> wrap)
{
    private readonly Dictionary<string, PluginConfig> _configs = [];
    private readonly Dictionary<string, object> _instances = [];
    private readonly Lock _gate = new();

    public PluginConfig Configure(PluginKind kind, string name, object? options, string? label)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var key = $"{kind}\u001f{name}\u001f{label}\u001f{PluginOptionsJson.Of(options)}";
        lock (_gate)
        {
            if (_configs.TryGetValue(key, out var known)) return known;
            var instance = lab.CreatePluginInstance(kind, name, options, lab.Seed, ThreadsOf(kind));
            var json = PluginOptionsJson.Of(instance.Options);
            var config = new PluginConfig(kind, instance.Descriptor.Name, label ?? instance.Descriptor.Name, instance.Descriptor.Version,
                instance.Descriptor.AssemblySha256, json, ContentHash.OfText(json), PluginOptionsJson.Text(options)) { Options = options };
            _configs[key] = config;
            _instances[InstanceKey(config, lab.Seed)] = wrap(kind, config.Label, instance.Plugin);
            return config;
        }
    }

    public object Get(PluginConfig config, int seed)
    {
        lock (_gate)
        {
            var key = InstanceKey(config, seed);
            if (!_instances.TryGetValue(key, out var plugin))
                _instances[key] = plugin = wrap(config.Kind, config.Label, lab.CreatePluginInstance(config.Kind, config.Name, config.Options, seed, ThreadsOf(config.Kind)).Plugin);
            return plugin;
        }
    }

    // Embedding runs between trials, one unit at a time, with every thread; clusterers and metrics run inside trials,
    // --jobs of them at once, each with its share.
    private int ThreadsOf(PluginKind kind) => kind == PluginKind.Embedder ? lab.Threads : lab.TrialThreads;

    private static string InstanceKey(PluginConfig config, int seed) =>
        $"{config.Kind}\u001f{config.Name}\u001f{config.OptionsHash}\u001f{config.Label}\u001f{PluginOptionsJson.Invariant(seed)}";
}
