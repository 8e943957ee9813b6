namespace KpLab.Scripting.Tests;

/// <summary>Lab.Sweep through the script runner: plugins created once per configuration, a compact run record.</summary>
public sealed class SweepScriptTests : IDisposable
{
    private readonly ScriptWorkspace workspace = new();

    public void Dispose() => workspace.Dispose();

    [Fact]
    public async Task A_sweep_creates_each_configuration_once_and_the_record_lists_it_once_without_table_rows()
    {
        workspace.Write("data/mini/dataset.yaml", "path: answers.csv\ntext: answer_text\nid: answer_id\nlabel: label\ngroup: question_id\n");
        workspace.Write("data/mini/answers.csv",
            "question_id,answer_id,answer_text,label\nq1,a1,short,wrong\nq1,a2,a much longer answer,correct\nq2,a3,tiny,wrong\nq2,a4,short,wrong\n");
        workspace.Write("sweep.csx", """
            var results = Lab.Sweep(Lab.LoadDataset("mini").SplitByGroup())
                .Embedders("fake-embed")
                .Clusterers("threshold", q => new[] { 1.0, 4.5, 10.0 }.Select(t => new { threshold = t }))
                .Metrics("agreement")
                .Run();
            Lab.Table("results", results);
            Lab.Table("summary", results.For("agreement").GroupBy(r => new { r.Options }).Mean(Lab.Random));
            Lab.Table("empty", new List<Pair>());
            record Pair(string Name, int Count);
            for (int i = 0; i < 5; i++) Lab.Metric("agreement");   // created again and again: listed once
            """);
        var plugins = new FakePluginSource();
        var (result, _, error) = await workspace.RunAsync("sweep.csx", plugins, seed: 3);
        Assert.True(result.ExitCode == 0, error);

        var record = ScriptWorkspace.Record(result);
        var listed = record.GetProperty("plugins").EnumerateArray()
            .Select(p => (p.GetProperty("name").GetString(), p.GetProperty("options").ToString(), p.GetProperty("created").GetInt32())).ToList();
        // In order of creation: embedders and metrics at declaration, clusterer grids when the sweep expands.
        Assert.Equal([
            ("fake-embed", "{}", 1),
            ("agreement", "{}", 6),
            ("threshold", """{"threshold":1,"minClusterSize":1}""", 1),
            ("threshold", """{"threshold":4.5,"minClusterSize":1}""", 1),
            ("threshold", """{"threshold":10,"minClusterSize":1}""", 1),
        ], listed.Select(p => (p.Item1, p.Item2.Replace(" ", "").Replace("\n", "").Replace("\r", ""), p.Item3)));
        // Six trials (2 questions x 3 thresholds), each embedding computed once per question.
        var sweep = Assert.Single(record.GetProperty("sweeps").EnumerateArray());
        Assert.Equal(6, sweep.GetProperty("trials").GetInt32());
        Assert.Equal(2, plugins.Embedder.Calls.Count);
        // Tables: name, file, columns, row count and hash; their rows only in the files.
        var summary = record.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "summary");
        Assert.Equal(3, summary.GetProperty("rows").GetInt32());
        Assert.Equal(64, summary.GetProperty("sha256").GetString()!.Length);
        var folder = result.RunDirectory!;
        Assert.Equal("Options,Mean,Low,High,Count", File.ReadLines(Path.Combine(folder, "summary.csv")).First());
        Assert.Equal("Name,Count", File.ReadAllText(Path.Combine(folder, "empty.csv")).Trim());   // typed: the header of an empty table
        Assert.Equal(7, File.ReadAllLines(Path.Combine(folder, "trials.csv")).Length);
        Assert.Equal(6, Directory.GetFiles(Path.Combine(folder, "trials"), "*.json").Length);
    }
}
