using System.Text.RegularExpressions;
using KpLab.Scripting.Tests;

namespace KpLab.Cluster.Tests;

/// <summary>
/// <c>kplab submit --slurm</c> against a real single-node SLURM: a 4-shard job array of a small experiment, at most 2
/// tasks at a time, and the merge job that depends on it; waited for by polling squeue and scontrol (no sacct without
/// slurmdbd). Each shard's table must hold exactly its share of an unsharded local run's rows, value for value.
/// </summary>
public sealed partial class SlurmTests(SingleNodeSlurm slurm) : IClassFixture<SingleNodeSlurm>, IDisposable
{
    private const int Shards = 4;
    private readonly string _work = Directory.CreateTempSubdirectory("kplab-slurm-work-").FullName;

    [Fact]
    public void A_job_array_of_shards_and_its_dependent_merge_job_run_on_slurm()
    {
        var script = Path.Combine(_work, "shard-demo.csx");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "shard-demo.csx"), script);
        var environment = new Dictionary<string, string>
        {
            ["KPLAB_CACHE"] = Path.Combine(_work, "kplab-cache"), // shared by the local run and every array task
            ["KPLAB_DATA"] = Path.Combine(KplabProcess.Repo, "experiments", "data"),
        };

        // The reference: the whole experiment in one local run.
        var (localExit, _, localError) = Kplab(["run", script, "--runs", Path.Combine(_work, "local"), "--threads", "1"], environment);
        Assert.True(localExit == 0, localError);
        var local = ReadTable(Assert.Single(Directory.GetDirectories(Path.Combine(_work, "local", "shard-demo"))));
        Assert.Equal(8, local.Rows.Count);

        var (exit, output, error) = Kplab(["submit", script, "--slurm", "--shards", Shards.ToString(), "--max-parallel", "2",
            "--runs", Path.Combine(_work, "runs"), "--submissions", Path.Combine(_work, "submissions")], environment);
        Assert.True(exit == 0, $"kplab submit exited {exit}: {error}{output}");
        var arrayId = JobId(output, "submitted job array ");
        var mergeId = JobId(output, "submitted merge job ");
        var submission = Assert.Single(Directory.GetDirectories(Path.Combine(_work, "submissions")));
        Assert.Contains($"#SBATCH --array=0-{Shards - 1}%2", File.ReadAllLines(Path.Combine(submission, "array.sbatch")));

        var (tasks, merge) = WaitForJobs(arrayId, mergeId, TimeSpan.FromMinutes(10));
        string Logs() => string.Join("\n", Directory.GetFiles(Path.Combine(submission, "logs")).Order()
            .Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"));
        Assert.True(tasks.Count == Shards && tasks.All(t => t.Value.State == "COMPLETED"),
            $"array tasks: {string.Join(", ", tasks.Select(t => $"{t.Key}={t.Value.State}"))}\n{Logs()}");
        Assert.Equal(Enumerable.Range(0, Shards), tasks.Keys.Order());
        for (int i = 0; i < Shards; i++)
            Assert.True(File.Exists(Path.Combine(submission, "logs", $"{arrayId}_{i}.log")), $"no log for task {i}");

        // Each shard run holds exactly the rows of the questions it owns (position mod 4), equal to the local run's.
        var shardRuns = Directory.GetDirectories(Path.Combine(submission, "shards", "shard-demo"));
        Assert.Equal(Shards, shardRuns.Length);
        var byShard = shardRuns.Select(ReadTable).ToDictionary(t => int.Parse(t.Rows[0][0]) % Shards);
        Assert.Equal(Enumerable.Range(0, Shards), byShard.Keys.Order());
        foreach (var (index, table) in byShard)
        {
            Assert.Equal(local.Header, table.Header);
            Assert.Equal(local.Rows.Where(r => int.Parse(r[0]) % Shards == index).Select(r => string.Join(",", r)),
                table.Rows.Select(r => string.Join(",", r)));
            Assert.Contains("\"status\": \"succeeded\"", File.ReadAllText(Path.Combine(table.Folder, "run.json")));
        }
        // The real values: k-means on TF-IDF agrees with the experts above chance on these questions.
        Assert.All(local.Rows, r => Assert.InRange(double.Parse(r[4]), -1.0, 1.0));
        Assert.Contains(local.Rows, r => double.Parse(r[4]) > 0.05);

        // The merge job started only after every shard succeeded (afterok). Until the sweep engine lands, kplab merge
        // refuses with a clear message; then this becomes: merge COMPLETED and the merged scores.csv equals local's.
        Assert.True(merge.State is "COMPLETED" or "FAILED", $"merge job {mergeId}: {merge.State}\n{Logs()}");
        Assert.True(merge.Start >= tasks.Values.Max(t => t.End), $"merge started {merge.Start}, before the last shard ended {tasks.Values.Max(t => t.End)}");
        var mergeLog = File.ReadAllText(Path.Combine(submission, "logs", $"merge-{mergeId}.log"));
        Assert.Contains("kplab merge: merging shard runs needs the sweep engine", mergeLog);
        Assert.Equal("FAILED", merge.State);
    }

    private (int Exit, string Output, string Error) Kplab(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = KplabProcess.StartInfo(args);
        return slurm.Run(start.FileName, [.. start.ArgumentList], TimeSpan.FromMinutes(5), environment);
    }

    private static long JobId(string output, string prefix)
    {
        var match = Regex.Match(output, Regex.Escape(prefix) + "([0-9]+)");
        Assert.True(match.Success, $"no '{prefix}<id>' in: {output}");
        return long.Parse(match.Groups[1].Value);
    }

    /// <summary>Polls squeue until neither job is queued or running, then reads their records from scontrol.</summary>
    private (Dictionary<int, JobRecord> Tasks, JobRecord Merge) WaitForJobs(long arrayId, long mergeId, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            var (exit, queued, error) = slurm.Run("squeue", ["-h", "-o", "%i %T %r", "-j", $"{arrayId},{mergeId}"]);
            Assert.True(exit == 0, $"squeue failed: {error}");
            var lines = queued.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            // A merge job whose dependency can never be met (a shard failed) waits forever: stop and report.
            if (lines.Length == 0 || lines.All(l => l.Contains("DependencyNeverSatisfied"))) break;
            Assert.True(DateTime.UtcNow < until, $"jobs still queued after {limit}: {queued}");
            Thread.Sleep(1000);
        }
        var tasks = Records(arrayId).Where(r => r.ArrayTask is not null).ToDictionary(r => r.ArrayTask!.Value);
        return (tasks, Assert.Single(Records(mergeId)));
    }

    private IEnumerable<JobRecord> Records(long jobId)
    {
        var (exit, output, error) = slurm.Run("scontrol", ["show", "job", jobId.ToString(), "--oneliner"]);
        Assert.True(exit == 0, $"scontrol show job {jobId} failed: {error}");
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = Field().Matches(line).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            int? task = fields.TryGetValue("ArrayTaskId", out var t) && int.TryParse(t, out var n) ? n : null;
            yield return new JobRecord(fields["JobState"], task, DateTime.Parse(fields["StartTime"]), DateTime.Parse(fields["EndTime"]));
        }
    }

    private static (string Folder, string[] Header, List<string[]> Rows) ReadTable(string runFolder)
    {
        var lines = File.ReadAllLines(Path.Combine(runFolder, "scores.csv"));
        return (runFolder, lines[0].Split(','), lines[1..].Select(l => l.Split(',')).ToList());
    }

    private sealed record JobRecord(string State, int? ArrayTask, DateTime Start, DateTime End);

    [GeneratedRegex(@"(\w+)=(\S*)")]
    private static partial Regex Field();

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }
}
