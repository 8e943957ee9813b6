using System.Text.Json;
using System.Text.RegularExpressions;
using KpLab.Browser;
using KpLab.Scripting.Tests;

namespace KpLab.Experiments.Tests;

/// <summary>
/// `kplab run-all experiments/` (what CI runs): every experiment script succeeds on the bundled data and models, each in
/// its own process; then the flagship's report renders in headless Chromium with every chart drawn and a clean console.
/// </summary>
public sealed class ExperimentScriptsTests : IDisposable
{
    private static readonly string Repo = KplabProcess.Repo;
    private readonly string _runs = Directory.CreateTempSubdirectory("kplab-experiments-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_runs, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Every_experiment_runs_and_the_flagship_report_renders()
    {
        var (exit, output) = Kplab("run-all", Path.Combine(Repo, "experiments"), "--runs", _runs);
        Assert.True(exit == 0, $"kplab run-all exited {exit}:\n{output}");

        var scripts = Directory.GetFiles(Path.Combine(Repo, "experiments"), "*.csx").Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.Contains("anna-karenina", scripts);
        Assert.Contains("quickstart", scripts);
        foreach (var script in scripts)
        {
            var record = Directory.GetFiles(Path.Combine(_runs, script!), "run.json", SearchOption.AllDirectories).Single();
            using var json = JsonDocument.Parse(File.ReadAllText(record));
            Assert.Equal("succeeded", json.RootElement.GetProperty("status").GetString());
        }

        var flagship = Directory.GetDirectories(Path.Combine(_runs, "anna-karenina")).Single();
        foreach (var table in new[] { "scores", "discoverability", "geometry", "summary", "anna-karenina", "k-sweep" })
            Assert.True(File.Exists(Path.Combine(flagship, table + ".csv")), $"{table}.csv missing");
        FlagshipMatchesItsPreSweepScores(flagship);
        // The run record lists each plugin configuration once and no table rows (issue 11: it was 4.2 MB).
        Assert.InRange(new FileInfo(Path.Combine(flagship, "run.json")).Length, 1, 200_000);

        FlagshipFindsTheAnnaKareninaPatternWithMiniLm(flagship);
        FlagshipRecordsWhatPlainLoopsComputeForItsOpenedQuestion(flagship);

        var report = Path.Combine(flagship, "report.html");
        var html = File.ReadAllText(report);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        // Ten summary charts (three density, three discoverability, two heat maps, two k-sweep lines) and, per question,
        // a contingency heat map and a PCA map in its collapsible drill-down.
        int questions = Read(Path.Combine(flagship, "scores.csv")).Select(r => r["question"]).Distinct().Count();
        Assert.Equal(55, questions);
        int charts = int.Parse(Regex.Match(html, "data-charts=\"(\\d+)\"").Groups[1].Value);
        Assert.Equal(10 + 2 * questions, charts);
        Assert.Equal(questions, Regex.Matches(html, "<details[ >]").Count);
        // A verdict for every embedder, not only the first, each worded as its numbers read.
        var verdicts = Read(Path.Combine(flagship, "verdicts.csv"));
        Assert.Equal(["minilm", "arctic-xs", "use-lite", "tfidf", "glove"], verdicts.Select(v => v["embedder"]));
        foreach (var v in verdicts)
        {
            Assert.Contains($"<h3>{v["embedder"]}</h3>", html);
            var sentence = Regex.Match(html, $"<h3>{Regex.Escape(v["embedder"])}</h3>\\s*<ul><li>Raw and anisotropy-corrected density: ([^:]+):").Groups[1].Value;
            Assert.Equal(v["density"] switch { "holds" => "the pattern holds", "mixed" => "mixed", "does not hold" => "the pattern does not hold", var w => w }, sentence);
        }
        Assert.Equal("holds", verdicts[0]["density"]);

        // The screenshot is kept for a person to look at (scripts/test leaves it under artifacts/test-results/).
        var png = Path.Combine(Repo, "artifacts", "test-results", "anna-karenina-report.png");
        var page = await HeadlessBrowser.RenderAsync(report, png);
        Assert.Contains($"data-charts-rendered=\"{charts}\"", page.Dom);
        Assert.Empty(page.ConsoleErrors);
        Assert.True(new FileInfo(png).Length > 50_000, "the report screenshot is suspiciously small");
    }

    /// <summary>
    /// With MiniLM, correct answers are denser (anisotropy-corrected within-label cosine) than each other label's, in
    /// the paired Wilcoxon test over questions with Holm-adjusted p &lt; 0.01, and positive in nearly every question.
    /// </summary>
    private static void FlagshipFindsTheAnnaKareninaPatternWithMiniLm(string flagship)
    {
        var tests = Read(Path.Combine(flagship, "anna-karenina-tests.csv"));
        var minilm = tests.Where(t => t["embedder"] == "minilm" && t["statistic"] == "correctedCosine").ToList();
        Assert.Equal(["contradictory", "irrelevant_or_non_domain", "partially_correct_incomplete"], minilm.Select(t => t["Level"]).Order());
        foreach (var t in minilm)
        {
            Assert.Equal("correct", t["Reference"]);
            Assert.True(Number(t["Mean"]) > 0.1, $"correct − {t["Level"]}: mean {t["Mean"]}");
            Assert.True(Number(t["HolmP"]) < 0.01, $"correct − {t["Level"]}: Holm p {t["HolmP"]}");
            Assert.True(Number(t["HolmP"]) >= Number(t["PValue"]));
            Assert.True(int.Parse(t["Positive"]) >= int.Parse(t["Count"]) - 2, $"correct − {t["Level"]}: positive in {t["Positive"]} of {t["Count"]}");
        }
    }

    /// <summary>
    /// The opened drill-down question's recorded numbers equal what plain loops compute from the embeddings and
    /// clusters the run saved and the labels in the dataset's own CSV: within-label and all-pairs mean cosine, corrected
    /// density (geometry.csv) and the k-means ARI (scores.csv).
    /// </summary>
    private static void FlagshipRecordsWhatPlainLoopsComputeForItsOpenedQuestion(string flagship)
    {
        var rows = Read(Path.Combine(flagship, "drilldown-minilm-kmeans.csv"));
        var question = rows[0]["question"];
        var answers = Read(Path.Combine(Repo, "experiments", "data", "semeval2013-sra", "answers.csv")).Where(a => a["question_id"] == question).ToList();
        Assert.Equal(answers.Select(a => a["answer_id"]), rows.Select(r => r["id"]));
        var labels = answers.Select(a => a["label"]).ToArray();
        var clusters = rows.Select(r => int.Parse(r["cluster"])).ToArray();
        var x = KpLab.Data.NpyFile.Load(Path.Combine(flagship, "drilldown-minilm.npy"));
        int n = labels.Length;
        Assert.Equal(n, x.Rows);

        var unit = new double[n][];
        for (int i = 0; i < n; i++)
        {
            double norm = 0;
            for (int j = 0; j < x.Columns; j++) norm += (double)x[i, j] * x[i, j];
            unit[i] = new double[x.Columns];
            for (int j = 0; j < x.Columns; j++) unit[i][j] = norm > 0 ? x[i, j] / Math.Sqrt(norm) : 0;
        }
        double Cosine(int a, int b)
        {
            double dot = 0;
            for (int j = 0; j < unit[a].Length; j++) dot += unit[a][j] * unit[b][j];
            return dot;
        }
        double allPairs = 0;
        var within = new Dictionary<string, (double Sum, int Pairs)>();
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++)
            {
                var c = Cosine(a, b);
                allPairs += c;
                if (labels[a] != labels[b]) continue;
                var (sum, pairs) = within.GetValueOrDefault(labels[a]);
                within[labels[a]] = (sum + c, pairs + 1);
            }
        allPairs /= n * (n - 1) / 2.0;

        var geometry = Read(Path.Combine(flagship, "geometry.csv")).Where(g => g["embedder"] == "minilm" && g["question"] == question).ToList();
        Assert.Equal(labels.Distinct().Order(), geometry.Select(g => g["label"]).Order());
        foreach (var g in geometry)
        {
            var (sum, pairs) = within[g["label"]];
            Assert.Equal(sum / pairs, Number(g["withinCosine"]), 9);
            Assert.Equal(allPairs, Number(g["allPairsCosine"]), 9);
            Assert.Equal(sum / pairs - allPairs, Number(g["correctedCosine"]), 9);
        }

        // ARI from the contingency table: (Σ C(n_ij, 2) − E) / (½(Σ C(a_i, 2) + Σ C(b_j, 2)) − E), E = Σ C(a_i, 2) Σ C(b_j, 2) / C(n, 2).
        static double Pairs(double m) => m * (m - 1) / 2;
        double cells = labels.Zip(clusters).GroupBy(p => p).Sum(g => Pairs(g.Count()));
        double rowsSum = labels.GroupBy(l => l).Sum(g => Pairs(g.Count())), columnsSum = clusters.GroupBy(c => c).Sum(g => Pairs(g.Count()));
        double expected = rowsSum * columnsSum / Pairs(n);
        double ari = (cells - expected) / ((rowsSum + columnsSum) / 2 - expected);
        var recorded = Read(Path.Combine(flagship, "scores.csv")).Single(r => r["embedder"] == "minilm" && r["clusterer"] == "kmeans" && r["question"] == question);
        Assert.Equal(ari, Number(recorded["ari"]), 12);
    }

