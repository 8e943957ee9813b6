// The "Anna Karenina" analysis (after "Anna Karenina Strikes Again", BEA 2024) on the bundled SemEval-2013 answers:
// how well data-driven clusters recover expert knowledge profiles (ARI, AMI, NMI), which profiles are discoverable
// beyond what their size alone gives, and whether correct answers are denser in embedding space than every kind of
// wrong answer, read against each question's anisotropy baseline and tested with paired tests across questions.
//
using System.ComponentModel;

record Args(
    [Description("Questions with fewer answers are left out")] int MinAnswers = 60,
    [Description("Comma-separated embedders")] string Embedders = "minilm,arctic-xs,use-lite,tfidf,glove",
    [Description("A sentence-transformers ONNX folder; adds the \"onnx\" embedder (or set KPLAB_ONNX_MODEL)")] string OnnxModel = "",
    [Description("The k-means k sweep runs k = 2 .. this")] int KMax = 10,
    [Description("Bootstrap resamples of each question for the stability of ARI and AMI (0: none)")] int Resamples = 10,
    [Description("Label permutations of the size-preserving null (kp-geometry, discoverability)")] int Permutations = 200,
    [Description("Significance level of the verdicts, on Holm-adjusted p-values")] double Alpha = 0.05,
    [Description("The question opened first in the drill-down (default: most labels, then most answers)")] string MapQuestion = "");
var args = Lab.Args<Args>();   // `kplab run anna-karenina.csx -- --help` lists these
var embedderNames = args.Embedders.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
var onnxModel = args.OnnxModel != "" ? args.OnnxModel : Environment.GetEnvironmentVariable("KPLAB_ONNX_MODEL") ?? "";

var data = Lab.LoadDataset("semeval2013-sra");
var quality = data.QualityOrder.ToList();   // best to worst answer quality, declared in the dataset's dataset.yaml
var reference = quality[0];
var questions = data.SplitByGroup().Where(q => q.Count >= args.MinAnswers).ToList();
var mapQuestion = args.MapQuestion != "" ? args.MapQuestion : questions.OrderByDescending(q => q.LabelNames.Count).ThenByDescending(q => q.Count).First().Items[0].Group;
Lab.Log($"{questions.Count} questions with at least {args.MinAnswers} answers ({questions.Sum(q => q.Count)} answers); embedders: {string.Join(", ", embedderNames)}");

// One trial per (embedder, question, clusterer); embeddings are computed once per (question, embedder).
var sweep = Lab.Sweep(questions).Embedders(embedderNames);
if (onnxModel != "") { sweep = sweep.Embedder("onnx", new { model = onnxModel }); embedderNames.Add("onnx"); }
var main = sweep
    .Clusterer("kmeans", q => new { k = q.LabelNames.Count, nInit = 10 })
    // Euclidean on unit rows ranks neighbours as cosine does, and stays defined for answers with no content.
    .Clusterer("hdbscan", new { minClusterSize = 5 }, rows: RowTransform.Normalize)
    .Clusterer("agglomerative", q => new { nClusters = q.LabelNames.Count, linkage = "ward" }, label: "ward")
    .Metrics("ari", "ami", "nmi")
    .Metric("discoverability", new { permutations = args.Permutations })
    .UnitMetric("kp-geometry", new { permutations = args.Permutations });
// Stability in the manner of MTEB: every clustering repeated on bootstrap resamples of its question, scored by ARI and AMI.
var results = (args.Resamples > 0 ? main.Resamples(args.Resamples) : main).Run();
// k-means for every k from 2 to --k-max: agreement as a function of k.
var kSweep = sweep.Clusterers("kmeans", q => Enumerable.Range(2, Math.Max(0, Math.Min(args.KMax, q.Count - 1) - 1)).Select(k => new { k, nInit = 4 }))
    .Metrics("ari", "ami").Run();

bool IsAgreement(ResultRow r) => r.Metric is "ari" or "ami" or "nmi" && r.Statistic == ResultRow.HeadlineStatistic;
var agreement = results.Where(IsAgreement);
var perLabel = results.Where(r => r.Label != null && (r.Metric == "discoverability" || quality.Contains(r.Label)));
var geometry = perLabel.Where(r => r.Metric == "kp-geometry");
var kmeansF1 = perLabel.Where(r => r.Metric == "discoverability" && r.Clusterer == "kmeans");
Lab.Table("results", results);
Lab.Table("scores", results.Where(r => r.Metric == ResultRow.PartitionMetric || IsAgreement(r))
    .Pivot("scores", r => new { embedder = r.Embedder, clusterer = r.Clusterer, options = r.Options, question = r.Unit }, r => r.Metric == ResultRow.PartitionMetric ? r.Statistic : r.Metric));
