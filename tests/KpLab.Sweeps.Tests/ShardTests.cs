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

    // The flagship's shape: a second sweep over the same units and embedder, a k grid scored by one metric.
    private static Sweep DeclareSecond(FakeSweepHost host, IReadOnlyList<Dataset>? units = null) => new Sweep(host, units ?? Units())
        .Embedders("chars")
        .Clusterers("mod", u => Enumerable.Range(2, u.Count / 3).Select(k => (object?)new { k }), label: "k-grid")
        .Seeds(1, 2, 3)
        .Metrics("agreement");

    private static long[] Loads(IReadOnlyList<Trial> trials, int[] plan, int shards) =>
        Enumerable.Range(0, shards).Select(s => trials.Where(t => plan[t.Index] == s).Sum(t => (long)ShardPlan.Cost(t))).ToArray();

    [Fact]
    public void Partition_is_complete_deterministic_and_balanced_by_rows()
    {
        var trials = Declare(new FakeSweepHost(Folder("a"))).Trials();
        Assert.Equal(30, trials.Count); // 3 units x (1 unit-metrics trial + 3 configurations x 3 seeds)
        var plan = ShardPlan.Assign(trials, 4);
        Assert.Equal(plan, ShardPlan.Assign(Declare(new FakeSweepHost(Folder("b"))).Trials(), 4));
        Assert.All(plan, s => Assert.InRange(s, 0, 3));
        var loads = Loads(trials, plan, 4);
        // Total cost 10 trials x (12 + 6 + 3 rows) = 210.
        Assert.Equal(210, loads.Sum());
        // Greedy LPT's bound: the heaviest and lightest shard differ by at most the largest single trial (12).
        Assert.True(loads.Max() - loads.Min() <= 12, string.Join(",", loads));
        Assert.Equal(0, Assert.Single(ShardPlan.Assign(trials, 1).Distinct()));
        Assert.Equal(ShardPlan.Fingerprint(trials), ShardPlan.Fingerprint(Declare(new FakeSweepHost(Folder("c"))).Trials()));
    }

    [Fact]
    public void Declared_embedder_cost_weighs_each_trial_and_the_plan_balances_it()
    {
        var host = new FakeSweepHost(Folder("a"));
        // The same embedder twice, once declared 8 times as costly per row (as a transformer encoder is against TF-IDF).
        var trials = Declare(host).Embedder("chars", label: "encoder", cost: 8).Trials();
        Assert.Equal(60, trials.Count);
        Assert.All(trials, t => Assert.Equal(t.Unit.Count * (t.Embedder.Label == "encoder" ? 8.0 : 1.0), ShardPlan.Cost(t)));
        // The cost is not part of a trial's identity: the cheap embedder's trials keep their ids.
        Assert.Equal(Declare(host).Trials().Select(t => t.Id), trials.Where(t => t.Embedder.Label == "chars").Select(t => t.Id));
        Assert.NotEqual(ShardPlan.Fingerprint(trials), ShardPlan.Fingerprint(Declare(host).Embedder("chars", label: "encoder").Trials()));

        var plan = ShardPlan.Assign(trials, 4);
        var loads = Loads(trials, plan, 4);
        Assert.Equal(10 * 21 + 10 * 21 * 8, loads.Sum()); // 1890
        Assert.True(loads.Max() - loads.Min() <= 96, string.Join(",", loads)); // LPT: within the costliest trial (12 rows x 8)
        // Every shard gets encoder trials: weighing by rows alone would not tell them from the cheap ones.
        Assert.All(Enumerable.Range(0, 4), s => Assert.Contains(trials, t => plan[t.Index] == s && t.Embedder.Label == "encoder"));

        // A plan that ignored the declared cost (every embedder 1) is measurably worse under the real costs.
        var unweighted = ShardPlan.Assign(Declare(host).Embedder("chars", label: "encoder").Trials(), 4);
        var unweightedLoads = Loads(trials, unweighted, 4);
        Assert.True(unweightedLoads.Max() > loads.Max(), $"weighted {string.Join(",", loads)}; unweighted {string.Join(",", unweightedLoads)}");

        Assert.Throws<ArgumentOutOfRangeException>(() => Declare(host).Embedder("chars", label: "encoder", cost: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Declare(host).Embedder("chars", label: "encoder", cost: double.NaN));
    }

    [Fact]
    public void Shards_run_their_share_of_every_sweep_and_the_merge_equals_one_run()
    {
        var singleHost = new FakeSweepHost(Folder("single"));
        var (first, second) = (Declare(singleHost).Run(), DeclareSecond(singleHost).Run());
        int secondTrials = DeclareSecond(singleHost).Trials().Count;
        Assert.Equal(3 * (4 + 2 + 1), secondTrials); // k = 2..5, 2..3 and 2 on the units of 12, 6 and 3 rows, 3 seeds each

        var records = new List<ShardRecord>();
        for (int i = 0; i < 3; i++)
        {
            var host = new FakeSweepHost(Folder($"shard{i}")) { Shard = new SweepShard(i, 3) };
            // Each Run() returns the shard's own trials' results, so the script goes on to its next sweep.
            var mine = Declare(host).Run();
            var mineSecond = DeclareSecond(host).Run();
            Assert.Equal(2, host.Reports.Count);
            var sweeps = host.Reports.Select(r => r.Shard!).ToArray();
            Assert.Equal(mine.Trials.Select(t => t.Id), sweeps[0].Stored);
            Assert.Equal(mineSecond.Trials.Select(t => t.Id), sweeps[1].Stored);
            Assert.Equal((30, secondTrials), (sweeps[0].Trials, sweeps[1].Trials));
            Assert.Equal(ShardPlan.Fingerprint(DeclareSecond(host).Trials()), sweeps[1].Plan);
            Assert.Equal(first.Where(r => sweeps[0].Stored.Contains(r.TrialId)).ToArray(), mine.ToArray());
            Assert.Equal(sweeps.SelectMany(s => s.Stored).Order(StringComparer.Ordinal), new TrialStore(Path.Combine(host.RunDirectory, "trials")).StoredIds());
            records.Add(new ShardRecord(i, 3, sweeps));
        }
        Assert.Equal(30, records.SelectMany(r => r.Sweeps[0].Stored).Distinct().Count());
        Assert.Equal(30, records.Sum(r => r.Sweeps[0].Stored.Count));
        Assert.Equal(secondTrials, records.SelectMany(r => r.Sweeps[1].Stored).Distinct().Count());
        Assert.Equal(secondTrials, records.Sum(r => r.Sweeps[1].Stored.Count));
        Assert.All(records, r => Assert.NotEmpty(r.Sweeps[1].Stored));

        var merged = Merged(records, "merged", 0, 1, 2);
        var (mergedFirst, mergedSecond) = (Declare(merged).Run(), DeclareSecond(merged).Run());
        Assert.Equal((0, 0), (merged.Fits, merged.Embeds));
        Assert.Equal(first.ToArray(), mergedFirst.ToArray());
        Assert.Equal(second.ToArray(), mergedSecond.ToArray());
        Assert.Equal(CsvOf(first), CsvOf(mergedFirst));
        Assert.Equal(CsvOf(second), CsvOf(mergedSecond));
    }

    [Fact]
    public void A_sweep_declared_from_an_earlier_sweeps_results_is_completed_by_the_merge_which_says_so()
    {
        // The second sweep runs on the units whose mean agreement in the first is at least the median: a shard sees only
        // its share of the first sweep, so its second sweep's trial list differs from a whole run's.
        IReadOnlyList<Dataset> Chosen(Results results)
        {
            var means = results.For("agreement").GroupBy(r => r.Unit).Groups.Select(g => (g.Key, Mean: g.Rows.Average(r => r.Value))).ToArray();
            var median = means.Select(m => m.Mean).Order().ElementAt(means.Length / 2);
            return Units().Where(u => means.Any(m => m.Key == u.Items[0].Group && m.Mean >= median)).ToArray();
        }
        var singleHost = new FakeSweepHost(Folder("single"));
        var single = DeclareSecond(singleHost, Chosen(Declare(singleHost).Run())).Run();

        var records = new List<ShardRecord>();
        for (int i = 0; i < 2; i++)
        {
            var host = new FakeSweepHost(Folder($"shard{i}")) { Shard = new SweepShard(i, 2) };
            DeclareSecond(host, Chosen(Declare(host).Run())).Run();
            records.Add(new ShardRecord(i, 2, host.Reports.Select(r => r.Shard!).ToArray()));
        }
        Assert.Contains(records, r => r.Sweeps[1].Plan != ShardPlan.Fingerprint(single.Trials));

        var merged = Merged(records, "merged", 0, 1);
        var firstMerged = Declare(merged).Run();
        Assert.Equal(0, merged.Fits);
        var results = DeclareSecond(merged, Chosen(firstMerged)).Run();
        Assert.Equal(CsvOf(single), CsvOf(results));
        var stored = records.SelectMany(r => r.Sweeps[1].Stored).ToHashSet();
        int absent = single.Trials.Count(t => !stored.Contains(t.Id));
        Assert.InRange(absent, 1, single.Trials.Count);
        Assert.Equal(absent, merged.Fits);
        Assert.Contains($"merge: {absent} of {single.Trials.Count} trials of this sweep are in no shard's trial store, since no shard ran this sweep's " +
            "trial list: its trial list came out differently in the shards (the sweep's declaration depends on an earlier sweep's results, which " +
            "each shard holds only in part). Computing them here.", merged.Logs);
    }

    [Fact]
    public void A_sweep_the_shards_stopped_before_is_computed_by_the_merge_naming_each_shards_stop()
    {
        var records = new List<ShardRecord>();
        for (int i = 0; i < 2; i++)
        {
            var host = new FakeSweepHost(Folder($"shard{i}")) { Shard = new SweepShard(i, 2) };
            Declare(host).Run();
            records.Add(new ShardRecord(i, 2, [host.Reports[0].Shard!]) { Stopped = i == 0 ? "stopped after sweep 1 of the script: E: boom (x.csx:3)" : null });
        }
        var merged = Merged(records, "merged", 0, 1);
        Declare(merged).Run();
        var second = DeclareSecond(merged).Run();
        Assert.Equal(21, merged.Fits);
        Assert.Equal(CsvOf(DeclareSecond(new FakeSweepHost(Folder("single"))).Run()), CsvOf(second));
        Assert.Contains("merge: 21 of 21 trials of this sweep are in no shard's trial store, since no shard ran this sweep's trial list: " +
            "shard 0/2: stopped after sweep 1 of the script: E: boom (x.csx:3); shard 1/2 ran 1 sweep(s) of the script, not this one " +
            "(its control flow went another way on its share of the results). Computing them here.", merged.Logs);
    }

    [Fact]
    public void Merge_refuses_a_trial_that_the_shard_which_ran_its_sweep_did_not_leave_in_its_store()
    {
        var records = new List<ShardRecord>();
        for (int i = 0; i < 2; i++)
        {
            var host = new FakeSweepHost(Folder($"shard{i}")) { Shard = new SweepShard(i, 2) };
            Declare(host).Run();
            records.Add(new ShardRecord(i, 2, [host.Reports[0].Shard!]) { Folder = host.RunDirectory });
        }
        // Shard 1's store is lost: the merge holds only shard 0's trials.
        var merged = Merged(records, "merged", 0);
        var e = Assert.Throws<InvalidOperationException>(() => Declare(merged).Run());
        int lost = records[1].Sweeps[0].Stored.Count;
        Assert.StartsWith($"merge: {lost} of 30 trials of this sweep are missing from the trial stores of the shards that ran it (first: #", e.Message);
        Assert.Contains($", shard 1/2 in {records[1].Folder}); a shard's trials/ folder is damaged or incomplete: rerun that shard, then merge again.", e.Message);
        Assert.Equal(0, merged.Fits);
    }

    /// <summary>A merge host: a fresh run folder whose trial store is the union of the named shards' stores.</summary>
    private FakeSweepHost Merged(IReadOnlyList<ShardRecord> records, string name, params int[] storesOf)
    {
        var merged = new FakeSweepHost(Folder(name)) { MergedShards = records };
        var store = Directory.CreateDirectory(Path.Combine(merged.RunDirectory, "trials")).FullName;
        foreach (var i in storesOf)
            foreach (var file in Directory.GetFiles(Path.Combine(_root, $"shard{i}", "trials")))
                File.Copy(file, Path.Combine(store, Path.GetFileName(file)), overwrite: true);
        return merged;
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
