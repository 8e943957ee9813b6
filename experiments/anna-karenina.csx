// The "Anna Karenina" analysis (after "Anna Karenina Strikes Again", BEA 2024) on the bundled SemEval-2013 answers:
// how well data-driven clusters recover expert knowledge profiles (ARI, AMI, NMI), which profiles are discoverable,
// and whether answers of lower quality are more scattered in embedding space.
//
// Args: --min-answers N (60)  --embedders use-lite,tfidf,glove  --onnx-model DIR (adds "onnx")
//       --k-max N (10)  --map-question ID (the question drawn in the contingency heat map and PCA map)

var minAnswers = Lab.Arg("--min-answers", 60);
var kMax = Lab.Arg("--k-max", 10);
var embedderNames = Lab.Arg("--embedders", "use-lite,tfidf,glove").Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
var onnxModel = Lab.Arg("--onnx-model", Environment.GetEnvironmentVariable("KPLAB_ONNX_MODEL") ?? "");
if (onnxModel != "") embedderNames.Add("onnx");
string[] quality = ["correct", "partially_correct_incomplete", "contradictory", "irrelevant_or_non_domain"];

var data = Lab.LoadDataset("semeval2013-sra");
var questions = data.SplitByGroup().Where(q => q.Count >= minAnswers).ToList();
var mapQuestion = Lab.Arg("--map-question", questions.OrderByDescending(q => q.LabelNames.Count).ThenByDescending(q => q.Count).First().Items[0].Group);
Lab.Log($"{questions.Count} questions with at least {minAnswers} answers ({questions.Sum(q => q.Count)} answers); embedders: {string.Join(", ", embedderNames)}");

var scores = new List<object>();        // one row per (embedder, clusterer, question)
var discovery = new List<object>();     // one row per (embedder, clusterer, question, label)
var geometry = new List<object>();      // one row per (embedder, question, label)
var sweep = new List<object>();         // one row per (embedder, question, k)
EmbeddingMatrix mapVectors = null; Partition mapPartition = null; Dataset mapData = null;

foreach (var embedderName in embedderNames)
{
    var embedder = embedderName == "onnx" ? Lab.Embedder("onnx", new { model = onnxModel }) : Lab.Embedder(embedderName);
    foreach (var q in questions)
    {
        var x = embedder.Embed(q.Texts);
        var truth = q.Labels;
        int k = q.LabelNames.Count;
        var clusterings = new List<(string Name, Partition P)>
        {
            ($"kmeans k={k}", Lab.Clusterer("kmeans", new { k, nInit = 10 }).Fit(x)),
            // Euclidean on unit rows ranks neighbours as cosine does, and stays defined for answers with no content
            // (zero rows, e.g. TF-IDF of an answer with no vocabulary word), where cosine is not.
            ("hdbscan", Lab.Clusterer("hdbscan", new { minClusterSize = 5 }).Fit(x.NormalizeRows())),
            ($"ward k={k}", Lab.Clusterer("agglomerative", new { nClusters = k, linkage = "ward" }).Fit(x)),
        };
        for (int kk = 2; kk <= Math.Min(kMax, q.Count - 1); kk++)
        {
            var p = Lab.Clusterer("kmeans", new { k = kk, nInit = 4 }).Fit(x);
            var input = new EvaluationInput { Predicted = p, Truth = truth };
            sweep.Add(new { embedder = embedderName, question = q.Items[0].Group, k = kk,
                ari = Lab.Metric("ari").Evaluate(input).Value, ami = Lab.Metric("ami").Evaluate(input).Value });
        }
        foreach (var (name, p) in clusterings)
        {
            var input = new EvaluationInput { Embeddings = x, Predicted = p, Truth = truth, QualityOrder = quality };
            scores.Add(new
            {
                embedder = embedderName, clusterer = name, question = q.Items[0].Group, n = q.Count, labels = k,
                clusters = p.ClusterCount, noise = p.NoiseCount,
                ari = Lab.Metric("ari").Evaluate(input).Value,
                ami = Lab.Metric("ami").Evaluate(input).Value,
                nmi = Lab.Metric("nmi").Evaluate(input).Value,
            });
            foreach (var row in Lab.Metric("discoverability").Evaluate(input).Rows)
                discovery.Add(new { embedder = embedderName, clusterer = name, question = q.Items[0].Group, label = row.Key,
                    size = row["size"], f1 = row["f1"], precision = row["precision"], recall = row["recall"], discovered = row["discovered"] });
            if (embedderName == embedderNames[0] && name.StartsWith("kmeans") && q.Items[0].Group == mapQuestion)
                (mapVectors, mapPartition, mapData) = (x, p, q);
        }
        var geo = Lab.Metric("kp-geometry").Evaluate(new EvaluationInput { Embeddings = x, Truth = truth, QualityOrder = quality.Where(l => q.LabelNames.Contains(l)).ToArray() });
        foreach (var row in geo.Rows.Where(r => quality.Contains(r.Key)))
            geometry.Add(new { embedder = embedderName, question = q.Items[0].Group, label = row.Key, size = row["size"],
                withinCosine = row["withinCosine"], centroidCosine = row["centroidCosine"], knnAgreement = row["knnAgreement"], knnCosine = row["knnCosine"] });
    }
    Lab.Log($"{embedderName}: done");
}

