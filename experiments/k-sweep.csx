// k sweep: how agreement with expert labels (ARI, AMI) and cluster quality (silhouette) change with k, per question.
// Args: --k-min N (2) --k-max N (10) --questions N (10 largest questions) --embedder NAME (use-lite)
int kMin = Lab.Arg("--k-min", 2), kMax = Lab.Arg("--k-max", 10), take = Lab.Arg("--questions", 10);
var embedder = Lab.Embedder(Lab.Arg("--embedder", "use-lite"));

var rows = new List<object>();
foreach (var q in Lab.LoadDataset("semeval2013-sra").SplitByGroup().OrderByDescending(q => q.Count).Take(take))
{
    var x = embedder.Embed(q.Texts);
    for (int k = kMin; k <= Math.Min(kMax, q.Count - 1); k++)
    {
        var p = Lab.Clusterer("kmeans", new { k, nInit = 4 }).Fit(x);
        var input = new EvaluationInput { Embeddings = x, Predicted = p, Truth = q.Labels };
        rows.Add(new
        {
            question = q.Items[0].Group, n = q.Count, labels = q.LabelNames.Count, k,
            ari = Lab.Metric("ari").Evaluate(input).Value,
            ami = Lab.Metric("ami").Evaluate(input).Value,
            silhouette = Lab.Metric("silhouette", new { distance = "cosine" }).Evaluate(input).Value,
        });
    }
}
Lab.Table("k-sweep", rows);
foreach (var g in rows.GroupBy(r => (int)r.GetType().GetProperty("k")!.GetValue(r)!))
    Lab.Log($"k = {g.Key,2}: mean ARI {g.Average(r => (double)r.GetType().GetProperty("ari")!.GetValue(r)!):F3}");
