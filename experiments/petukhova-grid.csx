// Embedders x algorithms x metrics, in the manner of "Text clustering with LLM embeddings" (Petukhova et al. 2024):
// every embedder with every clustering algorithm, scored by external (ARI, AMI, NMI, matched F1) and internal
// (silhouette, Davies-Bouldin, Calinski-Harabasz) metrics, averaged over the largest questions.
using System.ComponentModel;

record Args([Description("How many of the largest questions")] int Questions = 8,
    [Description("Comma-separated embedders")] string Embedders = "use-lite,tfidf,glove");
var args = Lab.Args<Args>();   // `-- --help` lists these
var take = args.Questions;
var embedders = args.Embedders.Split(',', StringSplitOptions.RemoveEmptyEntries);
var questions = Lab.LoadDataset("semeval2013-sra").SplitByGroup().OrderByDescending(q => q.Count).Take(take);

int K(SweepUnit q) => q.LabelNames.Count;
var results = Lab.Sweep(questions)
    .Embedders(embedders)
    .Clusterer("kmeans", q => new { k = K(q) })
    .Clusterer("kmeans", q => new { k = K(q), spherical = true }, label: "spherical-kmeans")
    .Clusterer("agglomerative", q => new { nClusters = K(q), linkage = "ward" }, label: "ward")
    .Clusterer("agglomerative", q => new { nClusters = K(q), linkage = "average", metric = "cosine" }, label: "average-cosine")
    .Clusterer("spectral", q => new { k = K(q) })
    .Clusterer("hdbscan", new { minClusterSize = 5 })
    .Metrics("ari", "ami", "nmi", "matched-f1", "silhouette", "davies-bouldin", "calinski-harabasz")
    // e.g. cosine linkage on an answer with no content (a zero row): recorded as NaN and logged, not fatal to the grid.
    .ToleratingErrors()
    .Run();

var headline = results.Where(r => r.Label == null && r.Statistic == "value");
Lab.Table("grid", results.Where(r => r.Label == null && (r.Statistic == "value" || r.Metric == "partition"))
    .Pivot("grid", r => new { embedder = r.Embedder, algorithm = r.Clusterer, question = r.Unit }, r => r.Metric == "partition" ? r.Statistic : r.Metric));
var summary = headline.GroupBy(r => new { embedder = r.Embedder, algorithm = r.Clusterer, metric = r.Metric }).Mean(Lab.Random);
Lab.Table("grid-summary", summary);
foreach (var s in summary.Where(s => s.Key.metric is "ari" or "ami" or "silhouette"))
    Lab.Log($"{s.Key.embedder,-10} {s.Key.algorithm,-18} {s.Key.metric,-10} {s.Mean:F3} ({s.Low:F3} to {s.High:F3}, {s.Count} questions)");
