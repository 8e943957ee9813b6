namespace KpLab.Sweeps;

/// <summary>
/// Splits a sweep's trials into shards for <c>kplab run --shard I/N</c>: a deterministic partition of the trial ids,
/// balanced by estimated cost with greedy longest-processing-time: trials sorted by descending cost (ties by id,
/// ordinally) each go to the shard with the least total cost so far (ties to the lowest index). The same trials and
/// count always give the same partition, on every machine, whatever order the shards start in.
/// </summary>
public static class ShardPlan
{
    /// <summary>
    /// The estimated cost of a trial: the unit's rows (a clustering or metric pass over the unit's embeddings grows at
    /// least with its rows; embedders have no declared cost weight yet, so each counts 1).
    /// </summary>
    public static long Cost(Trial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return trial.Unit.Count;
    }

    /// <summary>The shard (0..<paramref name="count"/>-1) of each trial, indexed by <see cref="Trial.Index"/>.</summary>
    /// <param name="trials">The sweep's trials, in trial order.</param>
    /// <param name="count">How many shards.</param>
    public static int[] Assign(IReadOnlyList<Trial> trials, int count)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var shardOf = new int[trials.Count];
        var load = new long[count];
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
}

/// <summary>Which shard of a sweep's trials a run computes (<c>kplab run --shard I/N</c>).</summary>
/// <param name="Index">This shard, 0-based.</param>
/// <param name="Count">How many shards.</param>
public sealed record SweepShard(int Index, int Count)
{
    /// <summary>The file in a shard run folder that records the shard and the trials it stored.</summary>
    public const string RecordFile = "shard.json";

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>
/// Thrown by <see cref="Sweep.Run"/> in a shard run once the shard's trials are stored: the rest of the script (its
/// tables and report) is not run per shard but once, by <c>kplab merge</c>. The script runner ends such a run as
/// succeeded.
/// </summary>
public sealed class SweepShardCompletedException : Exception
{
    /// <summary>A shard that stored <paramref name="stored"/> of <paramref name="trials"/> trials.</summary>
    public SweepShardCompletedException(SweepShard shard, int stored, int trials)
        : base($"shard {shard}: {stored} trials stored (of {trials} in the sweep); tables are written by kplab merge.")
    {
        Shard = shard;
        Stored = stored;
    }

    /// <summary>The shard.</summary>
    public SweepShard Shard { get; }

    /// <summary>How many trials the shard stored.</summary>
    public int Stored { get; }
}

/// <summary>What a shard run records in <see cref="SweepShard.RecordFile"/>: its shard and the trials it stored.</summary>
/// <param name="Index">The shard, 0-based.</param>
/// <param name="Count">How many shards.</param>
/// <param name="Trials">Trials in the whole sweep.</param>
/// <param name="Stored">The ids of this shard's trials, all in the run's trial store, in trial order.</param>
public sealed record ShardRecord(int Index, int Count, int Trials, IReadOnlyList<string> Stored)
{
    /// <summary>Reads the shard record of <paramref name="runDirectory"/>, or null when it has none (not a shard run, or one that did not finish).</summary>
    /// <exception cref="InvalidDataException">The file is not a shard record (names it).</exception>
    public static ShardRecord? Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, SweepShard.RecordFile);
        if (!File.Exists(path)) return null;
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<ShardRecord>(File.ReadAllText(path),
                new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase })
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{path} is not a shard record: {e.Message}", e); }
    }
}
