using KpLab.Abstractions;

namespace KpLab.Sweeps.Tests;

public sealed class SweepTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kplab-sweeps-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    private static Sweep Declare(FakeSweepHost host) => host.StandardSweep();

    [Fact]
    public void Trials_expand_in_declared_order_with_stable_ids()
    {
        var trials = Declare(new FakeSweepHost(Folder("a"))).Trials();
        // Per unit: the unit-metrics trial (first seed), then each clusterer configuration (grid in order) with each seed.
        Assert.Equal([
            "q1 - 1", "q1 mod k=3 1", "q1 mod k=3 2", "q1 mod-grid k=2 1", "q1 mod-grid k=2 2", "q1 mod-grid k=4 1", "q1 mod-grid k=4 2",
            "q2 - 1", "q2 mod k=2 1", "q2 mod k=2 2", "q2 mod-grid k=2 1", "q2 mod-grid k=2 2", "q2 mod-grid k=4 1", "q2 mod-grid k=4 2",
        ], trials.Select(t => $"{t.Unit.Id} {(t.Clusterer is null ? "-" : $"{t.Clusterer.Label} {t.Clusterer.OptionsText}")} {t.Seed}"));
        Assert.Equal(Enumerable.Range(0, 14), trials.Select(t => t.Index));
        Assert.Equal(14, trials.Select(t => t.Id).Distinct().Count());
        // "mod k=2" and "mod-grid k=2" on q2 are one configuration under two labels: two trials, two ids.
        Assert.NotEqual(trials[8].Id, trials[10].Id);
    }

    [Fact]
    public void Ids_depend_on_content_version_options_and_seed_only()
    {
        var host = new FakeSweepHost(Folder("a"));
        var first = Declare(host).Trials()[1];
        Assert.Equal(first.Id, Declare(new FakeSweepHost(Folder("b"))).Trials()[1].Id);                 // another run, same id
        Assert.Equal("5c3b7b8fd1ff3b69".Length, first.Id.Length);
        var newer = new FakeSweepHost(Folder("c"));
        newer.Versions["mod"] = "1.1";
        Assert.NotEqual(first.Id, Declare(newer).Trials()[1].Id);                                        // plugin version
        var other = FakeSweepHost.Unit("q1", ("apple", "a"), ("banana", "b"), ("cherry", "a"), ("date", "c"), ("elder", "b"), ("figs", "a"));
        Assert.NotEqual(first.Id, new Sweep(host, [other]).Embedders("chars").Clusterer("mod", new { k = 3 }).Seeds(1).Metrics("agreement").Trials()[0].Id);
        Assert.Equal(first.Id, new Sweep(host, FakeSweepHost.Units()).Embedders("chars").Clusterer("mod", new { k = 3 }).Seeds(1).Metrics("agreement").Trials()[0].Id);
        Assert.NotEqual(first.Id, new Sweep(host, FakeSweepHost.Units()).Embedders("chars").Clusterer("mod", new { k = 3 }).Seeds(2).Metrics("agreement").Trials()[0].Id);
    }

    [Fact]
    public void Embeddings_once_per_unit_and_embedder_plugins_once_per_configuration_and_seed()
    {
        var host = new FakeSweepHost(Folder("run"));
        var results = Declare(host).Run();
        Assert.Equal(2, host.Embeds);                  // 2 units x 1 embedder, shared by 7 trials each
        Assert.Equal(12, host.Fits);                   // 6 clustering trials per unit
        var report = Assert.Single(host.Reports);
        // In order of first use (q1: k=3 and the grid; then q2: k=2), each listed once.
        Assert.Equal(["chars", "mod k=3", "mod-grid k=2", "mod-grid k=4", "mod k=2", "agreement", "spread"],
            report.Configurations.Select(c => $"{c.Label} {c.OptionsText}".Trim()));
        Assert.Equal((14, 14, 0), (report.Trials, report.Computed, report.FromStore));
        Assert.Equal(14, Directory.GetFiles(Path.Combine(host.RunDirectory, "trials"), "*.json").Length);
        Assert.Equal(15, File.ReadAllLines(Path.Combine(host.RunDirectory, "trials.csv")).Length);
    }

    [Fact]
    public void Results_are_tidy_rows_with_partitions_kept()
    {
        var results = Declare(new FakeSweepHost(Folder("run"))).Run();
        var q1 = results.Where(r => r.Unit == "q1" && r.Clusterer == "mod" && r.Seed == 1).ToArray();
        // partition counts, the headline value, then per label (a, b, c) size and hit.
        Assert.Equal([
            ("partition", null, "rows", 6.0), ("partition", null, "clusters", 3.0), ("partition", null, "noise", 0.0),
            ("agreement", null, "value", 5 / 6.0),
            ("agreement", "a", "size", 3.0), ("agreement", "a", "hit", 1.0), ("agreement", "b", "size", 2.0), ("agreement", "b", "hit", 0.5),
            ("agreement", "c", "size", 1.0), ("agreement", "c", "hit", 1.0),
        ], q1.Select(r => (r.Metric, r.Label, r.Statistic, r.Value)));
        Assert.All(q1, r => Assert.Equal(("chars", "k=3", results.Trials[1].Id), (r.Embedder, r.Options, r.TrialId)));
        // (i + seed + length) % 3 on apple, banana, cherry, date, elder, fig = 0 2 0 2 1 0 against labels a b a c b a
        // (codes 0 1 0 2 1 0): five of six agree, every a and the c, one b of two.
        Assert.Equal([(0 + 1 + 5) % 3, (1 + 1 + 6) % 3, (2 + 1 + 6) % 3, (3 + 1 + 4) % 3, (4 + 1 + 5) % 3, (5 + 1 + 3) % 3],
            results.PartitionOf(results.Trials[1]).Labels);
        // The unit metric sees the dataset's quality order restricted to the unit's labels (q2 has only a and b).
        Assert.Equal([3.0, 2.0], results.For("spread", "labels").Select(r => r.Value));
        Assert.Throws<ArgumentException>(() => results.PartitionOf(results.Trials[0]));
    }

    [Fact]
    public void Pivot_spreads_one_column_per_metric_and_refuses_two_values_in_a_cell()
    {
        var results = Declare(new FakeSweepHost(Folder("run"))).Run();
        var table = results.Where(r => r.Label == null && r.Clusterer != null)
            .Pivot("scores", r => new { unit = r.Unit, clusterer = r.Clusterer, options = r.Options, seed = r.Seed }, r => r.Metric == "partition" ? r.Statistic : r.Metric);
        Assert.Equal(["unit", "clusterer", "options", "seed", "rows", "clusters", "noise", "agreement"], table.Columns);
        Assert.Equal(12, table.Rows.Count);
        Assert.Equal(["q1", "mod", "k=3", 1, 6.0, 3.0, 0.0, 5 / 6.0], table.Rows[0]);
        var error = Assert.Throws<InvalidOperationException>(() => results.Pivot("bad", r => r.Unit, r => r.Metric));
        Assert.Contains("two rows fall into the cell (q1, spread)", error.Message);
    }

    [Fact]
    public void Typed_tables_flatten_the_key_and_estimate()
    {
        var results = Declare(new FakeSweepHost(Folder("run"))).Run();
        var means = results.For("agreement").GroupBy(r => new { clusterer = r.Clusterer, r.Options }).Mean(new RandomSource(1));
        var table = TypedColumns.Table("m", means);
        Assert.Equal(["clusterer", "Options", "Mean", "Low", "High", "Count"], table.Columns);
        Assert.Equal(4, table.Rows.Count);   // mod k=3, mod k=2 (q2 only), grid k=2, grid k=4
        var values = results.For("agreement").Where(r => r.Clusterer == "mod" && r.Options == "k=3").Select(r => r.Value).ToArray();
        Assert.Equal(2, values.Length);   // q1 only (q2 has two labels: k=2), two seeds
        Assert.Equal(["mod", "k=3", (values[0] + values[1]) / 2], table.Rows[0].Take(3));
        Assert.Equal(2, table.Rows[0][5]);
    }

    [Fact]
    public void An_interrupted_sweep_resumes_to_the_uninterrupted_results_computing_only_missing_trials()
    {
        var reference = Declare(new FakeSweepHost(Folder("reference"))).Run();

        var folder = Folder("interrupted");
        var first = new FakeSweepHost(folder) { FailAtFit = 5 };
        Assert.Throws<OperationCanceledException>(() => Declare(first).Run());
        var stored = Directory.GetFiles(Path.Combine(folder, "trials"), "*.json").Length;
        Assert.Equal(1 + 4, stored);   // q1's unit trial and its first four clusterings finished; the fifth did not

        var second = new FakeSweepHost(folder);
        var resumed = Declare(second).Run();
        Assert.Equal(reference.ToArray(), resumed.ToArray());
        Assert.Equal(12 - 4, second.Fits);
        var report = Assert.Single(second.Reports);
        Assert.Equal((14, 14 - stored, stored), (report.Trials, report.Computed, report.FromStore));
    }

    [Fact]
    public void Jobs_give_the_same_results_as_one_job()
    {
        var one = Declare(new FakeSweepHost(Folder("one"))).Run();
        var four = Declare(new FakeSweepHost(Folder("four"), jobs: 4)).Run();
        Assert.Equal(one.ToArray(), four.ToArray());
    }

    [Fact]
    public void Declaration_errors_say_what_is_missing()
    {
        var host = new FakeSweepHost(Folder("run"));
        Assert.Contains("no units", Assert.Throws<ArgumentException>(() => new Sweep(host, [])).Message);
        Assert.Contains("at least one embedder", Assert.Throws<InvalidOperationException>(() => new Sweep(host, FakeSweepHost.Units()).Trials()).Message);
        Assert.Contains("no metric", Assert.Throws<InvalidOperationException>(() =>
            new Sweep(host, FakeSweepHost.Units()).Embedders("chars").Clusterer("mod", new { k = 2 }).Trials()).Message);
        var twice = FakeSweepHost.Units()[0];
        Assert.Contains("two units have the id 'q1'", Assert.Throws<ArgumentException>(() => new Sweep(host, [twice, twice])).Message);
    }
}
