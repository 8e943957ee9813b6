// k sweep: how agreement with expert labels (ARI, AMI) and cluster quality (silhouette) change with k, per question.
// Args: --k-min N (2) --k-max N (10) --questions N (10 largest questions) --embedder NAME (use-lite)
int kMin = Lab.Arg("--k-min", 2), kMax = Lab.Arg("--k-max", 10), take = Lab.Arg("--questions", 10);
var questions = Lab.LoadDataset("semeval2013-sra").SplitByGroup().OrderByDescending(q => q.Count).Take(take);

var results = Lab.Sweep(questions)
    .Embedder(Lab.Arg("--embedder", "use-lite"))
    .Clusterers("kmeans", q => Enumerable.Range(kMin, Math.Max(0, Math.Min(kMax, q.Count - 1) - kMin + 1)).Select(k => new { k, nInit = 4 }))
    .Metrics("ari", "ami").Metric("silhouette", new { distance = "cosine" })
    .Run();

Lab.Table("k-sweep", results.Where(r => r.Statistic == "value")
    .Pivot("k-sweep", r => new { question = r.Unit, options = r.Options }, r => r.Metric));
foreach (var m in results.For("ari").GroupBy(r => r.Options).Mean(Lab.Random))
    Lab.Log($"{m.Key,-12}: mean ARI {m.Mean:F3} (95% interval {m.Low:F3} to {m.High:F3})");