    private static double Number(string text) => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    private static List<Dictionary<string, string>> Read(string path)
    {
        var table = KpLab.Data.CsvTable.Load(path);
        return table.Records.Select(r => table.Header.Select((h, i) => (h, v: r.Fields[i])).ToDictionary(x => x.h, x => x.v)).ToList();
    }

    /// <summary>
    /// The ward and HDBSCAN rows of the flagship's scores equal, digit for digit, those the hand-written flagship
    /// computed before the sweep rewrite (Fixtures/anna-karenina-scores-ward-hdbscan.csv, TF-IDF and USE-Lite).
    /// </summary>
    private static void FlagshipMatchesItsPreSweepScores(string flagship)
    {
        var before = Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "anna-karenina-scores-ward-hdbscan.csv"));
        var now = Read(Path.Combine(flagship, "scores.csv")).ToDictionary(r => (r["embedder"], r["clusterer"], r["question"]));
        Assert.Equal(220, before.Count);
        foreach (var old in before)
        {
            // Before: "ward k=3" / "hdbscan" in one column; now the clusterer's label, with its options beside it.
            var row = now[(old["embedder"], old["clusterer"].Split(' ')[0], old["question"])];
            Assert.Equal((old["n"], old["clusters"], old["noise"], old["ari"], old["ami"], old["nmi"]),
                (row["rows"], row["clusters"], row["noise"], row["ari"], row["ami"], row["nmi"]));
        }
    }

    private static (int Exit, string Output) Kplab(params string[] args)
    {
        var (exit, output, error) = KplabProcess.Run(args, timeout: TimeSpan.FromMinutes(20));
        return (exit, output + error);
    }
}
