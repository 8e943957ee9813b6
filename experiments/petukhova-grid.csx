// Embedders x algorithms x metrics, in the manner of "Text clustering with LLM embeddings" (Petukhova et al. 2024):
// every embedder with every clustering algorithm, scored by external (ARI, AMI, NMI, matched F1) and internal
// (silhouette, Davies-Bouldin, Calinski-Harabasz) metrics, averaged over the largest questions.
// Args: --questions N (8)  --embedders use-lite,tfidf,glove
var take = Lab.Arg("--questions", 8);
var embedders = Lab.Arg("--embedders", "use-lite,tfidf,glove").Split(',');
var questions = Lab.LoadDataset("semeval2013-sra").SplitByGroup().OrderByDescending(q => q.Count).Take(take).ToList();

var rows = new List<object>();
foreach (var e in embedders)
    foreach (var q in questions)
    {
        var x = Lab.Embedder(e).Embed(q.Texts);
        int k = q.LabelNames.Count;
        var algorithms = new (string Name, IClusterer C)[]
        {
            ("kmeans", Lab.Clusterer("kmeans", new { k })),
            ("spherical-kmeans", Lab.Clusterer("kmeans", new { k, spherical = true })),
            ("ward", Lab.Clusterer("agglomerative", new { nClusters = k, linkage = "ward" })),
            ("average-cosine", Lab.Clusterer("agglomerative", new { nClusters = k, linkage = "average", metric = "cosine" })),
            ("spectral", Lab.Clusterer("spectral", new { k })),
            ("hdbscan", Lab.Clusterer("hdbscan", new { minClusterSize = 5 })),
        };
        foreach (var (name, clusterer) in algorithms)
        {
            Partition p;
            try { p = clusterer.Fit(x); }
            catch (ArgumentException error)
            {
                // e.g. cosine linkage on an answer with no content (a zero row): recorded, not fatal to the grid.
                Lab.Log($"{e} x {name} on {q.Items[0].Group}: skipped ({error.Message})");
                continue;
            }
            var input = new EvaluationInput { Embeddings = x, Predicted = p, Truth = q.Labels };
            double M(string metric) { try { return Lab.Metric(metric).Evaluate(input).Value; } catch (ArgumentException) { return double.NaN; } }
            rows.Add(new { embedder = e, algorithm = name, question = q.Items[0].Group, clusters = p.ClusterCount,
                ari = M("ari"), ami = M("ami"), nmi = M("nmi"), matchedF1 = M("matched-f1"),
                silhouette = M("silhouette"), daviesBouldin = M("davies-bouldin"), calinskiHarabasz = M("calinski-harabasz") });
        }
    }
Lab.Table("grid", rows);
double V(object r, string p) => Convert.ToDouble(r.GetType().GetProperty(p)!.GetValue(r));
string S(object r, string p) => (string)r.GetType().GetProperty(p)!.GetValue(r)!;
foreach (var g in rows.GroupBy(r => $"{S(r, "embedder"),-10} {S(r, "algorithm"),-18}"))
    Lab.Log($"{g.Key} ARI {g.Average(r => V(r, "ari")):F3}  AMI {g.Average(r => V(r, "ami")):F3}  silhouette {g.Where(r => !double.IsNaN(V(r, "silhouette"))).Select(r => V(r, "silhouette")).DefaultIfEmpty(double.NaN).Average():F3}");