Lab.Table("discoverability", perLabel.Where(r => r.Metric == "discoverability")
    .Pivot("discoverability", r => new { embedder = r.Embedder, clusterer = r.Clusterer, question = r.Unit, label = r.Label }, r => r.Statistic));
Lab.Table("geometry", geometry.Pivot("geometry", r => new { embedder = r.Embedder, question = r.Unit, label = r.Label }, r => r.Statistic));
// k of each k-sweep trial: the clusters its partition has (k-means gives exactly k).
var kOf = kSweep.Where(r => r.Metric == ResultRow.PartitionMetric && r.Statistic == "clusters").ToDictionary(r => r.TrialId, r => (int)r.Value);
var kAgreement = kSweep.Where(r => r.Statistic == ResultRow.HeadlineStatistic && r.Metric is "ari" or "ami");
Lab.Table("k-sweep", kAgreement.Pivot("k-sweep", r => new { embedder = r.Embedder, question = r.Unit, k = kOf[r.TrialId] }, r => r.Metric));

// Means over questions with seeded bootstrap 95% intervals.
var summary = agreement.GroupBy(r => new { embedder = r.Embedder, clusterer = r.Clusterer, metric = r.Metric }).Mean(Lab.Random);
Lab.Table("summary", summary);
var geometrySummary = geometry.GroupBy(r => new { embedder = r.Embedder, label = r.Label, statistic = r.Statistic }).Mean(Lab.Random);
Lab.Table("geometry-summary", geometrySummary);
var discoverability = perLabel.Where(r => r.Metric == "discoverability" && r.Statistic is "f1" or "f1NullMean" or "f1Excess" or "discovered" or "discoveredAdjusted")
    .GroupBy(r => new { embedder = r.Embedder, clusterer = r.Clusterer, label = r.Label, statistic = r.Statistic }).Mean(Lab.Random);
Lab.Table("discoverability-by-clusterer", discoverability);
var kSummary = kAgreement.GroupBy(r => new { embedder = r.Embedder, metric = r.Metric, k = kOf[r.TrialId] }).Mean(Lab.Random);
Lab.Table("k-sweep-summary", kSummary);

// The paired tests: correct answers against each other label, one pair per question, per embedder: Wilcoxon
// signed-rank, Holm-adjusted across every comparison of this report. Corrected density (within-label cosine minus the
// question's all-pairs cosine) gives the same within-question differences as the raw cosine (the baseline cancels), so
// the raw test is the corrected one; per-dimension standardisation changes the geometry and is tested on its own.
var densityStatistics = new[] { "correctedCosine", "standardizedCorrectedCosine" };
var f1Statistics = new[] { "f1", "f1Excess" };
var tests = geometry.Where(r => densityStatistics.Contains(r.Statistic))
    .GroupBy(r => new { embedder = r.Embedder, statistic = r.Statistic }).PairedTests(r => r.Label, reference, r => r.Unit, Lab.Random)
    .Concat(kmeansF1.Where(r => f1Statistics.Contains(r.Statistic))
        .GroupBy(r => new { embedder = r.Embedder, statistic = r.Statistic }).PairedTests(r => r.Label, reference, r => r.Unit, Lab.Random))
    .Holm();
Lab.Table("anna-karenina-tests", tests);
IReadOnlyList<PairedComparison> Comparisons(string embedder, string statistic) => tests
    .Where(t => t.Key.embedder == embedder && t.Key.statistic == statistic)
    .OrderBy(t => quality.IndexOf(t.Level))
    .Select(t => new PairedComparison(t.Reference, t.Level, t.Mean, t.Low, t.High, t.Positive, t.Count, t.PValue, t.HolmP)).ToList();

var stability = results.Stability();
Lab.Table("stability", stability);

// Chart data.
List<IntervalPoint> Points(IEnumerable<GroupMean<(string Embedder, string Label)>> means) => means
    .Select(g => new IntervalPoint(g.Key.Label, g.Key.Embedder, g.Mean, g.Low, g.High))
    .OrderBy(p => embedderNames.IndexOf(p.Series)).ThenBy(p => quality.IndexOf(p.Category)).ToList();
IEnumerable<GroupMean<(string Embedder, string Label)>> Geometry(string statistic) => geometrySummary
    .Where(g => g.Key.statistic == statistic).Select(g => new GroupMean<(string, string)>((g.Key.embedder, g.Key.label!), g.Estimate));
