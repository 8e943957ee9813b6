namespace KpLab.Cluster.Tests;

/// <summary>
/// <c>kplab run --shard I/N</c> and <c>kplab merge</c> without a scheduler: the fixture sweep (TF-IDF, k-means, two
/// seeds, ARI on 8 questions) run as 3 shards and merged must write tables byte-identical to one local run's, with
/// every trial computed once (by its shard) and none by the merge; merges of incomplete or mismatched shards are
/// refused naming the missing indices or the difference.
/// </summary>
public sealed class ShardMergeTests : IDisposable
{
    private const int Shards = 3;
    private readonly string _work = Directory.CreateTempSubdirectory("kplab-merge-").FullName;
    private readonly string _script;
    private readonly LocalKplab _kplab;

    public ShardMergeTests()
    {
        _kplab = new LocalKplab(_work);
        _script = _kplab.Fixture("shard-demo.csx");
    }

    [Fact]
    public void Shards_merged_write_the_tables_of_one_run_byte_for_byte_and_mismatches_are_refused()
    {
        var local = Run("run", _script, "--runs", Path.Combine(_work, "local"), "--threads", "1");
        var localRun = Assert.Single(Directory.GetDirectories(Path.Combine(_work, "local", "shard-demo")));
        Assert.Contains("16 trials (16 computed, 0 from the trial store)", local);

        int stored = 0;
        var seen = new HashSet<string>();
        for (int i = 0; i < Shards; i++)
        {
            var output = Run("run", _script, "--shard", $"{i}/{Shards}", "--runs", Path.Combine(_work, "shards"), "--threads", "1");
            Assert.Contains($"shard {i}/{Shards}: ", output);
            Assert.Contains("tables are written by kplab merge", output);
            var run = Assert.Single(Directory.GetDirectories(Path.Combine(_work, "shards", "shard-demo")), r => seen.Add(r));
            Assert.False(File.Exists(Path.Combine(run, "scores.csv")), "a shard wrote the report's table");
            Assert.Contains($"\"shard\": \"{i}/{Shards}\"", File.ReadAllText(Path.Combine(run, "run.json")));
            stored += Directory.GetFiles(Path.Combine(run, "trials"), "*.json").Length;
        }
        Assert.Equal(16, stored); // each trial in exactly one shard (the merge below finds all 16)

        // Missing shard: refused, naming it.
        var shardRuns = Directory.GetDirectories(Path.Combine(_work, "shards", "shard-demo")).Order(StringComparer.Ordinal).ToArray();
        var partial = shardRuns.Where(r => !File.ReadAllText(Path.Combine(r, "run.json")).Contains($"\"shard\": \"1/{Shards}\"")).ToArray();
        var (exit, _, error) = Kplab(["merge", .. partial, "--runs", Path.Combine(_work, "merged")]);
        Assert.Equal(2, exit);
        Assert.Contains($"kplab merge: shard 1 of {Shards} missing", error);
        (exit, _, error) = Kplab(["merge", Path.Combine(_work, "shards", "shard-demo"), "--shards", "4", "--runs", Path.Combine(_work, "merged")]);
        Assert.Equal(2, exit);
        Assert.Contains($"--shards 4 given, but the shard runs split the sweep into {Shards}", error);

        // A shard of another seed: refused, naming the difference.
        Run("run", _script, "--shard", $"0/{Shards}", "--seed", "5", "--runs", Path.Combine(_work, "other"), "--threads", "1");
        (exit, _, error) = Kplab(["merge", .. shardRuns.Skip(1), Path.Combine(_work, "other", "shard-demo"), "--runs", Path.Combine(_work, "merged")]);
        Assert.Equal(2, exit);
        Assert.Contains("the shards come from different runs: their seeds differ", error);

        // The merge: a glob over the shard runs; tables byte-identical to the local run's; nothing computed.
        var merged = Run("merge", Path.Combine(_work, "shards", "shard-demo", "*"), "--shards", Shards.ToString(), "--runs", Path.Combine(_work, "merged"), "--threads", "1");
        Assert.Contains("16 trials (0 computed, 16 from the trial store)", merged);
        var mergedRun = Assert.Single(Directory.GetDirectories(Path.Combine(_work, "merged", "shard-demo")));
        foreach (var table in new[] { "results.csv", "scores.csv" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(localRun, table)), File.ReadAllBytes(Path.Combine(mergedRun, table)));
        Assert.Equal(17, File.ReadAllLines(Path.Combine(mergedRun, "scores.csv")).Length); // 8 questions x 2 seeds + header
        Assert.Contains("\"mergedFrom\"", File.ReadAllText(Path.Combine(mergedRun, "run.json")));
    }

    private string Run(params string[] args) => _kplab.Run(args);

    private (int Exit, string Output, string Error) Kplab(IReadOnlyList<string> args) => _kplab.Kplab(args);

    public void Dispose()
    {
        try { Directory.Delete(_work, recursive: true); }
        catch (IOException) { }
    }
}
