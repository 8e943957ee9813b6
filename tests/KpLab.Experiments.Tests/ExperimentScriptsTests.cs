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

        var report = Path.Combine(flagship, "report.html");
        var html = File.ReadAllText(report);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        int charts = int.Parse(Regex.Match(html, "data-charts=\"(\\d+)\"").Groups[1].Value);
        Assert.Equal(4, charts);

        // The screenshot is kept for a person to look at (scripts/test leaves it under artifacts/test-results/).
        var png = Path.Combine(Repo, "artifacts", "test-results", "anna-karenina-report.png");
        var page = await HeadlessBrowser.RenderAsync(report, png);
        Assert.Contains($"data-charts-rendered=\"{charts}\"", page.Dom);
        Assert.Empty(page.ConsoleErrors);
        Assert.True(new FileInfo(png).Length > 50_000, "the report screenshot is suspiciously small");
    }

    /// <summary>
    /// The ward and HDBSCAN rows of the flagship's scores equal, digit for digit, those the hand-written flagship
    /// computed before the sweep rewrite (Fixtures/anna-karenina-scores-ward-hdbscan.csv, TF-IDF and USE-Lite).
    /// </summary>
    private static void FlagshipMatchesItsPreSweepScores(string flagship)
    {
        static List<Dictionary<string, string>> Read(string path)
        {
            var table = KpLab.Data.CsvTable.Load(path);
            return table.Records.Select(r => table.Header.Select((h, i) => (h, v: r.Fields[i])).ToDictionary(x => x.h, x => x.v)).ToList();
        }
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