IEnumerable<GroupMean<(string Embedder, string Label)>> Discoverability(string statistic) => discoverability
    .Where(g => g.Key.clusterer == "kmeans" && g.Key.statistic == statistic).Select(g => new GroupMean<(string, string)>((g.Key.embedder, g.Key.label!), g.Estimate));
var rawPoints = Points(Geometry("withinCosine"));
var correctedPoints = Points(Geometry("correctedCosine"));
var standardizedPoints = Points(Geometry("standardizedCorrectedCosine"));
var f1Points = Points(Discoverability("f1"));
var nullF1 = Points(Discoverability("f1NullMean")).ToDictionary(p => (p.Series, p.Category), p => p.Value);
var discoveredPoints = Points(Discoverability("discovered"));
var discoveredAdjustedPoints = Points(Discoverability("discoveredAdjusted"));
Lab.Table("anna-karenina", correctedPoints.Select(p => new { embedder = p.Series, label = p.Category, correctedCosine = p.Value, low = p.Low, high = p.High,
    withinCosine = rawPoints.First(r => r.Series == p.Series && r.Category == p.Category).Value }));
Lab.Table("discoverability-summary", f1Points.Select(p => new { embedder = p.Series, label = p.Category, f1 = p.Value, low = p.Low, high = p.High,
    f1NullMean = nullF1.GetValueOrDefault((p.Series, p.Category), double.NaN), discovered = discoveredPoints.First(d => d.Series == p.Series && d.Category == p.Category).Value }));

// The report.
var report = new HtmlReport("Anna Karenina analysis: SemEval-2013 student answers");
report.Paragraph($"{questions.Count} questions with at least {args.MinAnswers} answers ({questions.Sum(q => q.Count)} answers), embedded with {string.Join(", ", embedderNames)} " +
    $"and clustered with k-means (k = number of labels present), HDBSCAN and Ward. Seed {Lab.Seed}; {args.Permutations} label permutations per question for the size-preserving nulls.");

report.Heading("Are correct answers alike, and each wrong answer wrong in its own way?");
int testCount = tests.Count(t => double.IsFinite(t.PValue));
report.Paragraph($"For each embedder, correct answers are compared with each other label within each question (one pair per question): " +
    $"the mean difference with its 95% bootstrap interval, the questions where it is positive, and the two-sided Wilcoxon signed-rank test, " +
    $"its p-value Holm-adjusted across all {testCount} tests of this report. The pattern holds when correct answers are significantly (adjusted p < {args.Alpha}) " +
    "denser than every other label. Density is the within-label mean cosine minus the question's mean cosine over all pairs of answers " +
    "(the anisotropy baseline); within one question the baseline cancels, so this test equals the test of the raw cosine. " +
    "The second reading repeats it after standardising each embedding dimension within the question, so that a few dominant dimensions cannot decide it.");
var readings = new[]
{
    (Statistic: "correctedCosine", Name: "Raw and anisotropy-corrected density", Larger: "denser", Smaller: "less dense"),
    (Statistic: "standardizedCorrectedCosine", Name: "After per-dimension standardisation", Larger: "denser", Smaller: "less dense"),
    (Statistic: "f1", Name: "Discoverability, raw (k-means best-match F1)", Larger: "more discoverable", Smaller: "less discoverable"),
    (Statistic: "f1Excess", Name: "Discoverability beyond label size (F1 minus its permutation-null mean)", Larger: "more discoverable", Smaller: "less discoverable"),
};
string Word(PairedReading reading) => reading switch
{
    PairedReading.Holds => "holds", PairedReading.Mixed => "mixed", PairedReading.DoesNotHold => "does not hold", _ => "not tested",
};
var verdicts = embedderNames.Select(e => new
{
    embedder = e,
    density = Word(PairedVerdict.Read(Comparisons(e, "correctedCosine"), args.Alpha)),
    standardisedDensity = Word(PairedVerdict.Read(Comparisons(e, "standardizedCorrectedCosine"), args.Alpha)),
    f1 = Word(PairedVerdict.Read(Comparisons(e, "f1"), args.Alpha)),
    f1SizeAdjusted = Word(PairedVerdict.Read(Comparisons(e, "f1Excess"), args.Alpha)),
}).ToList();
Lab.Table("verdicts", verdicts);
report.Table(KpLab.Scripting.ResultTables.FromRows("verdicts", verdicts), $"The pattern per embedder: correct answers significantly above every other label (Holm-adjusted p < {args.Alpha})");
foreach (var e in embedderNames)
{
    report.Heading(e, 3);
    var headlines = readings.Select(x => PairedVerdict.Headline(x.Name, Comparisons(e, x.Statistic), x.Larger, x.Smaller, args.Alpha)).ToList();
    foreach (var h in headlines) Lab.Log($"{e}: {h}");
    report.Bullets(headlines);
    report.Table(KpLab.Scripting.ResultTables.FromRows($"tests-{e}", readings.SelectMany(x => Comparisons(e, x.Statistic).Select(c => new
    {
        statistic = x.Statistic, comparison = $"{c.Reference} − {c.Level}", difference = c.MeanDifference, low = c.Low, high = c.High,
        positive = $"{c.Positive} of {c.Pairs}", wilcoxonP = PairedVerdict.FormatP(c.P), holmP = PairedVerdict.FormatP(c.AdjustedP),
    }))), $"{e}: correct minus each label, one pair per question (mean with 95% bootstrap interval; Wilcoxon signed-rank p, Holm-adjusted)");
}

