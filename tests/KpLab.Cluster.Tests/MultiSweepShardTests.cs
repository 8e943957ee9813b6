using System.Text.Json;

namespace KpLab.Cluster.Tests;

/// <summary>
/// Shard runs of a script with two sweeps (<c>Fixtures/two-sweeps.csx</c>, the flagship's shape: a k-means sweep, then
/// a k grid, then tables and a report that need complete results): every shard runs its share of both sweeps and
/// writes none of the outputs after them; the merge of 2 or 3 shards writes every table and the report byte for byte
/// as one local run does. A second sweep declared from the first's results is completed by the merge, which says how
/// many trials and why; a shard whose script stops between the sweeps fails, and the merge names it missing.
/// </summary>
public sealed class MultiSweepShardTests : IDisposable
{
    private const int FirstSweep = 12;  // 6 questions x 2 seeds
    private const int SecondSweep = 18; // 6 questions x k = 2, 3, 4
    private static readonly string[] Outputs = ["questions.csv", "results.csv", "scores.csv", "k-sweep.csv", "report.html"];
    private readonly string _work = Directory.CreateTempSubdirectory("kplab-multisweep-").FullName;
    private readonly string _script;
    private readonly LocalKplab _kplab;

    public MultiSweepShardTests()
    {
        _kplab = new LocalKplab(_work);
        _script = _kplab.Fixture("two-sweeps.csx");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_shard_runs_its_share_of_both_sweeps_and_the_merge_writes_the_tables_and_report_of_one_run(int shards)
    {
        var localRun = Local("local");
        foreach (var output in Outputs) Assert.True(File.Exists(Path.Combine(localRun, output)), output);

        var runs = new List<string>();
        for (int i = 0; i < shards; i++)
        {
            var output = _kplab.Run("run", _script, "--shard", $"{i}/{shards}", "--runs", Path.Combine(_work, "shards"), "--threads", "1");
            var run = Assert.Single(Directory.GetDirectories(Path.Combine(_work, "shards", "two-sweeps")), r => !runs.Contains(r));
            runs.Add(run);
            Assert.Contains($"shard {i}/{shards}: ", output);
            Assert.Contains("tables are written by kplab merge", output);
            // The table written before any sweep is the same in every shard; everything after a sweep is the merge's.
            Assert.Equal(File.ReadAllBytes(Path.Combine(localRun, "questions.csv")), File.ReadAllBytes(Path.Combine(run, "questions.csv")));
            foreach (var written in Outputs.Skip(1))
                Assert.False(File.Exists(Path.Combine(run, written)), $"shard {i} wrote {written}");
            Assert.True(File.Exists(Path.Combine(run, "trials-2.csv")), "the second sweep's trial list");
        }

        var records = runs.Select(Record).ToArray();
        Assert.All(records, r => Assert.Equal(2, r.GetProperty("sweeps").GetArrayLength()));
        var firstStored = records.SelectMany(r => Stored(r, 0)).ToArray();
        var secondStored = records.SelectMany(r => Stored(r, 1)).ToArray();
        Assert.Equal(FirstSweep, firstStored.Length);
        Assert.Equal(FirstSweep, firstStored.Distinct().Count());
        Assert.Equal(SecondSweep, secondStored.Length);
        Assert.Equal(SecondSweep, secondStored.Distinct().Count());
        Assert.All(records, r => Assert.NotEmpty(Stored(r, 1))); // every shard has a share of the second sweep
        Assert.Equal(FirstSweep + SecondSweep, runs.Sum(r => Directory.GetFiles(Path.Combine(r, "trials"), "*.json").Length));

        // The report reads one trial's partition: the shard that holds it skipped the report; the others stopped at
        // that line, after their last sweep, which is not a failure (their trials are all stored).
        var holder = Assert.Single(records, r => !r.TryGetProperty("stopped", out _));
        Assert.Contains("Lab.Save('report.html')", holder.GetProperty("skippedOutputs").EnumerateArray().Select(o => o.GetString()));
        foreach (var stopped in records.Where(r => r.TryGetProperty("stopped", out _)))
            Assert.Matches(@"^stopped after sweep 2 of the script: InvalidOperationException: Sequence contains no matching element \(.*two-sweeps\.csx:\d+\)$",
                stopped.GetProperty("stopped").GetString());

        var merged = _kplab.Run("merge", Path.Combine(_work, "shards", "two-sweeps"), "--shards", shards.ToString(), "--runs", Path.Combine(_work, "merged"), "--threads", "1");
        Assert.Contains($"sweep: {FirstSweep} trials (0 computed, {FirstSweep} from the trial store)", merged);
        Assert.Contains($"sweep: {SecondSweep} trials (0 computed, {SecondSweep} from the trial store)", merged);
        var mergedRun = Assert.Single(Directory.GetDirectories(Path.Combine(_work, "merged", "two-sweeps")));
        foreach (var output in Outputs)
            Assert.Equal(File.ReadAllBytes(Path.Combine(localRun, output)), File.ReadAllBytes(Path.Combine(mergedRun, output)));
        Assert.Equal(SecondSweep + 1, File.ReadAllLines(Path.Combine(mergedRun, "k-sweep.csv")).Length);
        Assert.Equal(FirstSweep + 1, File.ReadAllLines(Path.Combine(mergedRun, "scores.csv")).Length);
    }

    [Fact]
    public void A_second_sweep_declared_from_the_first_sweeps_results_is_completed_by_the_merge_which_says_so()
    {
        var localRun = Local("local", "--", "--dependent");
        int planned = File.ReadAllLines(Path.Combine(localRun, "trials-2.csv")).Length - 1;
        for (int i = 0; i < 2; i++)
            _kplab.Run("run", _script, "--shard", $"{i}/2", "--runs", Path.Combine(_work, "shards"), "--threads", "1", "--", "--dependent");
        var stored = Directory.GetDirectories(Path.Combine(_work, "shards", "two-sweeps")).Select(Record).SelectMany(r => Stored(r, 1)).ToHashSet();
        var localIds = File.ReadAllLines(Path.Combine(localRun, "trials-2.csv")).Skip(1).Select(l => l.Split(',')[1]).ToArray();
        int absent = localIds.Count(id => !stored.Contains(id));
        Assert.InRange(absent, 1, planned); // the shards chose their questions from their share of the first sweep

        var merged = _kplab.Run("merge", Path.Combine(_work, "shards", "two-sweeps", "*"), "--runs", Path.Combine(_work, "merged"), "--threads", "1");
        Assert.Contains($"merge: {absent} of {planned} trials of this sweep are in no shard's trial store, since no shard ran this sweep's trial list: " +
            "its trial list came out differently in the shards (the sweep's declaration depends on an earlier sweep's results, which each shard " +
            "holds only in part). Computing them here.", merged);
        Assert.Contains($"sweep: {planned} trials ({absent} computed, {planned - absent} from the trial store)", merged);
        var mergedRun = Assert.Single(Directory.GetDirectories(Path.Combine(_work, "merged", "two-sweeps")));
        foreach (var output in Outputs)
            Assert.Equal(File.ReadAllBytes(Path.Combine(localRun, output)), File.ReadAllBytes(Path.Combine(mergedRun, output)));
    }

    [Fact]
    public void A_shard_whose_script_stops_before_its_second_sweep_fails_and_the_merge_names_it_missing()
    {
        var exits = new List<(int Exit, string Error)>();
        for (int i = 0; i < 2; i++)
        {
            var (exit, _, error) = _kplab.Kplab(["run", _script, "--shard", $"{i}/2", "--runs", Path.Combine(_work, "shards"), "--threads", "1", "--", "--needs-all-between"]);
            exits.Add((exit, error));
        }
        // Exactly one shard holds the partition read between the sweeps: it ran both; the other stopped before its second.
        var (failedExit, failedError) = Assert.Single(exits, e => e.Exit != 0);
        Assert.Equal(1, failedExit);
        int failed = exits.FindIndex(e => e.Exit != 0);
        Assert.Contains($"kplab: shard {failed}/2: the script stopped after sweep 1 of the script: InvalidOperationException: Sequence contains no matching element", failedError);
        Assert.Contains("a sweep may come after that line, so its trials were not run by this shard", failedError);
        var run = Directory.GetDirectories(Path.Combine(_work, "shards", "two-sweeps")).Single(r => File.ReadAllText(Path.Combine(r, "run.json")).Contains("\"status\": \"failed\""));
        Assert.Equal(1, Record(run).GetProperty("sweeps").GetArrayLength());

        var (mergeExit, _, mergeError) = _kplab.Kplab(["merge", Path.Combine(_work, "shards", "two-sweeps"), "--runs", Path.Combine(_work, "merged")]);
        Assert.Equal(2, mergeExit);
        Assert.Contains($"kplab merge: shard {failed} of 2 missing", mergeError);
    }

    private string Local(string runs, params string[] args)
    {
        _kplab.Run(["run", _script, "--runs", Path.Combine(_work, runs), "--threads", "1", .. args]);
        return Assert.Single(Directory.GetDirectories(Path.Combine(_work, runs, "two-sweeps")));
    }

    private static JsonElement Record(string run) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "shard.json"))).RootElement.Clone();

    private static IEnumerable<string> Stored(JsonElement record, int sweep) =>
        record.GetProperty("sweeps")[sweep].GetProperty("stored").EnumerateArray().Select(e => e.GetString()!);

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }
}
