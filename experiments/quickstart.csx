// Quickstart: one question, one embedder, one clusterer; prints ARI and the per-label discoverability table.
var data = Lab.LoadDataset("semeval2013-sra");
var question = data.SplitByGroup().OrderByDescending(q => q.Count).First();   // the question with most answers
Lab.Log($"{question.Name}: {question.Count} answers, labels {string.Join(", ", question.LabelNames)}");

var vectors = Lab.Embedder("use-lite").Embed(question.Texts);                  // 512-d, cached on disk
var clusters = Lab.Clusterer("kmeans", new { k = question.LabelNames.Count }).Fit(vectors);

var input = new EvaluationInput { Embeddings = vectors, Predicted = clusters, Truth = question.Labels };
var ari = Lab.Metric("ari").Evaluate(input);
Lab.Log($"ARI = {ari.Value:F4}");

var perLabel = Lab.Metric("discoverability").Evaluate(input);
foreach (var row in perLabel.Rows)
    Lab.Log($"{row.Key,-30} F1 = {row["f1"]:F3}  discovered = {row["discovered"] == 1}");
Lab.Table("discoverability", perLabel);
Lab.Save("labels.csv", clusters);