report.Heading("Density by label, every embedder");
report.Chart(SvgCharts.IntervalChart("Corrected density: within-label cosine minus the question's all-pairs cosine", "corrected density", quality, correctedPoints),
    "Mean over questions with 95% bootstrap interval. 0 is what answers drawn at random from the question would give; the correction makes embedders comparable.");
report.Chart(SvgCharts.IntervalChart("Corrected density after per-dimension standardisation", "standardised corrected density", quality, standardizedPoints),
    "As above, after each embedding dimension is standardised within the question (Timkey & van Schijndel 2021: rogue dimensions).");
report.Chart(SvgCharts.IntervalChart("Raw within-label cosine (not comparable across embedders)", "mean pairwise cosine", quality, rawPoints),
    "The uncorrected statistic: its level reflects each embedder's anisotropy (how close any two answers are), not only label cohesion.");

report.Heading("Which profiles are discoverable, beyond their size");
if (nullF1.Count > 0)
    report.Chart(SvgCharts.DumbbellChart("Best-match F1 of each label (k-means): observed against the size-only null", "best-match F1", quality,
            f1Points.Select(p => new DumbbellPoint(p.Category, p.Series, nullF1.GetValueOrDefault((p.Series, p.Category), double.NaN), p.Value)).ToList(),
            "null (label size)", "observed"),
        $"Filled: the F1 of the label's best-matching k-means cluster, mean over questions. Hollow: the mean F1 the same clustering gives a random label of the same size ({args.Permutations} permutations). The line is the size-adjusted excess.");
else   // discoverability without its permutation null (an older plugin): the raw F1 alone
    report.Chart(SvgCharts.IntervalChart("Best-match F1 of each label (k-means), raw", "best-match F1", quality, f1Points),
        "The F1 of the label's best-matching k-means cluster, mean over questions with 95% bootstrap interval (no size-only null: the discoverability plugin gives none).");
report.Chart(SvgCharts.BarChart("Share of questions where the label is discovered (k-means, raw F1 ≥ 0.5)", "share of questions", quality, discoveredPoints, 1.0),
    "The raw criterion: the label's best-matching cluster has F1 ≥ 0.5; a large label passes more easily only because it is large.");
report.Chart(SvgCharts.BarChart("Share of questions where the label is discovered beyond its size", "share of questions", quality, discoveredAdjustedPoints, 1.0),
    $"Size-adjusted: F1 ≥ 0.5 and above the size-preserving permutation null (one-sided p < 0.05, {args.Permutations} permutations of the labels).");

report.Heading("Agreement with expert labels");
var clustererNames = summary.Select(s => s.Key.clusterer!).Distinct().ToList();
double[,] Grid(string metric)
{
    var grid = new double[embedderNames.Count, clustererNames.Count];
    for (int i = 0; i < embedderNames.Count; i++)
        for (int j = 0; j < clustererNames.Count; j++)
            grid[i, j] = summary.FirstOrDefault(s => s.Key.embedder == embedderNames[i] && s.Key.clusterer == clustererNames[j] && s.Key.metric == metric)?.Mean ?? double.NaN;
    return grid;
}
report.Chart(SvgCharts.Heatmap("Mean ARI over questions", embedderNames, clustererNames, Grid("ari"), "embedder", "clusterer", "0.000"),
    "Adjusted Rand index of clusters against expert labels, mean over questions (0 = chance, 1 = identical).");
report.Chart(SvgCharts.Heatmap("Mean AMI over questions", embedderNames, clustererNames, Grid("ami"), "embedder", "clusterer", "0.000"),
    "Adjusted mutual information, mean over questions.");
List<LinePoint> KLines(string metric) => kSummary.Where(g => g.Key.metric == metric)
    .Select(g => new LinePoint(g.Key.embedder, g.Key.k, g.Mean, g.Low, g.High)).ToList();
