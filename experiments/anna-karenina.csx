// The "Anna Karenina" analysis (after "Anna Karenina Strikes Again", BEA 2024) on the bundled SemEval-2013 answers:
// how well data-driven clusters recover expert knowledge profiles (ARI, AMI, NMI), which profiles are discoverable,
// and whether answers of lower quality are more scattered in embedding space.
//
using System.ComponentModel;

record Args(
    [Description("Questions with fewer answers are left out")] int MinAnswers = 60,
    [Description("Comma-separated embedders")] string Embedders = "minilm,arctic-xs,use-lite,tfidf,glove",
    [Description("A sentence-transformers ONNX folder; adds the \"onnx\" embedder (or set KPLAB_ONNX_MODEL)")] string OnnxModel = "",
    [Description("The k-means k sweep runs k = 2 .. this")] int KMax = 10,
    [Description("The question drawn in the contingency heat map and PCA map (default: most labels, then most answers)")] string MapQuestion = "");
var args = Lab.Args<Args>();   // `kplab run anna-karenina.csx -- --help` lists these
var minAnswers = args.MinAnswers;
var kMax = args.KMax;
var embedderNames = args.Embedders.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
var onnxModel = args.OnnxModel != "" ? args.OnnxModel : Environment.GetEnvironmentVariable("KPLAB_ONNX_MODEL") ?? "";

var data = Lab.LoadDataset("semeval2013-sra");
var quality = data.QualityOrder.ToList();   // best to worst answer quality, declared in the dataset's dataset.yaml
var questions = data.SplitByGroup().Where(q => q.Count >= minAnswers).ToList();
var mapQuestion = args.MapQuestion != "" ? args.MapQuestion : questions.OrderByDescending(q => q.LabelNames.Count).ThenByDescending(q => q.Count).First().Items[0].Group;
Lab.Log($"{questions.Count} questions with at least {minAnswers} answers ({questions.Sum(q => q.Count)} answers); embedders: {string.Join(", ", embedderNames)}");

// One trial per (embedder, question, clusterer); embeddings are computed once per (question, embedder).
var sweep = Lab.Sweep(questions).Embedders(embedderNames);
if (onnxModel != "") { sweep = sweep.Embedder("onnx", new { model = onnxModel }); embedderNames.Add("onnx"); }
var results = sweep
    .Clusterer("kmeans", q => new { k = q.LabelNames.Count, nInit = 10 })
    // Euclidean on unit rows ranks neighbours as cosine does, and stays defined for answers with no content.
    .Clusterer("hdbscan", new { minClusterSize = 5 }, rows: RowTransform.Normalize)
    .Clusterer("agglomerative", q => new { nClusters = q.LabelNames.Count, linkage = "ward" }, label: "ward")
    .Metrics("ari", "ami", "nmi", "discoverability")
    .UnitMetrics("kp-geometry")
    .Run();
// k-means for every k from 2 to --k-max: agreement as a function of k.
var kSweep = sweep.Clusterers("kmeans", q => Enumerable.Range(2, Math.Max(0, Math.Min(kMax, q.Count - 1) - 1)).Select(k => new { k, nInit = 4 }))
    .Metrics("ari", "ami").Run();

bool IsAgreement(ResultRow r) => r.Metric is "ari" or "ami" or "nmi" && r.Statistic == "value";
var agreement = results.Where(IsAgreement);
var perLabel = results.Where(r => r.Label != null && (r.Metric == "discoverability" || quality.Contains(r.Label)));
Lab.Table("results", results);
Lab.Table("scores", results.Where(r => r.Metric == "partition" || IsAgreement(r))
    .Pivot("scores", r => new { embedder = r.Embedder, clusterer = r.Clusterer, options = r.Options, question = r.Unit }, r => r.Metric == "partition" ? r.Statistic : r.Metric));
Lab.Table("discoverability", perLabel.Where(r => r.Metric == "discoverability")
    .Pivot("discoverability", r => new { embedder = r.Embedder, clusterer = r.Clusterer, question = r.Unit, label = r.Label }, r => r.Statistic));
Lab.Table("geometry", perLabel.Where(r => r.Metric == "kp-geometry")
    .Pivot("geometry", r => new { embedder = r.Embedder, question = r.Unit, label = r.Label }, r => r.Statistic));
Lab.Table("k-sweep", kSweep.Where(r => r.Statistic == "value" && r.Metric != "partition")
    .Pivot("k-sweep", r => new { embedder = r.Embedder, question = r.Unit, options = r.Options }, r => r.Metric));

// Means over questions with seeded bootstrap 95% intervals, and paired differences within questions.
var summary = agreement.GroupBy(r => new { embedder = r.Embedder, clusterer = r.Clusterer, metric = r.Metric }).Mean(Lab.Random);
Lab.Table("summary", summary);
var geometrySummary = perLabel.Where(r => r.Metric == "kp-geometry").GroupBy(r => new { embedder = r.Embedder, label = r.Label, statistic = r.Statistic }).Mean(Lab.Random);
Lab.Table("geometry-summary", geometrySummary);
var discoverability = perLabel.Where(r => r.Metric == "discoverability" && r.Statistic is "f1" or "discovered")
    .GroupBy(r => new { embedder = r.Embedder, clusterer = r.Clusterer, label = r.Label, statistic = r.Statistic }).Mean(Lab.Random);
