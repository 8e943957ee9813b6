using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KpLab.Scripting;

namespace KpLab.Cli;

/// <summary>
/// The two sbatch scripts of a <see cref="ClusterSubmission"/> on SLURM: a job array with one task per shard
/// (<c>--array=0-(N-1)%K</c>, logs <c>%A_%a</c>), and the merge job, submitted with <c>--dependency=afterok</c> on
/// the array so that it runs once every shard has succeeded.
/// </summary>
public static partial class SlurmJobScripts
{
    /// <summary>The array script's file name in the submission folder.</summary>
    public const string ArrayFile = "array.sbatch";

    /// <summary>The merge script's file name in the submission folder.</summary>
    public const string MergeFile = "merge.sbatch";

    /// <summary>The job-array script.</summary>
    /// <param name="submission">The submission.</param>
    /// <param name="kplab">How to start kplab on the nodes (e.g. the dotnet host and kplab.dll, full paths).</param>
    public static string Array(ClusterSubmission submission, IReadOnlyList<string> kplab)
    {
        var n = submission.Shards;
        var array = $"0-{n - 1}" + (submission.MaxParallel is { } k ? "%" + k.ToString(CultureInfo.InvariantCulture) : "");
        var text = Header(submission, submission.JobName, [$"--array={array}", $"--output={Path.Combine(submission.LogDirectory, "%A_%a.log")}"],
            cpusPerTask: true);
        text.Append("# One shard per array task: kplab run --shard auto reads SLURM_ARRAY_TASK_ID, and the shard count from\n");
        text.Append($"# {ShardAssignment.CountVariable} (not SLURM_ARRAY_TASK_COUNT: a resubmission of failed indices has fewer tasks).\n");
        text.Append($"export {ShardAssignment.CountVariable}={n}\n");
        // The threads follow the CPUs SLURM gave the task (1 unless --cpus-per-task), so shards on one node do not oversubscribe it.
        text.Append("exec ").Append(Command(kplab)).Append(' ')
            .Append(Command(submission.TaskArguments(ThreadsMarker, p => p)).Replace(Quote(ThreadsMarker), "\"${SLURM_CPUS_PER_TASK:-1}\""))
            .Append('\n');
        return text.ToString();
    }

    /// <summary>The merge job's script.</summary>
    /// <param name="submission">The submission.</param>
    /// <param name="kplab">How to start kplab on the nodes.</param>
    public static string Merge(ClusterSubmission submission, IReadOnlyList<string> kplab)
    {
        var text = Header(submission, submission.JobName + "-merge", [$"--output={Path.Combine(submission.LogDirectory, "merge-%j.log")}"],
            cpusPerTask: false);
        text.Append("# Runs after every array task succeeded (sbatch --dependency=afterok:<array job id>).\n");
        text.Append("exec ").Append(Command(kplab)).Append(' ').Append(Command(submission.MergeArguments(p => p))).Append('\n');
        return text.ToString();
    }

    /// <summary>Checks a value that goes into an <c>#SBATCH</c> line: no spaces, quotes or control characters.</summary>
    /// <returns>null when fine, else the problem.</returns>
    public static string? Problem(string option, string? value) =>
        value is null || SafeValue().IsMatch(value) ? null
            : $"{option} '{value}' may hold only letters, digits and . , : = + / @ % _ - (it goes into an #SBATCH line)";

    /// <summary>The job id in <c>sbatch --parsable</c>'s output (<c>id</c> or <c>id;cluster</c>), or null.</summary>
    public static long? ParseJobId(string output)
    {
        var first = output.Trim().Split('\n')[0].Split(';')[0].Trim();
        return long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
    }

    /// <summary>Single-quotes <paramref name="argument"/> for bash.</summary>
    public static string Quote(string argument) => "'" + argument.Replace("'", "'\\''") + "'";

    private const string ThreadsMarker = "@threads@";

    private static string Command(IEnumerable<string> args) => string.Join(' ', args.Select(Quote));

    private static StringBuilder Header(ClusterSubmission submission, string jobName, IEnumerable<string> options, bool cpusPerTask)
    {
        var r = submission.Resources;
        var lines = new List<string> { $"--job-name={jobName}", $"--chdir={submission.WorkingDirectory}" };
        lines.AddRange(options);
        if (r.Partition is not null) lines.Add($"--partition={r.Partition}");
        if (r.Time is not null) lines.Add($"--time={r.Time}");
        if (cpusPerTask && r.CpusPerTask is { } c) lines.Add($"--cpus-per-task={c}");
        if (r.Memory is not null) lines.Add($"--mem={r.Memory}");
        lines.Add("--export=ALL");
        var text = new StringBuilder("#!/bin/bash\n");
        foreach (var line in lines) text.Append("#SBATCH ").Append(line).Append('\n');
        text.Append($"# Written by kplab submit for {submission.ScriptPath}.\nset -euo pipefail\n");
        return text;
    }

    [GeneratedRegex(@"^[A-Za-z0-9.,:=+/@%_-]+$")]
    private static partial Regex SafeValue();
}