report.Chart(SvgCharts.LineChart("k-means agreement by number of clusters: ARI", "k (clusters)", "mean ARI", KLines("ari")),
    $"Mean over questions with 95% bootstrap band; k = 2 .. {args.KMax} (up to answers − 1).");
report.Chart(SvgCharts.LineChart("k-means agreement by number of clusters: AMI", "k (clusters)", "mean AMI", KLines("ami")),
    "AMI adjusts for chance too, and penalises many small clusters less than ARI.");
if (stability.Count > 0)
    report.Table(KpLab.Scripting.ResultTables.FromRows("stability", stability),
        $"Stability (MTEB's manner): ARI and AMI over {args.Resamples} bootstrap resamples of each question, each clustering repeated on each resample; per question the mean and standard deviation over resamples, averaged over questions");

report.Heading("Per-question drill-down");
var first = embedderNames[0];
report.Paragraph($"Each question's expert labels against its {first} k-means clusters: the contingency table, a PCA map of the answers, and what each cluster holds " +
    "(size, label mix, top terms by class-based TF-IDF, the answers nearest its centroid). Click a question to open it.");
var drillTrials = results.Trials.Where(t => t.Embedder.Label == first && t.Clusterer?.Label == "kmeans")
    .OrderBy(t => t.Unit.Id == mapQuestion ? 0 : 1).ThenBy(t => t.Unit.Id, StringComparer.Ordinal).ToList();
var ariOf = agreement.Where(r => r.Metric == "ari").ToDictionary(r => r.TrialId, r => r.Value);
foreach (var trial in drillTrials)
{
    var unit = trial.Unit.Data;
    var partition = results.PartitionOf(trial);   // kept in the trial store: nothing is re-clustered
    var embeddings = Lab.Embedder(first).Embed(unit.Texts);   // from the embedding cache
    var labelsHere = quality.Where(l => unit.LabelNames.Contains(l)).ToList();
    var clusterIds = partition.Labels.Distinct().Order().ToList();
    var counts = new double[labelsHere.Count, clusterIds.Count];
    for (int i = 0; i < unit.Count; i++) counts[labelsHere.IndexOf(unit.Items[i].Label!), clusterIds.IndexOf(partition.Labels[i])]++;
    var descriptors = ClusterDescriptors.Describe(unit.Texts, unit.Labels, embeddings, partition, topTerms: 8, representatives: 2);
    if (trial.Unit.Id == mapQuestion)
    {
        // The opened question's embeddings and clusters, for checking its recorded numbers outside the pipeline.
        Lab.SaveNpy($"drilldown-{first}.npy", embeddings);
        Lab.Table($"drilldown-{first}-kmeans", Enumerable.Range(0, unit.Count).Select(i => new { question = trial.Unit.Id, row = i, id = unit.Items[i].Id, label = unit.Items[i].Label, cluster = partition.Labels[i] }));
    }
    report.Collapsible($"{trial.Unit.Id}: {unit.Count} answers, {labelsHere.Count} labels, ARI {ariOf[trial.Id]:F3}", r =>
    {
        r.Chart(SvgCharts.Heatmap($"Labels against clusters ({first}, k-means)", labelsHere, clusterIds.Select(c => c.ToString()).ToList(), counts, "expert label", "cluster"),
            "Each cell counts the answers with that expert label in that cluster.");
        var (px, py, e1, e2) = PrincipalComponents.Project2D(embeddings);
        var dots = Enumerable.Range(0, unit.Count).Select(i => new ScatterPoint(px[i], py[i], unit.Items[i].Label!, partition.Labels[i], unit.Items[i].Text)).ToList();
        r.Chart(SvgCharts.Scatter($"PCA map of the answers ({first})", dots, labelsHere, $"PC1 ({e1:P0} of variance)", $"PC2 ({e2:P0})"),
            "Colour = expert label, marker = k-means cluster. Hover a point to read the answer.");
        r.Table(ClusterDescriptors.ToTable(descriptors), $"What each cluster holds ({first}, k-means)");
    }, open: trial.Unit.Id == mapQuestion);
}

report.Heading("Summary tables");
report.Table(KpLab.Scripting.ResultTables.FromRows("summary", summary.Select(s => new { embedder = s.Key.embedder, clusterer = s.Key.clusterer,
    metric = s.Key.metric, mean = s.Mean, low = s.Low, high = s.High, questions = s.Count })), "Agreement with expert labels, mean over questions with 95% bootstrap interval");
Lab.Save("report.html", report);
Lab.Log($"Report: {Lab.OutPath("report.html")}");
