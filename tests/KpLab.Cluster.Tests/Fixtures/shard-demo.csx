// kplab: skip-run-all
// A small sharded experiment for the SLURM test (SlurmTests.cs): TF-IDF and k-means (k = the question's number of
// labels) on the 8 largest questions of semeval2013-sra, with ARI against the expert labels and cosine silhouette.
// Run with --shard I/N (or --shard auto in an array task), it does only the questions Lab.Shard owns.
var questions = Lab.LoadDataset("semeval2013-sra").SplitByGroup()
    .OrderByDescending(q => q.Count).ThenBy(q => q.Items[0].Group, StringComparer.Ordinal).Take(8).ToList();
var rows = new List<Score>();
for (int i = 0; i < questions.Count; i++)
{
    if (Lab.Shard is { } shard && !shard.Owns(i)) continue;
    var q = questions[i];
    var x = Lab.Embedder("tfidf").Embed(q.Texts);
    var p = Lab.Clusterer("kmeans", new { k = q.LabelNames.Count, nInit = 4 }).Fit(x);
    var input = new EvaluationInput { Embeddings = x, Predicted = p, Truth = q.Labels };
    rows.Add(new Score(i, q.Items[0].Group!, q.Count, q.LabelNames.Count, Lab.Metric("ari").Evaluate(input).Value,
        Lab.Metric("silhouette", new { distance = "cosine" }).Evaluate(input).Value));
}
Lab.Table("scores", rows);
Lab.Log($"shard {Lab.Shard?.ToString() ?? "all"}: {rows.Count} questions");

record Score(int Position, string Question, int Answers, int K, double Ari, double Silhouette);
