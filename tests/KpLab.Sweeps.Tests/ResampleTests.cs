using System.Text.Json;
using KpLab.Abstractions;
using KpLab.Data;

namespace KpLab.Sweeps.Tests;

/// <summary>
/// Bootstrap resamples of units (Sweep.Resamples) and their MTEB-style stability, against
/// Fixtures/resample_reference.py (the draws, an end-to-end replay of the fake plugins, and numpy's mean and std).
/// </summary>
public sealed class ResampleTests : IDisposable
{
    private static readonly JsonElement Fixture = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "resamples.json"))).RootElement;

    private readonly string _root = Directory.CreateTempSubdirectory("kplab-resamples-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    private static Sweep Declare(FakeSweepHost host) => host.StandardSweep();

    private static Sweep Resampled(FakeSweepHost host) => Declare(host).Resamples(3, "agreement");

    [Fact]
    public void Draws_equal_the_reference_with_replacement_from_the_run_seed_and_unit()
    {
        foreach (var d in Fixture.GetProperty("draws").EnumerateArray())
        {
            var rows = d.GetProperty("rows").EnumerateArray().Select(r => r.GetInt32()).ToArray();
            var unit = new SweepUnit(FakeSweepHost.Unit(d.GetProperty("unit").GetString()!, rows.Select(i => ($"t{i}", "a")).ToArray()));
            var resample = UnitResample.For(unit, d.GetProperty("index").GetInt32(), new RandomSource(d.GetProperty("runSeed").GetInt32()));
            Assert.Equal(rows, resample.Rows(rows.Length));
        }
        // With replacement: some resample of the 60-row unit repeats a row.
        Assert.Contains(Fixture.GetProperty("draws").EnumerateArray(), d => d.GetProperty("rows").EnumerateArray().Select(r => r.GetInt32()).Distinct().Count() < 60
            && d.GetProperty("unit").GetString() == "big");
    }

    [Fact]
    public void Whole_unit_ids_do_not_change_and_resample_trials_follow_with_their_own_ids()
    {
        // The ids of this declaration before resamples existed (recorded from the code without them).
        string[] before = ["b350559ae6f278de", "078d24a488ed3ce1", "7c7883d94f22c03b", "c2923e2726b77a52", "48934987cd53dd9f", "3c1d70636d00d8b5", "fb370d86c91977c8",
            "9c6a92fceccc385a", "98ba1e54c03005b1", "e628c23ab4292297", "04d44632080f4cf0", "98d7b15b2abcb1ae", "6c68bb3529e3ae52", "74f524425e18e313"];
        Assert.Equal(before, Declare(new FakeSweepHost(Folder("a"))).Trials().Select(t => t.Id));
        var trials = Resampled(new FakeSweepHost(Folder("b"))).Trials();
        Assert.Equal(14 + 12 * 3, trials.Count);
        Assert.Equal(before, trials.Where(t => t.Resample is null).Select(t => t.Id));
        Assert.Equal(Enumerable.Range(0, trials.Count), trials.Select(t => t.Index));
        Assert.Equal(trials.Count, trials.Select(t => t.Id).Distinct().Count());
        // Per unit: its whole-unit trials, then each clustering's resamples 0, 1, 2.
        Assert.All(trials.Take(7), t => Assert.Null(t.Resample));
        Assert.Equal([
            "q1 mod k=3 1 0", "q1 mod k=3 1 1", "q1 mod k=3 1 2", "q1 mod k=3 2 0", "q1 mod k=3 2 1", "q1 mod k=3 2 2",
            "q1 mod-grid k=2 1 0", "q1 mod-grid k=2 1 1", "q1 mod-grid k=2 1 2", "q1 mod-grid k=2 2 0", "q1 mod-grid k=2 2 1", "q1 mod-grid k=2 2 2",
            "q1 mod-grid k=4 1 0", "q1 mod-grid k=4 1 1", "q1 mod-grid k=4 1 2", "q1 mod-grid k=4 2 0", "q1 mod-grid k=4 2 1", "q1 mod-grid k=4 2 2",
        ], trials.Skip(7).Take(18).Select(t => $"{t.Unit.Id} {t.Clusterer!.Label} {t.Clusterer.OptionsText} {t.Seed} {t.Resample!.Index}"));
        Assert.Equal([0, 1, 2, 0, 1, 2], trials.Skip(7).Take(6).Select(t => t.Resample!.Index));
        Assert.Equal("q2", trials[7 + 18].Unit.Id);
        Assert.Contains("resample 2", trials[9].ToString());
        // Another run seed draws other rows: other ids for the resample trials only.
        var other = Resampled(new FakeSweepHost(Folder("c")) { Seed = 8 }).Trials();
        Assert.Equal(before, other.Where(t => t.Resample is null).Select(t => t.Id));
        Assert.Empty(other.Where(t => t.Resample is not null).Select(t => t.Id).Intersect(trials.Select(t => t.Id)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Declare(new FakeSweepHost(Folder("d"))).Resamples(0));
    }

    [Fact]
    public void Resample_trials_cluster_the_drawn_rows_without_embedding_again_and_stay_apart_from_the_results()
    {
        var plain = Declare(new FakeSweepHost(Folder("plain"))).Run();
        var host = new FakeSweepHost(Folder("run"));
        var results = Resampled(host).Run();

        Assert.Equal(2, host.Embeds);                    // once per unit, as without resamples
        Assert.Equal(12 + 36, host.Fits);
        Assert.Equal(plain.ToArray(), results.ToArray()); // the whole-unit results are untouched
        Assert.Equal(plain.Trials.Select(t => t.Id), results.Trials.Select(t => t.Id));
        Assert.Empty(plain.Resamples);
        Assert.All(results, r => Assert.Null(r.Resample));

        var resamples = results.Resamples;
        Assert.Equal(36, resamples.Trials.Count);
        foreach (var e in Fixture.GetProperty("endToEnd").EnumerateArray())
        {
            var (unit, seed, index, k) = (e.GetProperty("unit").GetString(), e.GetProperty("seed").GetInt32(), e.GetProperty("resample").GetInt32(), e.GetProperty("k").GetInt32());
            var trial = resamples.Trials.Single(t => t.Unit.Id == unit && t.Seed == seed && t.Resample!.Index == index && t.Clusterer!.Label == "mod");
            Assert.Equal(e.GetProperty("partition").EnumerateArray().Select(x => x.GetInt32()), resamples.PartitionOf(trial).Labels);
            var rows = resamples.Where(r => r.TrialId == trial.Id).ToArray();
            Assert.All(rows, r => Assert.Equal((index, $"k={k}"), (r.Resample, r.Options)));
            Assert.Equal(e.GetProperty("agreement").GetDouble(), rows.Single(r => r.Metric == "agreement" && r.Label == null).Value);
            Assert.Equal(e.GetProperty("sizes").EnumerateObject().Select(p => (p.Name, p.Value.GetDouble())),
                rows.Where(r => r.Statistic == "size").Select(r => (r.Label!, r.Value)));
        }
        // Only the resample metrics score them: no unit metric, no other partition metric.
        Assert.Equal(["agreement", "partition"], resamples.Select(r => r.Metric).Distinct().Order());
        // The long table's last column marks the resample; trials.csv lists it.
        var table = resamples.ToTable("resamples");
        Assert.Equal("Resample", table.Columns[^1]);
        Assert.Equal(["Unit", "Embedder", "Clusterer", "Options", "Seed", "Metric", "Label", "Statistic", "Value", "TrialId", "Resample"], results.ToTable("r").Columns);
        var trialsCsv = File.ReadAllLines(Path.Combine(host.RunDirectory, "trials.csv"));
        Assert.EndsWith(",seed,resample", trialsCsv[0]);
        Assert.EndsWith(",1,2", trialsCsv[10]);   // trial #9: q1 × mod k=3, seed 1, resample 2
        // Filters apply to the resample rows alike.
        Assert.All(results.Where(r => r.Unit == "q2").Resamples, r => Assert.Equal("q2", r.Unit));
    }

    [Fact]
    public void Stability_is_numpys_mean_and_population_std_over_resamples_averaged_over_units()
    {
        var rows = new List<ResultRow>();
        foreach (var s in Fixture.GetProperty("scores").EnumerateArray())
        {
            int r = 0;
            foreach (var v in s.GetProperty("values").EnumerateArray())
                rows.Add(new ResultRow(s.GetProperty("unit").GetString()!, s.GetProperty("embedder").GetString()!, s.GetProperty("clusterer").GetString(), "k=3", 1,
                    s.GetProperty("metric").GetString()!, null, ResultRow.HeadlineStatistic, v.ValueKind == JsonValueKind.Null ? double.NaN : v.GetDouble(), "t") { Resample = r++ });
        }
        var results = new Results([], [], new Dictionary<string, int[]>()) { Resamples = new Results([], rows, new Dictionary<string, int[]>()) };

        var byUnit = results.StabilityByUnit();
        Assert.Equal(Fixture.GetProperty("byUnit").GetArrayLength(), byUnit.Count);
        foreach (var (actual, expected) in byUnit.Zip(Fixture.GetProperty("byUnit").EnumerateArray()))
        {
            Assert.Equal((expected.GetProperty("embedder").GetString(), expected.GetProperty("clusterer").GetString(), expected.GetProperty("unit").GetString(), expected.GetProperty("metric").GetString()),
                (actual.Embedder, actual.Clusterer, actual.Unit, actual.Metric));
            Assert.Equal(expected.GetProperty("mean").GetDouble(), actual.Mean, 1e-15);
            Assert.Equal(expected.GetProperty("std").GetDouble(), actual.Std, 1e-15);
            Assert.Equal(expected.GetProperty("resamples").GetInt32(), actual.Resamples);
        }
        Assert.Contains(byUnit, u => u.Resamples == 9);   // the NaN is left out

        var summary = results.Stability();
        Assert.Equal(8, summary.Count);
        foreach (var (actual, expected) in summary.Zip(Fixture.GetProperty("summary").EnumerateArray()))
        {
            Assert.Equal((expected.GetProperty("embedder").GetString(), expected.GetProperty("clusterer").GetString(), expected.GetProperty("metric").GetString(), 7),
                (actual.Embedder, actual.Clusterer, actual.Metric, actual.Units));
            Assert.Equal(expected.GetProperty("mean").GetDouble(), actual.Mean, 1e-15);
            Assert.Equal(expected.GetProperty("std").GetDouble(), actual.Std, 1e-15);
        }
        Assert.Equal(["Embedder", "Clusterer", "Metric", "Mean", "Std", "Units"], TypedColumns.Table("s", summary).Columns);
    }

    [Fact]
    public void Stability_of_a_run_summarises_its_resample_rows()
    {
        var results = Resampled(new FakeSweepHost(Folder("run"))).Run();
        var byUnit = results.StabilityByUnit();
        Assert.Equal(2 * 3 * 2, byUnit.Count);   // 2 units × 3 configurations (mod k = labels, mod-grid k=2, k=4) × 2 seeds
        var cell = byUnit.First();
        var values = results.Resamples.Where(r => r.Unit == cell.Unit && r.Clusterer == cell.Clusterer && r.Options == cell.Options && r.Seed == cell.Seed
            && r.Metric == "agreement" && r.Label == null).Select(r => r.Value).ToArray();
        Assert.Equal(3, values.Length);
        double mean = values.Average();
        Assert.Equal(mean, cell.Mean, 1e-15);
        Assert.Equal(Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / 3), cell.Std, 1e-15);
        Assert.Equal(["chars mod agreement", "chars mod-grid agreement"], results.Stability().Select(s => $"{s.Embedder} {s.Clusterer} {s.Metric}"));
    }

    [Fact]
    public void An_interrupted_resampled_sweep_resumes_and_shards_merge_to_one_runs_results()
    {
        var reference = Resampled(new FakeSweepHost(Folder("reference"))).Run();

        var folder = Folder("interrupted");
        Assert.Throws<OperationCanceledException>(() => Resampled(new FakeSweepHost(folder) { FailAtFit = 20 }).Run());
        var second = new FakeSweepHost(folder);
        var resumed = Resampled(second).Run();
        Assert.Equal(48 - 19, second.Fits);
        Assert.Equal(reference.ToArray(), resumed.ToArray());
        Assert.Equal(reference.Resamples.ToArray(), resumed.Resamples.ToArray());

        var store = Directory.CreateDirectory(Path.Combine(Folder("merged"), "trials")).FullName;
        var records = new List<ShardRecord>();
        for (int i = 0; i < 3; i++)
        {
            var shard = new FakeSweepHost(Folder($"shard{i}")) { Shard = new SweepShard(i, 3) };
            Resampled(shard).Run();
            records.Add(new ShardRecord(i, 3, [shard.Reports[0].Shard!]));
            foreach (var file in Directory.GetFiles(Path.Combine(shard.RunDirectory, "trials")))
                File.Copy(file, Path.Combine(store, Path.GetFileName(file)));
        }
        Assert.Equal(50, records.Sum(r => r.Sweeps[0].Stored.Count));
        var merged = new FakeSweepHost(Path.Combine(_root, "merged")) { MergedShards = records };
        var results = Resampled(merged).Run();
        Assert.Equal(0, merged.Fits);
        Assert.Equal(reference.ToArray(), results.ToArray());
        Assert.Equal(reference.Resamples.ToArray(), results.Resamples.ToArray());
    }
}
