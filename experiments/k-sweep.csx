// k sweep: how agreement with expert labels (ARI, AMI) and cluster quality (silhouette) change with k, per question.
using System.ComponentModel;

record Args([Description("Smallest k")] int KMin = 2, [Description("Largest k (at most the question's answers - 1)")] int KMax = 10,
    [Description("How many of the largest questions")] int Questions = 10, [Description("The embedder")] string Embedder = "use-lite");
var args = Lab.Args<Args>();   // `-- --help` lists these
int kMin = args.KMin, kMax = args.KMax, take = args.Questions;
var questions = Lab.LoadDataset("semeval2013-sra").SplitByGroup().OrderByDescending(q => q.Count).Take(take);

var results = Lab.Sweep(questions)
    .Embedder(args.Embedder)
    .Clusterers("kmeans", q => Enumerable.Range(kMin, Math.Max(0, Math.Min(kMax, q.Count - 1) - kMin + 1)).Select(k => new { k, nInit = 4 }))
    .Metrics("ari", "ami").Metric("silhouette", new { distance = "cosine" })
    .Run();

Lab.Table("k-sweep", results.Where(r => r.Statistic == "value")
    .Pivot("k-sweep", r => new { question = r.Unit, options = r.Options }, r => r.Metric));
foreach (var m in results.For("ari").GroupBy(r => r.Options).Mean(Lab.Random))
    Lab.Log($"{m.Key,-12}: mean ARI {m.Mean:F3} (95% interval {m.Low:F3} to {m.High:F3})");
