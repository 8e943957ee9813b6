using System.Text.RegularExpressions;
using KpLab.Scripting.Tests;

namespace KpLab.Cluster.Tests;

/// <summary>
/// <c>kplab submit --slurm</c> against a real single-node SLURM: a 4-shard job array of a small script with two sweeps
/// (the flagship's shape; each task runs <c>--shard auto</c>), at most 2 tasks at a time, and the <c>kplab merge</c> job
/// that depends on it (afterok); waited for by polling squeue and scontrol (no sacct without slurmdbd). The shards store
/// disjoint trials covering both sweeps and write no tables; the merged run's tables and report equal an unsharded
/// local run's byte for byte.
/// </summary>
public sealed partial class SlurmTests(SingleNodeSlurm slurm) : IClassFixture<SingleNodeSlurm>, IDisposable
{
    private const int Shards = 4;
    private readonly string _work = Directory.CreateTempSubdirectory("kplab-slurm-work-").FullName;

    [Fact]
    public void A_job_array_of_shards_and_its_dependent_merge_job_run_on_slurm()
    {
        var script = Path.Combine(_work, "two-sweeps.csx");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "two-sweeps.csx"), script);
        var environment = new Dictionary<string, string>
        {
            ["KPLAB_CACHE"] = Path.Combine(_work, "kplab-cache"), // shared by the local run and every array task
            ["KPLAB_DATA"] = Path.Combine(KplabProcess.Repo, "experiments", "data"),
        };

        // The reference: the whole experiment in one local run.
        var (localExit, _, localError) = Kplab(["run", script, "--runs", Path.Combine(_work, "local"), "--threads", "1"], environment);
        Assert.True(localExit == 0, localError);
        var localRun = Assert.Single(Directory.GetDirectories(Path.Combine(_work, "local", "two-sweeps")));
        Assert.Equal(13, File.ReadAllLines(Path.Combine(localRun, "scores.csv")).Length); // 6 questions x 2 seeds + header
        Assert.Equal(19, File.ReadAllLines(Path.Combine(localRun, "k-sweep.csv")).Length); // 6 questions x k = 2, 3, 4 + header

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

        // Each shard run stored its own trials of both sweeps (disjoint, together both sweeps: 12 + 18) and wrote no
        // table after a sweep.
        var shardRuns = Directory.GetDirectories(Path.Combine(submission, "shards", "two-sweeps"));
        Assert.Equal(Shards, shardRuns.Length);
        var trialFiles = shardRuns.SelectMany(r => Directory.GetFiles(Path.Combine(r, "trials"), "*.json").Select(Path.GetFileName)).ToArray();
        Assert.Equal(30, trialFiles.Length);
        Assert.Equal(30, trialFiles.Distinct().Count());
        foreach (var run in shardRuns)
        {
            Assert.Contains("\"sweeps\": [", File.ReadAllText(Path.Combine(run, "shard.json")));
            Assert.True(File.Exists(Path.Combine(run, "trials-2.csv")), $"shard run {run} did not reach the second sweep");
            foreach (var written in new[] { "scores.csv", "k-sweep.csv", "report.html" })
                Assert.False(File.Exists(Path.Combine(run, written)), $"shard run {run} wrote {written}");
            Assert.Contains("\"status\": \"succeeded\"", File.ReadAllText(Path.Combine(run, "run.json")));
        }
        Assert.Equal(Enumerable.Range(0, Shards).Select(i => $"\"shard\": \"{i}/{Shards}\""),
            shardRuns.Select(r => File.ReadAllLines(Path.Combine(r, "run.json")).Single(l => l.Contains("\"shard\":")).Trim().TrimEnd(',')).Order(StringComparer.Ordinal));

        // The merge job started only after every shard succeeded (afterok), computed nothing, and wrote the tables once,
        // byte-identical to the local run's.
        Assert.True(merge.State == "COMPLETED", $"merge job {mergeId}: {merge.State}\n{Logs()}");
        Assert.True(merge.Start >= tasks.Values.Max(t => t.End), $"merge started {merge.Start}, before the last shard ended {tasks.Values.Max(t => t.End)}");
        var mergeLog = File.ReadAllText(Path.Combine(submission, "logs", $"merge-{mergeId}.log"));
        Assert.Contains("12 trials (0 computed, 12 from the trial store)", mergeLog);
        Assert.Contains("18 trials (0 computed, 18 from the trial store)", mergeLog);
        var merged = Assert.Single(Directory.GetDirectories(Path.Combine(_work, "runs", "two-sweeps")));
        foreach (var table in new[] { "results.csv", "scores.csv", "k-sweep.csv", "report.html" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(localRun, table)), File.ReadAllBytes(Path.Combine(merged, table)));
        // The real values: k-means on TF-IDF agrees with the experts above chance on these questions (column ari).
        var scores = File.ReadAllLines(Path.Combine(merged, "scores.csv"));
        int ari = Array.IndexOf(scores[0].Split(','), "ari");
        Assert.All(scores[1..], r => Assert.InRange(double.Parse(r.Split(',')[ari], System.Globalization.CultureInfo.InvariantCulture), -1.0, 1.0));
        Assert.Contains(scores[1..], r => double.Parse(r.Split(',')[ari], System.Globalization.CultureInfo.InvariantCulture) > 0.05);
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

    private sealed record JobRecord(string State, int? ArrayTask, DateTime Start, DateTime End);

    [GeneratedRegex(@"(\w+)=(\S*)")]
    private static partial Regex Field();

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }
}
