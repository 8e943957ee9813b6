using KpLab.Abstractions;

namespace KpLab.Sweeps;

/// <summary>
/// What a sweep needs from the run that executes it (in scripts: <c>Lab</c>): plugin configurations and instances
/// (each created once per distinct configuration), the trial store's folder, the run's random source and budget.
/// </summary>
public interface ISweepHost
{
    /// <summary>The run seed (a sweep's seeds default to it).</summary>
    int Seed { get; }

    /// <summary>Trials run at once (<c>--jobs</c>).</summary>
    int Jobs { get; }

    /// <summary>Kernel threads each trial runs with, the same for every trial whatever <see cref="Jobs"/> is.</summary>
    int TrialThreads { get; }

    /// <summary>The run folder: the trial store lives in its <c>trials/</c> folder.</summary>
    string RunDirectory { get; }

    /// <summary>
    /// The shard of each sweep's trials this run computes (<c>kplab run --shard I/N</c>), or null for all: in a shard
    /// run a sweep computes and stores only its shard's trials and returns their results, so the script goes on to its
    /// next sweep (the report step, run on complete results, is the merge's).
    /// </summary>
    SweepShard? Shard => null;

    /// <summary>
    /// The records of the shard runs this run merges (<c>kplab merge</c>, its trial store the union of theirs), by
    /// shard index, or null when it merges none. A trial missing from the store that a shard ran (same trial list,
    /// <see cref="ShardPlan.Fingerprint"/>) is refused as a damaged shard; one no shard ran (the sweep's declaration
    /// came out differently in the shards, or they stopped before it) is computed, and said so.
    /// </summary>
    IReadOnlyList<ShardRecord>? MergedShards => null;

    /// <summary>Stops the sweep between and inside trials.</summary>
    CancellationToken Cancellation { get; }

    /// <summary>Resolves a plugin configuration: binds and validates <paramref name="options"/>, names the version.</summary>
    /// <param name="kind">The plugin kind.</param>
    /// <param name="name">The plugin's name.</param>
    /// <param name="options">Options as the script gave them.</param>
    /// <param name="label">How result rows name it (null: the name).</param>
    PluginConfig Configure(PluginKind kind, string name, object? options, string? label);

    /// <summary>The embedder of <paramref name="config"/> (created once, cached on disk).</summary>
    IEmbedder Embedder(PluginConfig config);

    /// <summary>The clusterer of <paramref name="config"/> whose random source has <paramref name="seed"/> (created once per pair).</summary>
    IClusterer Clusterer(PluginConfig config, int seed);

    /// <summary>The metric of <paramref name="config"/> (created once).</summary>
    IMetric Metric(PluginConfig config);

    /// <summary>The file (in the run folder) that lists the trials of the sweep about to run: one per sweep of the run.</summary>
    string NextTrialsFile();

    /// <summary>How many sweeps the run has started, the one running included (counted by <see cref="NextTrialsFile"/>).</summary>
    int SweepsStarted => 0;

    /// <summary>Writes a line to the run log.</summary>
    void Log(string message);

    /// <summary>Called once the sweep has finished, with what it did (for the run record).</summary>
    void Completed(SweepReport report);
}

/// <summary>What a finished sweep did, for the run record.</summary>
/// <param name="Trials">Trials in the sweep.</param>
/// <param name="Computed">Trials computed by this run.</param>
/// <param name="FromStore">Trials read back from the trial store (finished by an earlier, interrupted attempt).</param>
/// <param name="TrialsFile">The file listing every trial (index, id, unit, embedder, clusterer, options, seed).</param>
/// <param name="Configurations">Every distinct plugin configuration it used, once.</param>
public sealed record SweepReport(int Trials, int Computed, int FromStore, string TrialsFile, IReadOnlyList<PluginConfig> Configurations)
{
    /// <summary>In a shard run, the shard's part of the sweep (for its shard record); null otherwise.</summary>
    public ShardSweep? Shard { get; init; }
}
