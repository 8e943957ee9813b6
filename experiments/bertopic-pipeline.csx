// The BERTopic-style pipeline on the bundled SemEval-2013 answers: minilm -> umap (5 dimensions, cosine) -> hdbscan,
// against hdbscan on the raw (unit-length) minilm vectors, per question: agreement with the expert labels (ARI, AMI,
// noise counted as a cluster), the share of answers left as noise, and discoverability (share of expert labels whose
// best-matching cluster has F1 >= 0.5).
// A third pipeline adds BERTopic's last step, outlier reassignment: each answer HDBSCAN left as noise joins the cluster
// whose centroid (in the minilm space) is most similar by cosine (BERTopic's "embeddings" strategy, threshold 0).
// A fourth uses BERTopic's "probabilities" strategy instead: HDBSCAN's soft clustering (the hdbscan library's
// all_points_membership_vectors, what BERTopic's probabilities are) moves a noise answer to its most probable cluster
// when that probability is at least the threshold (0.05, the value in BERTopic's documentation).
using System.ComponentModel;

record Args(
    [Description("Questions with fewer answers are left out")] int MinAnswers = 60,
    [Description("HDBSCAN's minClusterSize")] int MinClusterSize = 5,
    [Description("UMAP's nNeighbors")] int UmapNeighbors = 15,
    [Description("UMAP's output dimensions")] int UmapComponents = 5,
    [Description("Smallest soft-membership probability that moves a noise answer (the fourth pipeline)")] double ProbabilityThreshold = 0.05);
var args = Lab.Args<Args>();   // `-- --help` lists these
var minAnswers = args.MinAnswers;
var minClusterSize = args.MinClusterSize;
var neighbours = args.UmapNeighbors;
var components = args.UmapComponents;
var probabilityThreshold = args.ProbabilityThreshold;

var data = Lab.LoadDataset("semeval2013-sra");
var questions = data.SplitByGroup().Where(q => q.Count >= minAnswers).ToList();
Lab.Log($"{questions.Count} questions with at least {minAnswers} answers ({questions.Sum(q => q.Count)} answers)");

var embedder = Lab.Embedder("minilm");
// BERTopic's UMAP settings: minDist 0 (tight clumps for a density clusterer) and the cosine distance of sentence vectors.
var umap = Lab.Reducer("umap", new { nNeighbors = neighbours, components, minDist = 0.0, metric = "cosine" });
// Fitted as a model, whose partition is Fit's, so that its soft clustering can be asked for.
var hdbscan = (IPredictingClusterer)Lab.Clusterer("hdbscan", new { minClusterSize });

var rows = new List<PipelineScore>();
foreach (var q in questions)
{
    var vectors = embedder.Embed(q.Texts).NormalizeRows();
    var reduced = umap.Fit(vectors).Embedding;
    rows.Add(Score("hdbscan on minilm", q, hdbscan.Fit(vectors)));
    var model = hdbscan.FitModel(reduced);
    var piped = model.Partition;
    rows.Add(Score($"umap {components}-d + hdbscan", q, piped));
    // With no cluster at all there is nowhere to move the noise to: the partition stays as it is.
    var reassigned = piped.ClusterCount > 0 ? OutlierReassignment.ToNearestCentroid(piped, vectors, CentroidMeasure.Cosine) : null;
    rows.Add(Score($"umap {components}-d + hdbscan + outlier reassignment", q, reassigned?.Partition ?? piped) with { Moved = reassigned?.Moved ?? 0 });
    var byProbability = piped.ClusterCount > 0 ? OutlierReassignment.ByMembership((ISoftClusterModel)model, probabilityThreshold) : null;
    rows.Add(Score($"umap {components}-d + hdbscan + probabilities reassignment", q, byProbability?.Partition ?? piped) with { Moved = byProbability?.Moved ?? 0 });
}

PipelineScore Score(string pipeline, Dataset q, Partition p)
{
    var input = new EvaluationInput { Predicted = p, Truth = q.Labels };
    return new PipelineScore(pipeline, q.Items[0].Group, q.Count, q.LabelNames.Count, p.ClusterCount, (double)p.NoiseCount / q.Count,
        Lab.Metric("ari").Evaluate(input).Value, Lab.Metric("ami").Evaluate(input).Value, Lab.Metric("discoverability").Evaluate(input).Value);
}

