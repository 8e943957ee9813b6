using System.Globalization;
using System.Text.RegularExpressions;
using KpLab.Scripting;

namespace KpLab.Cli;

/// <summary>
/// One <c>kplab submit</c>: a script's sweep split into <see cref="Shards"/> shards that a cluster's scheduler runs as
/// array tasks (SLURM) or indexes of an Indexed Job (Kubernetes), then one merge job that writes the single run.
/// Holds what both schedulers' files are written from, so the task and merge command lines live in one place.
/// </summary>
/// <param name="ScriptPath">The script, full path.</param>
/// <param name="ScriptArgs">Arguments for the script (after <c>--</c>), the same in every shard.</param>
/// <param name="Shards">How many shards (array tasks).</param>
/// <param name="MaxParallel">At most this many shards at once, or null for the scheduler's choice.</param>
/// <param name="Seed">The run seed, the same in every shard.</param>
/// <param name="Folder">Where the job scripts, logs and shard runs go, full path.</param>
/// <param name="RunsDirectory">Where the merged run is written (its <c>--runs</c>), full path.</param>
/// <param name="WorkingDirectory">The folder the jobs start in (relative script arguments resolve there), full path.</param>
/// <param name="Resources">What each shard asks the scheduler for.</param>
public sealed partial record ClusterSubmission(
    string ScriptPath, IReadOnlyList<string> ScriptArgs, int Shards, int? MaxParallel, int Seed, string Folder,
    string RunsDirectory, string WorkingDirectory, ShardResources Resources)
{
    /// <summary>The script's name without extension (run folders and job names use it).</summary>
    public string ScriptName => Path.GetFileNameWithoutExtension(ScriptPath);

    /// <summary>The folder the shard runs are written under (each shard's <c>--runs</c>).</summary>
    public string ShardRunsDirectory => Path.Combine(Folder, "shards");

    /// <summary>The folder of the schedulers' logs.</summary>
    public string LogDirectory => Path.Combine(Folder, "logs");

    /// <summary>
    /// The <c>kplab</c> arguments one shard runs: the script with <c>--shard auto</c>, which reads the index the
    /// scheduler gives the task and the count from <see cref="ShardAssignment.CountVariable"/>.
    /// </summary>
    /// <param name="threads">The <c>--threads</c> value (a shell expansion for SLURM).</param>
    /// <param name="path">Maps a full path to how the job sees it.</param>
    public IReadOnlyList<string> TaskArguments(string threads, Func<string, string> path)
    {
        var args = new List<string>
        {
            "run", path(ScriptPath), "--shard", "auto", "--runs", path(ShardRunsDirectory),
            "--seed", Seed.ToString(CultureInfo.InvariantCulture), "--threads", threads,
        };
        if (ScriptArgs.Count > 0) { args.Add("--"); args.AddRange(ScriptArgs); }
        return args;
    }

    /// <summary>The <c>kplab</c> arguments of the merge job: every shard run into one run under <see cref="RunsDirectory"/>.</summary>
    /// <param name="path">Maps a full path to how the job sees it.</param>
    public IReadOnlyList<string> MergeArguments(Func<string, string> path) =>
        ["merge", path(Path.Combine(ShardRunsDirectory, ScriptName)), "--shards", Shards.ToString(CultureInfo.InvariantCulture), "--runs", path(RunsDirectory)];

    /// <summary>A name for the jobs: <c>kplab-&lt;script&gt;</c> as a DNS label (lowercase letters, digits, '-').</summary>
    public string JobName
    {
        get
        {
            var name = "kplab-" + NotLabel().Replace(ScriptName.ToLowerInvariant(), "-").Trim('-');
            return name.Length <= 40 ? name : name[..40].TrimEnd('-');
        }
    }

    /// <summary>A new submission folder <c>&lt;parent&gt;/&lt;script&gt;-&lt;yyyyMMdd-HHmmss&gt;</c>, never an existing one.</summary>
    public static string NewFolder(string parent, string scriptPath)
    {
        var stem = Path.Combine(Path.GetFullPath(parent), Path.GetFileNameWithoutExtension(scriptPath) + "-" +
                                DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var folder = stem;
        for (int i = 2; Directory.Exists(folder); i++) folder = $"{stem}-{i}";
        return folder;
    }

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotLabel();
}

/// <summary>What each shard asks the scheduler for; null: the scheduler's default.</summary>
/// <param name="Partition">SLURM partition (<c>--partition</c>).</param>
/// <param name="Time">Time limit (<c>--time</c>, SLURM's format, e.g. <c>2:00:00</c>).</param>
/// <param name="CpusPerTask">CPUs per shard (<c>--cpus-per-task</c>); kplab runs with that many threads.</param>
/// <param name="Memory">Memory per shard (<c>--mem</c>, e.g. <c>8G</c>).</param>
public sealed record ShardResources(string? Partition, string? Time, int? CpusPerTask, string? Memory);
