// kplab: skip-run-all
// A script with two sweeps, shaped like the flagship (experiments/anna-karenina.csx), for the cluster tests
// (MultiSweepShardTests.cs, SlurmTests.cs): TF-IDF and k-means (k = the question's number of labels, two seeds) on
// the 6 largest questions of semeval2013-sra, scored by ARI; then a k grid (k = 2, 3, 4) scored by ARI and AMI; then
// tables and a report that need complete results. Run as shards, each sweep computes only its shard's trials and the
// outputs after it are skipped; kplab merge runs it once over every shard's trials and writes them.
// --dependent: the k grid runs only on the questions whose mean ARI in the first sweep is at least the median (its
// declaration depends on the first sweep's results). --needs-all-between: code between the sweeps reads a partition
// that only one shard holds.
using System.ComponentModel;

record Args(
    [Description("The k grid runs on the questions with at least the median ARI")] bool Dependent = false,
    [Description("Read one trial's partition between the two sweeps")] bool NeedsAllBetween = false);
var args = Lab.Args<Args>();
var questions = Lab.LoadDataset("semeval2013-sra").SplitByGroup()
    .OrderByDescending(q => q.Count).ThenBy(q => q.Items[0].Group, StringComparer.Ordinal).Take(6).ToList();
// Written before any sweep: every shard writes it too (it needs no results).
Lab.Table("questions", questions.Select(q => new { question = q.Items[0].Group, answers = q.Count, labels = q.LabelNames.Count }));
var sweep = Lab.Sweep(questions).Embedders("tfidf");
var results = sweep
    .Clusterer("kmeans", q => new { k = q.LabelNames.Count, nInit = 4 })
    .Seeds(1, 2)
    .Metrics("ari")
    .Run();
var first = questions[0].Items[0].Group;
if (args.NeedsAllBetween)
    Lab.Log($"question {first}: {results.PartitionOf(results.Trials.First(t => t.Unit.Id == first && t.Seed == 1)).ClusterCount} clusters");
var ari = results.For("ari").GroupBy(r => r.Unit).Groups.Select(g => (Unit: g.Key, Mean: g.Rows.Average(r => r.Value))).ToList();
var median = ari.Select(a => a.Mean).Order().ElementAtOrDefault(ari.Count / 2);
var kQuestions = args.Dependent ? questions.Where(q => ari.Any(a => a.Unit == q.Items[0].Group && a.Mean >= median)).ToList() : questions;
var kSweep = (args.Dependent ? Lab.Sweep(kQuestions).Embedders("tfidf") : sweep)
    .Clusterers("kmeans", q => Enumerable.Range(2, 3).Select(k => new { k, nInit = 2 }))
    .Metrics("ari", "ami")
    .Run();

Lab.Table("results", results);
Lab.Table("scores", results.Where(r => r.Label == null && r.Statistic == "value")
    .Pivot("scores", r => new { r.Unit, r.Seed }, r => r.Metric));
Lab.Table("k-sweep", kSweep.Where(r => r.Statistic == "value" && r.Metric != "partition")
    .Pivot("k-sweep", r => new { question = r.Unit, options = r.Options }, r => r.Metric));
// The report: its first figure reads one trial's partition, which in a shard run only one shard holds.
var mapTrial = results.Trials.First(t => t.Unit.Id == first && t.Seed == 1);
var report = new HtmlReport("Two sweeps");
report.Paragraph($"{questions.Count} questions; question {first}: {results.PartitionOf(mapTrial).ClusterCount} k-means clusters.");
var byK = kSweep.Where(r => r.Metric == "ami" && r.Statistic == "value").GroupBy(r => new { options = r.Options }).Mean(Lab.Random);
report.Table(KpLab.Scripting.ResultTables.FromRows("k", byK.Select(m => new { m.Key.options, ami = m.Mean, low = m.Low, high = m.High })),
    "Mean AMI over questions by k");
Lab.Save("report.html", report);