var summary = rows.GroupBy(r => r.Pipeline)
    .Select(g => new PipelineSummary(g.Key, g.Count(), g.Average(r => r.Clusters), g.Average(r => r.NoiseShare), g.Average(r => r.Ari),
        g.Average(r => r.Ami), g.Average(r => r.Discoverability)))
    .ToList();
Lab.Table("scores", rows);
Lab.Table("summary", summary);
foreach (var s in summary)
    Lab.Log($"{s.Pipeline,-24} clusters {s.MeanClusters,5:F1}  noise {s.MeanNoiseShare,6:P1}  ARI {s.MeanAri:F3}  AMI {s.MeanAmi:F3}  discoverability {s.MeanDiscoverability:F3}");

var report = new HtmlReport("BERTopic-style pipeline: UMAP before HDBSCAN on SemEval-2013 answers");
report.Paragraph($"{questions.Count} questions with at least {minAnswers} answers ({questions.Sum(q => q.Count)} answers), embedded with minilm. " +
    $"HDBSCAN (minClusterSize {minClusterSize}) on the unit-length vectors, against UMAP ({neighbours} neighbours, {components} dimensions, minDist 0, cosine) " +
    $"followed by the same HDBSCAN. Seed {Lab.Seed}, {Lab.Threads} thread(s).");
report.Paragraph("The third pipeline ends with BERTopic's outlier reassignment: every answer HDBSCAN left as noise joins the cluster whose minilm centroid is most similar (cosine).");
report.Paragraph($"The fourth uses BERTopic's \"probabilities\" strategy instead: HDBSCAN's soft clustering (the hdbscan library's all_points_membership_vectors) " +
    $"moves a noise answer to its most probable cluster when that probability is at least {probabilityThreshold}.");
var raw = summary[0];
var piped = summary[1];
var reassignedSummary = summary[2];
var probabilitySummary = summary[3];
report.Heading("What the numbers say");
report.Bullets([
    $"Noise: HDBSCAN leaves {raw.MeanNoiseShare:P0} of the answers unassigned on the raw vectors and {piped.MeanNoiseShare:P0} after UMAP.",
    $"Agreement with the expert labels (noise as one more cluster): ARI {raw.MeanAri:F3} -> {piped.MeanAri:F3}, AMI {raw.MeanAmi:F3} -> {piped.MeanAmi:F3}.",
    $"Discoverability (labels whose best cluster has F1 >= 0.5): {raw.MeanDiscoverability:P0} -> {piped.MeanDiscoverability:P0} of the labels.",
    $"After outlier reassignment: noise {reassignedSummary.MeanNoiseShare:P0}, ARI {reassignedSummary.MeanAri:F3}, AMI {reassignedSummary.MeanAmi:F3}, discoverability {reassignedSummary.MeanDiscoverability:P0}.",
    $"After reassignment by HDBSCAN probabilities (threshold {probabilityThreshold}): noise {probabilitySummary.MeanNoiseShare:P0}, ARI {probabilitySummary.MeanAri:F3}, AMI {probabilitySummary.MeanAmi:F3}, discoverability {probabilitySummary.MeanDiscoverability:P0}.",
]);
report.Heading("Mean over questions");
report.Table(KpLab.Scripting.ResultTables.FromRows("summary", summary), "Mean over questions, per pipeline");
report.Heading("Per question");
report.Table(KpLab.Scripting.ResultTables.FromRows("scores", rows), "One row per pipeline and question");
Lab.Save("report.html", report);
Lab.Log($"Report: {Lab.OutPath("report.html")}");

/// <summary>One pipeline on one question.</summary>
record PipelineScore(string Pipeline, string Question, int Answers, int Labels, int Clusters, double NoiseShare, double Ari, double Ami,
    double Discoverability, int Moved = 0);

/// <summary>One pipeline, averaged over the questions.</summary>
record PipelineSummary(string Pipeline, int Questions, double MeanClusters, double MeanNoiseShare, double MeanAri, double MeanAmi,
    double MeanDiscoverability);
