using System.Diagnostics;
using System.Text.Json;
using KpLab.Scripting.Tests;

namespace KpLab.Sweeps.Tests;

/// <summary>
/// The real kplab command runs a sweep (TF-IDF, k-means for k = 2..7 and HDBSCAN on 12 SemEval questions) and is
/// killed with SIGKILL at three random points, each time resumed with <c>--resume</c>; the finished run's tables must
/// equal, byte for byte, those of an uninterrupted run, every trial must be stored once and counted once, and
/// <c>--jobs 2</c> must give the same bytes as <c>--jobs 1</c>.
/// </summary>
public sealed class ResumeAfterKillTests : IDisposable
{
    private const string Script = """
        var data = Lab.LoadDataset(Lab.Args[0], text: "answer_text", label: "label", group: "question_id");
        var questions = data.SplitByGroup().Take(12).ToList();
        var results = Lab.Sweep(questions)
            .Embedders("tfidf")
            .Clusterers("kmeans", q => Enumerable.Range(2, 6).Select(k => new { k, nInit = 3 }))
            .Clusterer("hdbscan", new { minClusterSize = 5 }, rows: RowTransform.Normalize)
            .Clusterer("agglomerative", q => new { nClusters = q.LabelNames.Count, linkage = "ward" }, label: "ward")
            .Metrics("ari", "ami", "discoverability")
            .Run();
        Lab.Table("results", results);
        Lab.Table("scores", results.Where(r => r.Label == null && r.Statistic == "value")
            .Pivot("scores", r => new { r.Unit, r.Clusterer, r.Options }, r => r.Metric));
        Lab.Table("summary", results.For("ari").GroupBy(r => new { r.Clusterer, r.Options }).Mean(Lab.Random));
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("kplab-resume-").FullName;
    private readonly string _script;
    private readonly string _data = Path.Combine(KplabProcess.Repo, "experiments", "data", "semeval2013-sra", "answers.csv");

    public ResumeAfterKillTests()
    {
        _script = Path.Combine(_root, "sweep.csx");
        File.WriteAllText(_script, Script);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void A_sweep_killed_three_times_resumes_to_the_uninterrupted_tables_counting_each_trial_once()
    {
        var reference = RunToEnd(["run", _script, "--runs", Path.Combine(_root, "a"), "--threads", "2", "--", _data]);
        const int trials = 12 * 8;
        Assert.Equal(trials, Directory.GetFiles(Path.Combine(reference, "trials"), "*.json").Length);

        var random = new Random(20261129);   // the kill points: fixed, so a failure reproduces
        int[] killAt = [random.Next(3, 30), random.Next(35, 60), random.Next(65, 90)];
        var runs = Path.Combine(_root, "b");
        string? folder = null;
        foreach (var target in killAt)
        {
            string[] args = folder is null
                ? ["run", _script, "--runs", runs, "--threads", "2", "--", _data]
                : ["run", _script, "--resume", folder, "--threads", "2", "--", _data];
            folder = KillWhenStored(args, runs, folder, target);
        }
        var before = Directory.GetFiles(Path.Combine(folder!, "trials"), "*.json").Length;
        Assert.InRange(before, killAt[2], trials - 1);

        Assert.Equal(folder, RunToEnd(["run", _script, "--resume", folder!, "--threads", "2", "--", _data]));
        foreach (var table in new[] { "results.csv", "scores.csv", "summary.csv", "trials.csv" })
            Assert.True(File.ReadAllBytes(Path.Combine(reference, table)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(folder!, table))),
                $"{table} of the resumed run differs from the uninterrupted run's");

        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder!, "run.json")));
        var root = record.RootElement;
        Assert.Equal("succeeded", root.GetProperty("status").GetString());
        Assert.Equal(3, root.GetProperty("attempts").GetArrayLength());
        var sweep = Assert.Single(root.GetProperty("sweeps").EnumerateArray());
        Assert.Equal((trials, trials - before, before),
            (sweep.GetProperty("trials").GetInt32(), sweep.GetProperty("computed").GetInt32(), sweep.GetProperty("fromStore").GetInt32()));
        Assert.Equal(trials, Directory.GetFiles(Path.Combine(folder!, "trials"), "*.json").Length);
        // Each (trial, metric, label, statistic) once in the long table.
        var keys = File.ReadAllLines(Path.Combine(folder!, "results.csv")).Skip(1).Select(KeyOf).ToArray();
        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Equal(trials, keys.Select(k => k.Split('|')[0]).Distinct().Count());

        // --jobs 2: the same bytes.
        var parallel = RunToEnd(["run", _script, "--runs", Path.Combine(_root, "c"), "--threads", "2", "--jobs", "2", "--", _data]);
        foreach (var table in new[] { "results.csv", "scores.csv", "summary.csv" })
            Assert.True(File.ReadAllBytes(Path.Combine(reference, table)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(parallel, table))),
                $"{table} with --jobs 2 differs from --jobs 1");
    }

    [Fact]
    public void Resume_refuses_changed_arguments_and_a_changed_script_naming_the_difference()
    {
        var folder = RunToEnd(["run", _script, "--runs", Path.Combine(_root, "a"), "--threads", "2", "--", _data]);
        var (exit, _, error) = KplabProcess.Run(["run", _script, "--resume", folder, "--", _data, "extra"]);
        Assert.Equal(2, exit);
        Assert.Contains("the script arguments differ", error);
        File.AppendAllText(_script, "\nLab.Log(\"changed\");\n");
        (exit, _, error) = KplabProcess.Run(["run", _script, "--resume", folder, "--", _data]);
        Assert.Equal(2, exit);
        Assert.Contains($"the script {_script} changed since that run", error);
    }

    private static string KeyOf(string csvLine)
    {
        // unit,embedder,clusterer,options,seed,metric,label,statistic,value,trialId: options may be quoted ("k=2, nInit=3").
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (var c in csvLine)
        {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return string.Join("|", fields[9], fields[5], fields[6], fields[7]);
    }

    private static string RunToEnd(string[] args)
    {
        var (exit, output, error) = KplabProcess.Run(args, timeout: TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"kplab {string.Join(" ", args)} exited {exit}:\n{output}\n{error}");
        return FolderOf(args) ?? throw new InvalidOperationException("no run folder");
    }

    private static string? FolderOf(string[] args)
    {
        int resume = Array.IndexOf(args, "--resume");
        if (resume >= 0) return args[resume + 1];
        var runs = args[Array.IndexOf(args, "--runs") + 1];
        return Directory.GetDirectories(Path.Combine(runs, "sweep")).OrderBy(d => d, StringComparer.Ordinal).Last();
    }

    /// <summary>Starts kplab and kills it (SIGKILL) once the run's trial store holds <paramref name="target"/> trials.</summary>
    private static string KillWhenStored(string[] args, string runs, string? folder, int target)
    {
        var start = KplabProcess.StartInfo(args);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            folder ??= Directory.Exists(Path.Combine(runs, "sweep")) ? Directory.GetDirectories(Path.Combine(runs, "sweep")).SingleOrDefault() : null;
            var store = folder is null ? null : Path.Combine(folder, "trials");
            if (store is not null && Directory.Exists(store) && Directory.GetFiles(store, "*.json").Length >= target) break;
            Assert.False(process.HasExited, $"kplab ended (exit {(process.HasExited ? process.ExitCode : 0)}) before {target} trials were stored");
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(3), "timed out waiting for trials");
            Thread.Sleep(10);
        }
        process.Kill();   // SIGKILL on Linux: no handler runs
        process.WaitForExit();
        Assert.Equal(137, process.ExitCode);
        return folder!;
    }
}