Lab.Table("scores", scores);
Lab.Table("discoverability", discovery);
Lab.Table("geometry", geometry);
Lab.Table("k-sweep", sweep);

// Aggregate over questions with seeded bootstrap 95% intervals.
var rng = new Random(Lab.Seed);
double Get(object row, string p) => Convert.ToDouble(row.GetType().GetProperty(p)!.GetValue(row));
string S(object row, string p) => (string)row.GetType().GetProperty(p)!.GetValue(row)!;
var summary = scores.GroupBy(r => (E: S(r, "embedder"), C: S(r, "clusterer").Split(' ')[0]))
    .SelectMany(g => new[] { "ari", "ami", "nmi" }.Select(m => (g.Key, m, ci: BootstrapInterval.OfMean(g.Select(r => Get(r, m)), rng))))
    .Select(t => new { embedder = t.Key.E, clusterer = t.Key.C, metric = t.m, mean = t.ci.Mean, low = t.ci.Low, high = t.ci.High, questions = t.ci.Count })
    .ToList();
Lab.Table("summary", summary);
var akPoints = geometry.GroupBy(r => (E: S(r, "embedder"), L: S(r, "label")))
    .Select(g => (g.Key, ci: BootstrapInterval.OfMean(g.Select(r => Get(r, "withinCosine")), rng)))
    .Select(t => new IntervalPoint(t.Key.L, t.Key.E, t.ci.Mean, t.ci.Low, t.ci.High))
    .OrderBy(p => embedderNames.IndexOf(p.Series)).ThenBy(p => Array.IndexOf(quality, p.Category)).ToList();
var discPoints = discovery.Where(r => S(r, "clusterer").StartsWith("kmeans")).GroupBy(r => (E: S(r, "embedder"), L: S(r, "label")))
    .Select(g => (g.Key, ci: BootstrapInterval.OfMean(g.Select(r => Get(r, "discovered")), rng)))
    .Select(t => new IntervalPoint(t.Key.L, t.Key.E, t.ci.Mean, t.ci.Low, t.ci.High))
    .OrderBy(p => embedderNames.IndexOf(p.Series)).ThenBy(p => Array.IndexOf(quality, p.Category)).ToList();
// Every per-label statistic, per embedder (and per clusterer for discoverability), with intervals over questions.
Lab.Table("geometry-summary", geometry.GroupBy(r => (E: S(r, "embedder"), L: S(r, "label")))
    .SelectMany(g => new[] { "withinCosine", "centroidCosine", "knnAgreement", "knnCosine" }
        .Select(stat => (g.Key, stat, ci: BootstrapInterval.OfMean(g.Select(r => Get(r, stat)), rng))))
    .OrderBy(t => embedderNames.IndexOf(t.Key.E)).ThenBy(t => Array.IndexOf(quality, t.Key.L))
    .Select(t => new { embedder = t.Key.E, label = t.Key.L, statistic = t.stat, mean = t.ci.Mean, low = t.ci.Low, high = t.ci.High, questions = t.ci.Count }));
Lab.Table("discoverability-by-clusterer", discovery.GroupBy(r => (E: S(r, "embedder"), C: S(r, "clusterer").Split(' ')[0], L: S(r, "label")))
    .SelectMany(g => new[] { "f1", "discovered" }.Select(stat => (g.Key, stat, ci: BootstrapInterval.OfMean(g.Select(r => Get(r, stat)), rng))))
    .OrderBy(t => embedderNames.IndexOf(t.Key.E)).ThenBy(t => t.Key.C).ThenBy(t => Array.IndexOf(quality, t.Key.L))
    .Select(t => new { embedder = t.Key.E, clusterer = t.Key.C, label = t.Key.L, statistic = t.stat, mean = t.ci.Mean, low = t.ci.Low, high = t.ci.High, questions = t.ci.Count }));
Lab.Table("anna-karenina", akPoints.Select(p => new { embedder = p.Series, label = p.Category, withinCosine = p.Value, low = p.Low, high = p.High }));
Lab.Table("discoverability-summary", discPoints.Select(p => new { embedder = p.Series, label = p.Category, discovered = p.Value, low = p.Low, high = p.High }));