Lab.Table("discoverability-by-clusterer", discoverability);
// Correct answers minus each other label, per question: is every kind of wrong answer more scattered than the right one?
Lab.Table("anna-karenina-differences", perLabel.Where(r => r.Metric == "kp-geometry" && r.Statistic == "withinCosine")
    .GroupBy(r => new { embedder = r.Embedder }).PairedDifferences(r => r.Label, quality[0], r => r.Unit, Lab.Random));
List<IntervalPoint> Points<T>(IEnumerable<GroupMean<T>> means, Func<T, (string Embedder, string Label)> at) => means
    .Select(g => new IntervalPoint(at(g.Key).Label, at(g.Key).Embedder, g.Mean, g.Low, g.High))
    .OrderBy(p => embedderNames.IndexOf(p.Series)).ThenBy(p => quality.IndexOf(p.Category)).ToList();
var akPoints = Points(geometrySummary.Where(g => g.Key.statistic == "withinCosine"), k => (k.embedder, k.label));
var discPoints = Points(discoverability.Where(g => g.Key.clusterer == "kmeans" && g.Key.statistic == "discovered"), k => (k.embedder, k.label));
Lab.Table("anna-karenina", akPoints.Select(p => new { embedder = p.Series, label = p.Category, withinCosine = p.Value, low = p.Low, high = p.High }));
Lab.Table("discoverability-summary", discPoints.Select(p => new { embedder = p.Series, label = p.Category, discovered = p.Value, low = p.Low, high = p.High }));

// The report.
var report = new HtmlReport("Anna Karenina analysis: SemEval-2013 student answers");
var first = embedderNames[0];
var correctSim = akPoints.FirstOrDefault(p => p.Series == first && p.Category == quality[0])?.Value ?? double.NaN;
var worstSim = akPoints.Where(p => p.Series == first && p.Category != quality[0]).Select(p => p.Value).DefaultIfEmpty(double.NaN).Min();
var ari = summary.FirstOrDefault(s => s.Key.embedder == first && s.Key.clusterer == "kmeans" && s.Key.metric == "ari");
var discCorrect = discPoints.FirstOrDefault(p => p.Series == first && p.Category == quality[0])?.Value ?? double.NaN;
var discOthers = discPoints.Where(p => p.Series == first && p.Category != quality[0]).Select(p => p.Value).DefaultIfEmpty(double.NaN).Average();
report.Paragraph($"{questions.Count} questions with at least {minAnswers} answers ({questions.Sum(q => q.Count)} answers), embedded with {string.Join(", ", embedderNames)} and clustered with k-means (k = number of labels present), HDBSCAN and Ward. Seed {Lab.Seed}.");
report.Heading("What the numbers say");
report.Bullets([
    $"Agreement between clusters and expert labels is low: with {first} and k-means the mean ARI over questions is {ari?.Mean:F3} (95% interval {ari?.Low:F3} to {ari?.High:F3}).",
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
var mapTrial = results.Trials.First(t => t.Embedder.Label == first && t.Clusterer?.Label == "kmeans" && t.Unit.Id == mapQuestion);
var mapData = mapTrial.Unit.Data;
var mapPartition = results.PartitionOf(mapTrial);   // kept in the trial store: nothing is re-clustered
var contingency = (ResultTable)Lab.Metric("contingency").Evaluate(new EvaluationInput { Predicted = mapPartition, Truth = mapData.Labels }).Details["contingency"];
var labelsHere = quality.Where(l => mapData.LabelNames.Contains(l)).ToList();
var counts = new double[labelsHere.Count, contingency.Columns.Count - 1];
foreach (var row in contingency.Rows)
    for (int c = 1; c < contingency.Columns.Count; c++) counts[labelsHere.IndexOf((string)row[0]!), c - 1] = Convert.ToDouble(row[c]);
report.Heading($"Question {mapQuestion}: labels against clusters");
report.Chart(SvgCharts.Heatmap($"Contingency, question {mapQuestion} ({first}, k-means)", labelsHere, contingency.Columns.Skip(1).ToList(), counts, "expert label", "cluster"),
    "Each cell counts the answers with that expert label in that cluster.");
var (px, py, e1, e2) = PrincipalComponents.Project2D(Lab.Embedder(first).Embed(mapData.Texts));   // from the embedding cache
var dots = Enumerable.Range(0, mapData.Count).Select(i => new ScatterPoint(px[i], py[i], mapData.Items[i].Label, mapPartition.Labels[i], mapData.Items[i].Text)).ToList();
report.Chart(SvgCharts.Scatter($"PCA map, question {mapQuestion} ({first})", dots, labelsHere, $"PC1 ({e1:P0} of variance)", $"PC2 ({e2:P0})"),
    "Colour = expert label, marker = k-means cluster. Hover a point to read the answer.");
report.Heading("Summary tables");
report.Table(KpLab.Scripting.ResultTables.FromRows("summary", summary.Select(s => new { embedder = s.Key.embedder, clusterer = s.Key.clusterer,
    metric = s.Key.metric, mean = s.Mean, low = s.Low, high = s.High, questions = s.Count })), "Agreement with expert labels, mean over questions with 95% bootstrap interval");
report.Table(KpLab.Scripting.ResultTables.FromRows("anna-karenina", akPoints.Select(p => new { embedder = p.Series, label = p.Category,
    withinCosine = p.Value, low = p.Low, high = p.High })), "Within-label similarity by label");
Lab.Save("report.html", report);
Lab.Log($"Report: {Lab.OutPath("report.html")}");
