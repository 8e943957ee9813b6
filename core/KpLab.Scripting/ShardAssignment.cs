using System.Globalization;

namespace KpLab.Scripting;

/// <summary>
/// Which share of a run's work this process does: shard <see cref="Index"/> of <see cref="Count"/>
/// (<c>kplab run x.csx --shard I/N</c>, or <c>--shard auto</c> on a SLURM job array or a Kubernetes Indexed Job).
/// </summary>
/// <param name="Index">This shard, 0-based.</param>
/// <param name="Count">How many shards the work is split into.</param>
/// <param name="Source">Where the assignment came from, for messages: "--shard", "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX".</param>
public sealed record ShardAssignment(int Index, int Count, string Source)
{
    /// <summary>The variable that gives the shard count to <c>--shard auto</c> (<c>kplab submit</c> sets it).</summary>
    public const string CountVariable = "KPLAB_SHARD_COUNT";

    /// <summary>Whether the item at <paramref name="position"/> of a deterministic list is this shard's (round robin).</summary>
    public bool Owns(int position) => position >= 0 && position % Count == Index;

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";

    /// <summary>
    /// Parses <c>I/N</c>, <c>auto</c> or <c>auto/N</c>. <c>auto</c> takes the index from <c>SLURM_ARRAY_TASK_ID</c> or
    /// <c>JOB_COMPLETION_INDEX</c> and the count from <c>/N</c>, else <see cref="CountVariable"/>, else (SLURM only)
    /// <c>SLURM_ARRAY_TASK_COUNT</c> when the array is the whole range 0..N-1.
    /// </summary>
    /// <param name="spec">The option's value.</param>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    /// <exception cref="FormatException">The value is malformed or the environment does not define a shard; the message says which.</exception>
    public static ShardAssignment Parse(string spec, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(environment);
        var parts = spec.Split('/');
        if (parts.Length > 2 || parts[0].Length == 0)
            throw new FormatException($"expected I/N (e.g. 0/4), auto or auto/N, got '{spec}'");
        int? count = parts.Length == 2 ? Number(parts[1], "the shard count N", spec) : null;

        if (parts[0] != "auto")
        {
            if (count is null) throw new FormatException($"expected I/N (e.g. 0/4), auto or auto/N, got '{spec}'");
            return Checked(Number(parts[0], "the shard index I", spec), count.Value, "--shard");
        }

        count ??= environment(CountVariable) is { Length: > 0 } fromVariable ? Number(fromVariable, CountVariable, fromVariable) : null;
        if (environment("SLURM_ARRAY_TASK_ID") is { Length: > 0 } slurmTask)
        {
            int index = Number(slurmTask, "SLURM_ARRAY_TASK_ID", slurmTask);
            if (count is null)
            {
                // The array's own size is the shard count only when it covers 0..N-1: a resubmission of some indices
                // (--array=3,7) has fewer tasks than shards, and kplab submit sets KPLAB_SHARD_COUNT for that reason.
                var (tasks, min, max) = (environment("SLURM_ARRAY_TASK_COUNT"), environment("SLURM_ARRAY_TASK_MIN"), environment("SLURM_ARRAY_TASK_MAX"));
                if (tasks is null || min != "0" || max is null || Number(max, "SLURM_ARRAY_TASK_MAX", max) + 1 != Number(tasks, "SLURM_ARRAY_TASK_COUNT", tasks))
                    throw new FormatException($"--shard auto: this SLURM array is not the range 0..N-1, so its size is not the shard count; set {CountVariable} or pass --shard auto/N");
                count = Number(tasks, "SLURM_ARRAY_TASK_COUNT", tasks);
            }
            return Checked(index, count.Value, "SLURM_ARRAY_TASK_ID");
        }
        if (environment("JOB_COMPLETION_INDEX") is { Length: > 0 } completionIndex)
        {
            if (count is null)
                throw new FormatException($"--shard auto: JOB_COMPLETION_INDEX is set but not the shard count; set {CountVariable} (the Job's completions) or pass --shard auto/N");
            return Checked(Number(completionIndex, "JOB_COMPLETION_INDEX", completionIndex), count.Value, "JOB_COMPLETION_INDEX");
        }
        throw new FormatException("--shard auto: neither SLURM_ARRAY_TASK_ID (a SLURM job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give the shard as I/N");
    }

    private static ShardAssignment Checked(int index, int count, string source)
    {
        if (count < 1) throw new FormatException($"the shard count must be at least 1, got {count}");
        if (index >= count) throw new FormatException($"shard index {index} ({source}) is not below the shard count {count}");
        return new ShardAssignment(index, count, source);
    }

    private static int Number(string text, string what, string spec) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"{what} must be a non-negative integer, got '{spec}'");
}
