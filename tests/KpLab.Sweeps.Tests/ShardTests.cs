using KpLab.Data;

namespace KpLab.Sweeps.Tests;

public sealed class ShardTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kplab-shards-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    // Units of 12, 6 and 3 rows: costs differ, so the balance is not that of a round robin.
    private static IReadOnlyList<Dataset> Units() =>
    [
        FakeSweepHost.Unit("big", Enumerable.Range(0, 12).Select(i => ($"text {i} {new string('x', i)}", "abc"[i % 3].ToString())).ToArray()),
        FakeSweepHost.Unit("mid", Enumerable.Range(0, 6).Select(i => ($"mid {i}{new string('y', i)}", "ab"[i % 2].ToString())).ToArray()),
        FakeSweepHost.Unit("small", ("one", "a"), ("two", "b"), ("three", "a")),
    ];

    private static Sweep Declare(FakeSweepHost host) => new Sweep(host, Units())
        .Embedders("chars")
        .Clusterer("mod", u => new { k = u.LabelNames.Count })
        .Clusterers("mod", _ => [new { k = 2 }, new { k = 3 }], label: "mod-grid")
        .Seeds(1, 2, 3)
        .Metrics("agreement")
        .UnitMetrics("spread");

    [Fact]
    public void Partition_is_complete_deterministic_and_balanced_by_rows()
    {
        var trials = Declare(new FakeSweepHost(Folder("a"))).Trials();
        Assert.Equal(30, trials.Count); // 3 units x (1 unit-metrics trial + 3 configurations x 3 seeds)
        var plan = ShardPlan.Assign(trials, 4);
        Assert.Equal(plan, ShardPlan.Assign(Declare(new FakeSweepHost(Folder("b"))).Trials(), 4));
        Assert.All(plan, s => Assert.InRange(s, 0, 3));
        var loads = Enumerable.Range(0, 4).Select(s => trials.Where(t => plan[t.Index] == s).Sum(t => (long)t.Unit.Count)).ToArray();
        // Total cost 10 trials x (12 + 6 + 3 rows) = 210.
        Assert.Equal(210, loads.Sum());
        // Greedy LPT's bound: no shard exceeds the mean by more than the largest single trial (12).
        Assert.All(loads, l => Assert.InRange(l, 210 / 4 - 12, 210 / 4 + 12));
        Assert.True(loads.Max() - loads.Min() <= 12, string.Join(",", loads));
        // LPT: the spread between the heaviest and lightest shard is at most one trial.
        Assert.Equal(0, Assert.Single(ShardPlan.Assign(trials, 1).Distinct()));
    }

    [Fact]
    public void Shard_runs_then_merge_equal_one_run()
    {
        var single = Declare(new FakeSweepHost(Folder("single"))).Run();
        var stored = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            var host = new FakeSweepHost(Folder($"shard{i}")) { Shard = new SweepShard(i, 3) };
            var done = Assert.Throws<SweepShardCompletedException>(() => Declare(host).Run());
            Assert.Equal($"shard {i}/3: {done.Stored} trials stored (of 30 in the sweep); tables are written by kplab merge.", done.Message);
            var record = ShardRecord.Read(host.RunDirectory)!;
            Assert.Equal((i, 3, 30, done.Stored), (record.Index, record.Count, record.Trials, record.Stored.Count));
            Assert.Equal(record.Stored.Order(StringComparer.Ordinal), new TrialStore(Path.Combine(host.RunDirectory, "trials")).StoredIds());
            stored.AddRange(record.Stored);
        }
        Assert.Equal(30, stored.Count);
        Assert.Equal(30, stored.Distinct().Count());

        var merged = new FakeSweepHost(Folder("merged")) { RequiresStoredTrials = true };
        var store = new TrialStore(Path.Combine(merged.RunDirectory, "trials"));
        for (int i = 0; i < 3; i++)
            foreach (var file in Directory.GetFiles(Path.Combine(_root, $"shard{i}", "trials")))
                File.Copy(file, Path.Combine(Directory.CreateDirectory(store.Directory).FullName, Path.GetFileName(file)));
        var results = Declare(merged).Run();
        Assert.Equal(0, merged.Fits);
        Assert.Equal(0, merged.Embeds);
        Assert.Equal(single.ToArray(), results.ToArray());
        Assert.Equal(CsvOf(single), CsvOf(results));
    }

    [Fact]
    public void Merge_refuses_a_missing_trial_instead_of_computing_it()
    {
        var shard = new FakeSweepHost(Folder("shard0")) { Shard = new SweepShard(0, 2) };
        Assert.Throws<SweepShardCompletedException>(() => Declare(shard).Run());
        var merged = new FakeSweepHost(Path.Combine(_root, "shard0")) { RequiresStoredTrials = true };
        var e = Assert.Throws<InvalidOperationException>(() => Declare(merged).Run());
        int stored = ShardRecord.Read(shard.RunDirectory)!.Stored.Count;
        Assert.StartsWith($"merge: {30 - stored} of 30 trials are in no shard's trial store (first: #", e.Message);
        Assert.Equal(0, merged.Fits);
    }

    private static string CsvOf(Results results)
    {
        var table = results.ToTable("all");
        return CsvTable.Format(table.Columns, table.Rows.Select(r => (IReadOnlyList<string?>)r.Select(v => v switch
        {
            null => null,
            double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => v.ToString(),
        }).ToArray()));
    }
}