// The report.
var report = new HtmlReport("Anna Karenina analysis: SemEval-2013 student answers");
var first = embedderNames[0];
var correctSim = akPoints.FirstOrDefault(p => p.Series == first && p.Category == quality[0])?.Value ?? double.NaN;
var worstSim = akPoints.Where(p => p.Series == first && p.Category != quality[0]).Select(p => p.Value).DefaultIfEmpty(double.NaN).Min();
var ari = summary.FirstOrDefault(s => s.embedder == first && s.clusterer == "kmeans" && s.metric == "ari");
var discCorrect = discPoints.FirstOrDefault(p => p.Series == first && p.Category == quality[0])?.Value ?? double.NaN;
var discOthers = discPoints.Where(p => p.Series == first && p.Category != quality[0]).Select(p => p.Value).DefaultIfEmpty(double.NaN).Average();
report.Paragraph($"{questions.Count} questions with at least {minAnswers} answers ({questions.Sum(q => q.Count)} answers), embedded with {string.Join(", ", embedderNames)} and clustered with k-means (k = number of labels present), HDBSCAN and Ward. Seed {Lab.Seed}.");
report.Heading("What the numbers say");
report.Bullets([
    $"Agreement between clusters and expert labels is low: with {first} and k-means the mean ARI over questions is {ari?.mean:F3} (95% interval {ari?.low:F3} to {ari?.high:F3}).",
    $"The correct-answer profile is discovered (best-matching cluster F1 ≥ 0.5) in {discCorrect:P0} of questions, the other profiles on average in {discOthers:P0}.",
    $"Correct answers are alike: their mean within-label cosine similarity is {correctSim:F3}, against {worstSim:F3} for the most scattered wrong-answer profile. " +
    (correctSim > worstSim ? "Wrong answers are each wrong in their own way, as the Anna Karenina principle predicts." : "Here the Anna Karenina pattern does not appear."),
]);
report.Heading("Within-label similarity by answer quality");
report.Chart(SvgCharts.IntervalChart("Mean within-label cosine similarity (95% bootstrap interval over questions)", "mean pairwise cosine", quality, akPoints),
    "Labels ordered from best to worst answer quality. Higher means the answers of that label lie closer together in embedding space.");
report.Heading("Which profiles are discoverable");
report.Chart(SvgCharts.BarChart("Share of questions where the label is discovered (k-means)", "share of questions", quality, discPoints, 1.0),
    "A label counts as discovered when its best-matching cluster has F1 ≥ 0.5.");
if (mapVectors is not null && mapPartition is not null && mapData is not null)
{
    var labelsHere = quality.Where(l => mapData.LabelNames.Contains(l)).ToList();
    var clusterIds = mapPartition.Labels.Distinct().Order().ToList();
    var counts = new double[labelsHere.Count, clusterIds.Count];
    for (int i = 0; i < mapData.Count; i++)
        counts[labelsHere.IndexOf(mapData.Items[i].Label), clusterIds.IndexOf(mapPartition.Labels[i])]++;
    report.Heading($"Question {mapQuestion}: labels against clusters");
    report.Chart(SvgCharts.Heatmap($"Contingency, question {mapQuestion} ({first}, k-means)", labelsHere, clusterIds.Select(c => c.ToString()).ToList(), counts, "expert label", "cluster"),
        "Each cell counts the answers with that expert label in that cluster.");
    var (px, py, e1, e2) = PrincipalComponents.Project2D(mapVectors);
    var dots = Enumerable.Range(0, mapData.Count).Select(i => new ScatterPoint(px[i], py[i], mapData.Items[i].Label, mapPartition.Labels[i], mapData.Items[i].Text)).ToList();
    report.Chart(SvgCharts.Scatter($"PCA map, question {mapQuestion} ({first})", dots, labelsHere, $"PC1 ({e1:P0} of variance)", $"PC2 ({e2:P0})"),
        "Colour = expert label, marker = k-means cluster. Hover a point to read the answer.");
}
report.Heading("Summary tables");
report.Table(new ResultTable("summary", ["embedder", "clusterer", "metric", "mean", "low", "high", "questions"],
    summary.Select(s => (IReadOnlyList<object>)[s.embedder, s.clusterer, s.metric, s.mean, s.low, s.high, s.questions])), "Agreement with expert labels, mean over questions with 95% bootstrap interval");
report.Table(new ResultTable("anna-karenina", ["embedder", "label", "within cosine", "low", "high"],
    akPoints.Select(p => (IReadOnlyList<object>)[p.Series, p.Category, p.Value, p.Low, p.High])), "Within-label similarity by label");
Lab.Save("report.html", report);
Lab.Log($"Report: {Lab.OutPath("report.html")}");
