using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Sweeps;

/// <summary>
/// Splits each sweep's trials into shards for <c>kplab run --shard I/N</c>: a deterministic partition of the trial ids,
/// balanced by estimated cost with greedy longest-processing-time: trials sorted by descending cost (ties by id,
/// ordinally) each go to the shard with the least total cost so far (ties to the lowest index). The same trials, costs
/// and count always give the same partition, on every machine, whatever order the shards start in. A script with
/// several sweeps is planned sweep by sweep, so every shard gets its share of each.
/// </summary>
public static class ShardPlan
{
    /// <summary>
    /// The estimated cost of a trial: the unit's rows (a clustering or metric pass over the unit's embeddings grows at
    /// least with its rows) times the embedder's declared relative cost (<see cref="PluginConfig.Cost"/>, 1 unless the
    /// sweep declares it, e.g. <c>.Embedder("minilm", cost: 8)</c>). Declared, never measured: every shard must compute
    /// the same plan.
    /// </summary>
    public static double Cost(Trial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return trial.Unit.Count * trial.Embedder.Cost;
    }

    /// <summary>The shard (0..<paramref name="count"/>-1) of each trial, indexed by <see cref="Trial.Index"/>.</summary>
    /// <param name="trials">The sweep's trials, in trial order.</param>
    /// <param name="count">How many shards.</param>
    public static int[] Assign(IReadOnlyList<Trial> trials, int count)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var shardOf = new int[trials.Count];
        var load = new double[count];
        foreach (var trial in trials.OrderByDescending(Cost).ThenBy(t => t.Id, StringComparer.Ordinal))
        {
            int lightest = 0;
            for (int s = 1; s < count; s++)
                if (load[s] < load[lightest]) lightest = s;
            shardOf[trial.Index] = lightest;
            load[lightest] += Cost(trial);
        }
        return shardOf;
    }

    /// <summary>
    /// SHA-256 of a sweep's trial list as planned (ids and costs, in order): two runs that give it the same value split
    /// the sweep the same way, so a merge can tell a sweep its shards ran from one whose declaration came out
    /// differently in the shards (it depended on an earlier sweep's results, which a shard holds only in part).
    /// </summary>
    public static string Fingerprint(IReadOnlyList<Trial> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        return ContentHash.OfFields(["kplab-shard-plan/1", .. trials.SelectMany(t => new[] { t.Id, Cost(t).ToString("R", CultureInfo.InvariantCulture) })]);
    }
}

/// <summary>Which shard of each sweep's trials a run computes (<c>kplab run --shard I/N</c>).</summary>
/// <param name="Index">This shard, 0-based.</param>
/// <param name="Count">How many shards.</param>
public sealed record SweepShard(int Index, int Count)
{
    /// <summary>The file in a shard run folder that records the shard and, per sweep, the trials it stored.</summary>
    public const string RecordFile = "shard.json";

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>One sweep of a shard run, as its <see cref="ShardRecord"/> lists it (the n-th entry is the script's n-th sweep).</summary>
/// <param name="Trials">Trials in the whole sweep.</param>
/// <param name="Plan">The sweep's <see cref="ShardPlan.Fingerprint"/>.</param>
/// <param name="Stored">The ids of this shard's trials of the sweep, all in the run's trial store, in trial order.</param>
public sealed record ShardSweep(int Trials, string Plan, IReadOnlyList<string> Stored);

/// <summary>
/// What a shard run records in <see cref="SweepShard.RecordFile"/>: its shard, each sweep it ran with the trials it
/// stored, the outputs it skipped (a shard's outputs after a sweep would be built from its share of the results; the
/// merge writes them) and, when the script stopped with an error after a sweep, that error.
/// </summary>
/// <param name="Index">The shard, 0-based.</param>
/// <param name="Count">How many shards.</param>
/// <param name="Sweeps">The sweeps it ran, in the script's order.</param>
public sealed record ShardRecord(int Index, int Count, IReadOnlyList<ShardSweep> Sweeps)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// "stopped after sweep m of the script: Type: message (file:line)" when the script threw after its m-th sweep
    /// (its code after a sweep sees only this shard's trials); null when it ran to its end.
    /// </summary>
    public string? Stopped { get; init; }

    /// <summary>The outputs (Lab.Table, Lab.Save, ...) the script asked for after a sweep and the shard skipped.</summary>
    public IReadOnlyList<string> SkippedOutputs { get; init; } = [];

    /// <summary>The run folder it was read from (not stored).</summary>
    [JsonIgnore]
    public string? Folder { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";

    /// <summary>Writes the record into <paramref name="runDirectory"/>, atomically.</summary>
    public void Write(string runDirectory) =>
        AtomicFile.WriteAllText(Path.Combine(runDirectory, SweepShard.RecordFile), JsonSerializer.Serialize(this, Json));

    /// <summary>Reads the shard record of <paramref name="runDirectory"/>, or null when it has none (not a shard run, or one that ran no sweep).</summary>
    /// <exception cref="InvalidDataException">The file is not a shard record (names it).</exception>
    public static ShardRecord? Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, SweepShard.RecordFile);
        if (!File.Exists(path)) return null;
        try
        {
            var record = JsonSerializer.Deserialize<ShardRecord>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty.");
            if (record.Sweeps is null) throw new InvalidDataException($"{path} is not a shard record: it lists no sweeps.");
            return record with { Folder = runDirectory };
        }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not a shard record: {e.Message}", e); }
    }
}
