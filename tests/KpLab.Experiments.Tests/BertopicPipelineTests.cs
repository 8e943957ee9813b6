using System.Globalization;
using KpLab.Data;
using KpLab.Scripting.Tests;

namespace KpLab.Experiments.Tests;

/// <summary>
/// experiments/bertopic-pipeline.csx (minilm -> umap -> hdbscan against hdbscan on the raw vectors) on the bundled
/// SemEval answers: it scores every question with at least 60 answers, its summary is the mean of its per-question
/// rows, and UMAP before HDBSCAN leaves far fewer answers as noise (seed 0, one thread: 40% -> 5% when written); the
/// two outlier steps (nearest centroid, HDBSCAN probabilities with threshold 0.05) move only noise rows (probabilities:
/// 257 of the 264 noise answers in 55 questions when written).
/// </summary>
public sealed class BertopicPipelineTests : IDisposable
{
    private const string Raw = "hdbscan on minilm";
    private const string Piped = "umap 5-d + hdbscan";
    private const string Reassigned = "umap 5-d + hdbscan + outlier reassignment";
    private const string ByProbabilities = "umap 5-d + hdbscan + probabilities reassignment";
    private readonly string _runs = Directory.CreateTempSubdirectory("kplab-bertopic-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_runs, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Umap_before_hdbscan_scores_every_question_and_cuts_the_noise()
    {
        var (exit, output, error) = KplabProcess.Run(["run", Path.Combine(KplabProcess.Repo, "experiments", "bertopic-pipeline.csx"),
            "--runs", _runs, "--seed", "0", "--threads", "1"], timeout: TimeSpan.FromMinutes(20));
        Assert.True(exit == 0, $"kplab run exited {exit}:\n{output}{error}");
        var run = Directory.GetDirectories(Path.Combine(_runs, "bertopic-pipeline")).Single();

        var expectedQuestions = Dataset.LoadCsv(Path.Combine(KplabProcess.Repo, "experiments", "data", "semeval2013-sra", "answers.csv"),
                new CsvColumnMapping { Text = "answer_text", Label = "label", Group = "question_id", Id = "answer_id" })
            .SplitByGroup().Count(q => q.Count >= 60);
        var summary = Csv(Path.Combine(run, "summary.csv")).ToDictionary(r => r["Pipeline"]);
        var scores = Csv(Path.Combine(run, "scores.csv"));
        Assert.Equal([Raw, Piped, Reassigned, ByProbabilities], summary.Keys.Order());
        foreach (var (pipeline, row) in summary)
        {
            var own = scores.Where(s => s["Pipeline"] == pipeline).ToList();
            Assert.Equal(expectedQuestions, int.Parse(row["Questions"], CultureInfo.InvariantCulture));
            Assert.Equal(expectedQuestions, own.Count);
            foreach (var column in new[] { "NoiseShare", "Ari", "Ami", "Discoverability" })
                Assert.Equal(own.Average(s => Number(s[column])), Number(row["Mean" + column]), 1e-9);
            Assert.All(own, s => Assert.InRange(Number(s["NoiseShare"]), 0, 1));
            Assert.All(own, s => Assert.InRange(Number(s["Ari"]), -1, 1));
            Assert.All(own, s => Assert.InRange(Number(s["Discoverability"]), 0, 1));
        }
        // The point of reducing first: HDBSCAN on 384-d vectors calls most answers noise; on the 5-d layout few.
        Assert.True(Number(summary[Raw]["MeanNoiseShare"]) > 0.25, $"raw noise share {summary[Raw]["MeanNoiseShare"]}");
        Assert.True(Number(summary[Piped]["MeanNoiseShare"]) < 0.15, $"umap noise share {summary[Piped]["MeanNoiseShare"]}");
        Assert.True(Number(summary[Piped]["MeanClusters"]) > Number(summary[Raw]["MeanClusters"]));
        // Reassignment (cosine to the nearest centroid, threshold 0) moves exactly the noise rows of the same partition
        // into its clusters: per question, moved = noise before, no noise after, the same clusters.
        foreach (var after in scores.Where(s => s["Pipeline"] == Reassigned))
        {
            var before = scores.Single(s => s["Pipeline"] == Piped && s["Question"] == after["Question"]);
            int answers = int.Parse(after["Answers"], CultureInfo.InvariantCulture);
            if (before["Clusters"] == "0") continue;   // nowhere to move noise to: the script leaves the partition as it is
            Assert.Equal(Math.Round(Number(before["NoiseShare"]) * answers), int.Parse(after["Moved"], CultureInfo.InvariantCulture));
            Assert.Equal(0, Number(after["NoiseShare"]));
            Assert.Equal(before["Clusters"], after["Clusters"]);
        }

        // Reassignment by HDBSCAN's soft clustering (argmax of the membership vector when it is at least 0.05) also moves
        // only noise rows into the same clusters; the threshold may keep some as noise.
        int movedByProbabilities = 0;
        foreach (var after in scores.Where(s => s["Pipeline"] == ByProbabilities))
        {
            var before = scores.Single(s => s["Pipeline"] == Piped && s["Question"] == after["Question"]);
            int answers = int.Parse(after["Answers"], CultureInfo.InvariantCulture);
            int moved = int.Parse(after["Moved"], CultureInfo.InvariantCulture);
            Assert.Equal(Math.Round((Number(before["NoiseShare"]) - Number(after["NoiseShare"])) * answers), moved);
            Assert.InRange(moved, 0, Math.Round(Number(before["NoiseShare"]) * answers));
            Assert.Equal(before["Clusters"], after["Clusters"]);
            movedByProbabilities += moved;
        }
        Assert.True(movedByProbabilities > 0, "reassignment by HDBSCAN probabilities moved no answer in any question");

        var report = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("probabilities reassignment", report);
        Assert.Contains(Piped, report);
        Assert.Contains("outlier reassignment", report);
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>A table the script wrote: its values hold no commas or quotes.</summary>
    private static List<Dictionary<string, string>> Csv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }
}
