using System.Text.Json;
using KpLab.Scripting;
using KpLab.Sweeps;

namespace KpLab.Cli;

/// <summary>
/// The shard runs <c>kplab merge</c> joins: found from folders (a shard run, or a folder holding shard runs) or globs,
/// checked to come from one sweep (same script and loaded files, arguments, seed, datasets, inputs and plugin versions)
/// and to cover every shard index 0..N-1.
/// </summary>
/// <param name="Folders">The shard run folders, by shard index.</param>
/// <param name="ScriptPath">The script they ran.</param>
/// <param name="Args">Its arguments.</param>
/// <param name="Seed">The run seed.</param>
/// <param name="ScriptSha256">The script's SHA-256 in the shards' records.</param>
internal sealed record ShardMerge(IReadOnlyList<string> Folders, string ScriptPath, IReadOnlyList<string> Args, int Seed, string ScriptSha256)
{
    // What every shard must share, as the run record names it: a difference means they did not run one sweep.
    private static readonly string[] Shared = ["script", "args", "seed", "datasets", "inputs", "plugins"];

    /// <summary>Finds and checks the shard runs of <paramref name="paths"/>; the refusal names the difference or the missing shards.</summary>
    /// <param name="paths">Shard run folders, folders holding them, or globs (<c>*</c>, <c>?</c> in the last part).</param>
    /// <param name="expectedCount">The shard count the caller expects (<c>--shards</c>), or null to take the shards' own.</param>
    public static (ShardMerge? Merge, string? Refusal) Open(IReadOnlyList<string> paths, int? expectedCount)
    {
        var runs = new List<string>();
        foreach (var path in paths)
        {
            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
            IEnumerable<string> matches = name.IndexOfAny(['*', '?']) >= 0
                ? Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(path))) ? Directory.GetDirectories(Path.GetDirectoryName(Path.GetFullPath(path))!, name) : []
                : Directory.Exists(path) ? [path] : [];
            var found = matches.SelectMany(m => File.Exists(Path.Combine(m, ScriptRunner.RecordFile))
                ? [m] : Directory.GetDirectories(m).Where(d => File.Exists(Path.Combine(d, ScriptRunner.RecordFile)))).ToArray();
            if (found.Length == 0) return (null, $"{path}: no run folder there (a shard run folder holds {ScriptRunner.RecordFile}).");
            runs.AddRange(found.Select(Path.GetFullPath));
        }
        runs = runs.Distinct().Order(StringComparer.Ordinal).ToList();

        var shards = new List<(string Folder, ShardRecord Shard, JsonElement Record)>();
        foreach (var run in runs)
        {
            var shard = ShardRecord.Read(run);
            using var document = RunRecord.Read(Path.Combine(run, ScriptRunner.RecordFile));
            var record = document.RootElement.Clone();
            // A failed or killed attempt of a shard (resubmitted since) has no shard record: its successor is merged.
            if (shard is null || !record.TryGetProperty("status", out var status) || status.GetString() != RunStatus.Succeeded) continue;
            shards.Add((run, shard, record));
        }
        if (shards.Count == 0) return (null, $"no finished shard run (a run of kplab run --shard with a {SweepShard.RecordFile}) in {string.Join(", ", paths)}.");

        var first = shards[0];
        foreach (var other in shards.Skip(1))
        {
            if (other.Shard.Count != first.Shard.Count)
                return (null, $"the shards split the sweep differently: {first.Folder} is shard {first.Shard.Index}/{first.Shard.Count}, {other.Folder} is shard {other.Shard.Index}/{other.Shard.Count}.");
            foreach (var field in Shared)
            {
                var (a, b) = (Text(first.Record, field), Text(other.Record, field));
                if (a != b) return (null, $"the shards come from different runs: their {Describe(field)} differ ({first.Folder}: {Brief(a)}; {other.Folder}: {Brief(b)}).");
            }
        }
        int count = first.Shard.Count;
        if (expectedCount is { } n && n != count) return (null, $"--shards {n} given, but the shard runs split the sweep into {count}.");
        var byIndex = shards.GroupBy(s => s.Shard.Index).ToDictionary(g => g.Key, g => g.Last().Folder);
        var missing = Enumerable.Range(0, count).Where(i => !byIndex.ContainsKey(i)).ToArray();
        if (missing.Length > 0)
            return (null, $"shard{(missing.Length == 1 ? "" : "s")} {string.Join(", ", missing)} of {count} missing (no finished shard run with that index); rerun {(missing.Length == 1 ? "it" : "them")} (SLURM: sbatch --array={string.Join(",", missing)} <array script>).");
        var script = first.Record.GetProperty("script");
        return (new ShardMerge(Enumerable.Range(0, count).Select(i => byIndex[i]).ToArray(), script.GetProperty("path").GetString()!,
            first.Record.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray(), first.Record.GetProperty("seed").GetInt32(),
            script.GetProperty("sha256").GetString()!), null);
    }

    private static string Text(JsonElement record, string field)
    {
        if (!record.TryGetProperty(field, out var value)) return "none";
        if (field == "script")
            // The script and its #load files, not when or how it was compiled.
            return JsonSerializer.Serialize(new { path = value.GetProperty("path").GetString(), sha256 = value.GetProperty("sha256").GetString(),
                files = value.TryGetProperty("files", out var files) ? files.GetRawText() : "" });
        if (field == "plugins" && value.ValueKind == JsonValueKind.Array)
            // Which plugins at which version and assembly; not how many instances each shard made.
            return string.Join("; ", value.EnumerateArray().Select(p => $"{Get(p, "kind")} {Get(p, "name")} {Get(p, "version")} {Get(p, "assemblySha256")}").Distinct().Order(StringComparer.Ordinal));
        return value.GetRawText();
    }

    private static string? Get(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ToString() : null;

    private static string Describe(string field) => field switch
    {
        "script" => "scripts (path or SHA-256 of the script or a #load file)",
        "args" => "script arguments",
        "seed" => "seeds",
        "datasets" => "datasets (names or content hashes)",
        "inputs" => "input files",
        _ => "plugin versions",
    };

    private static string Brief(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
