// kplab: skip-run-all
// A small sharded sweep for the cluster tests (SlurmTests.cs, ShardMergeTests.cs): TF-IDF and k-means (k = the
// question's number of labels, two seeds) on the 8 largest questions of semeval2013-sra, scored by ARI against the
// expert labels. Run with --shard I/N (or --shard auto in an array task), the sweep computes only its shard's trials
// and the tables after it are skipped; kplab merge runs it once over every shard's trials and writes the tables.
var questions = Lab.LoadDataset("semeval2013-sra").SplitByGroup()
    .OrderByDescending(q => q.Count).ThenBy(q => q.Items[0].Group, StringComparer.Ordinal).Take(8).ToList();
var results = Lab.Sweep(questions)
    .Embedders("tfidf")
    .Clusterer("kmeans", q => new { k = q.LabelNames.Count, nInit = 4 })
    .Seeds(1, 2)
    .Metrics("ari")
    .Run();
Lab.Table("results", results);
Lab.Table("scores", results.Where(r => r.Label == null && r.Statistic == "value")
    .Pivot("scores", r => new { r.Unit, r.Seed }, r => r.Metric));
