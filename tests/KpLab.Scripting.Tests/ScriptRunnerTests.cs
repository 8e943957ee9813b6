using System.Security.Cryptography;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Kernels;

namespace KpLab.Scripting.Tests;

public sealed class ScriptRunnerTests(ScriptWorkspace workspace) : IClassFixture<ScriptWorkspace>
{
    private const string ApiScript = """
        #load "lib/helpers.csx"
        var x = Lab.LoadNpy("vectors.npy");
        var d = Lab.LoadDataset("mini");
        var d2 = Lab.LoadDataset("data/mini/answers.csv", text: "answer_text", label: "label", group: "question_id");
        var v = Lab.Embedder("fake-embed").Embed(d.Texts);
        var again = Lab.Embedder("fake-embed").Embed(d.Texts);
        var p = Lab.Clusterer("threshold", new { threshold = 4.5 }).Fit(v);
        var r = Lab.Metric("agreement").Evaluate(new EvaluationInput { Predicted = p, Truth = d.Labels });
        Lab.Log($"agreement = {r.Value:F4} rows={x.Rows} first={x.Row(1)[0]} groups={d2.Groups.Distinct().Count()} twice={Twice(21)}");
        var rows = d.Items.Select((item, i) => new { item.Id, cluster = p.Labels[i], length = v.Row(i)[0] }).ToList();
        Lab.Table("scores", rows);
        Lab.Table("agreement", r);
        Lab.SaveNpy("out.npy", v);
        Lab.Save("labels.csv", p);
        Lab.Log($"args={string.Join("|", Lab.RawArgs)} seed={Lab.Seed} threads={Lab.Threads} out={Directory.Exists(Lab.Out)}");
        """;

    private void WriteApiFixture()
    {
        workspace.Write("data/mini/dataset.yaml", "path: answers.csv\ntext: answer_text\nid: answer_id\nlabel: label\ngroup: question_id\n");
        workspace.Write("data/mini/answers.csv",
            "question_id,answer_id,answer_text,label\nq1,a1,short,wrong\nq1,a2,a much longer answer,correct\nq2,a3,tiny,wrong\nq2,a4,short,wrong\n");
        NpyFile.Save(Path.Combine(workspace.Root, "vectors.npy"), EmbeddingMatrix.FromRows([new float[] { 1, 2 }, new float[] { 3, 4 }]));
        workspace.Write("lib/helpers.csx", "static int Twice(int x) => 2 * x;\n");
        workspace.Write("api.csx", ApiScript);
    }

    [Fact]
    public async Task TheScriptApiWorksAsDocumentedAndEverythingLandsInTheRunRecord()
    {
        WriteApiFixture();
        var plugins = new FakePluginSource();
        var (result, output, error) = await workspace.RunAsync("api.csx", plugins, args: ["a", "b c"], seed: 7, threads: 1);

        Assert.True(result.ExitCode == 0, error);
        Assert.Contains("agreement = 0.5000 rows=2 first=3 groups=2 twice=42", output);
        Assert.Contains("fake-embed: 4 texts, 0 from the cache, 3 embedded.", output);
        Assert.Contains("fake-embed: 4 texts, 4 from the cache, 0 embedded.", output);
        Assert.Contains("args=a|b c seed=7 threads=1 out=True", output);

        // Only distinct texts reached the embedder, in one call; the second Embed was served from the cache.
        var call = Assert.Single(plugins.Embedder.Calls);
        Assert.Equal(new[] { "short", "a much longer answer", "tiny" }, call.Select(t => t ?? ""));
        // Every plugin got the run seed and thread count.
        Assert.All(plugins.Contexts, c => { Assert.Equal(7, c.Random.Seed); Assert.Equal(1, c.Threads); });

        var record = ScriptWorkspace.Record(result);
        Assert.Equal("succeeded", record.GetProperty("status").GetString());
        Assert.Equal(7, record.GetProperty("seed").GetInt32());
        Assert.Equal(1, record.GetProperty("threads").GetInt32());
        Assert.Equal(["a", "b c"], record.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(2, record.GetProperty("script").GetProperty("files").GetArrayLength());
        var csvHash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(workspace.Root, "data/mini/answers.csv"))));
        var datasets = record.GetProperty("datasets").EnumerateArray().ToList();
        Assert.Equal("mini", datasets[0].GetProperty("name").GetString());
        Assert.All(datasets, d => Assert.Equal(csvHash, d.GetProperty("sha256").GetString()));
        Assert.Single(record.GetProperty("inputs").EnumerateArray());
        var threshold = record.GetProperty("plugins").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "threshold");
        Assert.Equal("9.9.9", threshold.GetProperty("version").GetString());
        Assert.Equal(4.5, threshold.GetProperty("options").GetProperty("threshold").GetDouble());
        Assert.Equal(1, threshold.GetProperty("options").GetProperty("minClusterSize").GetInt32());
        Assert.Contains(record.GetProperty("log").EnumerateArray(), l => l.GetProperty("message").GetString()!.StartsWith("agreement = 0.5000"));
        Assert.Equal(["scores", "agreement"], record.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("name").GetString()));

        var folder = result.RunDirectory!;
        Assert.Equal("Id,cluster,length\na1,1,5\na2,1,20\na3,0,4\na4,1,5\n", File.ReadAllText(Path.Combine(folder, "scores.csv")));
        Assert.Equal("key,count\ncorrect,1\nwrong,3\n", File.ReadAllText(Path.Combine(folder, "agreement.csv")));
        Assert.Equal("row,label,probability\n0,1,1\n1,1,1\n2,0,1\n3,1,1\n", File.ReadAllText(Path.Combine(folder, "labels.csv")));
        var saved = NpyFile.Load(Path.Combine(folder, "out.npy"));
        Assert.Equal(new float[] { 20, 6, 1 }, saved.Row(1).ToArray());
        Assert.StartsWith(Path.Combine(workspace.Runs, "api"), folder);
    }

    [Fact]
    public async Task AnUnchangedScriptIsLoadedFromTheCacheAndAChangedLoadFileIsRecompiled()
    {
        workspace.Write("cached/lib.csx", "static string Word() => \"one\";\n");
        workspace.Write("cached/main.csx", "#load \"lib.csx\"\nLab.Log(Word());\n");
        var first = await workspace.RunAsync("cached/main.csx");
        var second = await workspace.RunAsync("cached/main.csx");
        Assert.Equal(0, second.Result.ExitCode);
        Assert.Equal("one", second.Output.Trim());
        Assert.False(first.Result.Record!.Script.CompiledFromCache);
        Assert.True(second.Result.Record!.Script.CompiledFromCache);

        workspace.Write("cached/lib.csx", "static string Word() => \"two\";\n");
        var third = await workspace.RunAsync("cached/main.csx");
        Assert.False(third.Result.Record!.Script.CompiledFromCache);
        Assert.Equal("two", third.Output.Trim());
        Assert.NotEqual(first.Result.Record.Script.CacheKey, third.Result.Record.Script.CacheKey);
    }

    [Fact]
    public async Task AMissingScriptExitsWith2AndMakesNoRunFolder()
    {
        var (result, _, error) = await workspace.RunAsync("does-not-exist.csx");
        Assert.Equal(2, result.ExitCode);
        Assert.Null(result.RunDirectory);
        Assert.Contains("script not found", error);
    }

    [Fact]
    public async Task ASyntaxErrorIsReportedWithFileLineAndColumnAndExits2()
    {
        var path = workspace.Write("syntax.csx", "Lab.Log(\"fine\");\nvar x = 1\nLab.Log(\"x\");\n");
        var (result, output, error) = await workspace.RunAsync("syntax.csx");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{path}:2:10: error CS1002", error);
        Assert.Equal("", output);
        var record = ScriptWorkspace.Record(result);
        Assert.Equal("compile-error", record.GetProperty("status").GetString());
        Assert.Contains("CS1002", record.GetProperty("diagnostics")[0].GetString());
    }

    [Fact]
    public async Task AnExceptionNamesTheScriptLineExits1AndLeavesEarlierRunsIntact()
    {
        var path = workspace.Write("throws.csx", """
            Lab.Log("start");
            if (Lab.RawArgs.Count > 0)
                throw new InvalidOperationException("boom " + Lab.RawArgs[0]);
            Lab.Table("t", new[] { new { a = 1 } });
            """);
        var good = await workspace.RunAsync("throws.csx");
        Assert.Equal(0, good.Result.ExitCode);
        var goodRecord = File.ReadAllBytes(Path.Combine(good.Result.RunDirectory!, ScriptRunner.RecordFile));
        var goodTable = File.ReadAllBytes(Path.Combine(good.Result.RunDirectory!, "t.csv"));

        var bad = await workspace.RunAsync("throws.csx", args: ["now"]);
        Assert.Equal(1, bad.Result.ExitCode);
        Assert.Contains($"{path}:3: error: InvalidOperationException: boom now", bad.Error);
        Assert.NotEqual(good.Result.RunDirectory, bad.Result.RunDirectory);
        var record = ScriptWorkspace.Record(bad.Result);
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.Equal(1, record.GetProperty("exitCode").GetInt32());
        Assert.Equal($"{path}:3", record.GetProperty("error").GetProperty("location").GetString());
        Assert.Equal("start", record.GetProperty("log")[0].GetProperty("message").GetString());

        Assert.Equal(goodRecord, File.ReadAllBytes(Path.Combine(good.Result.RunDirectory!, ScriptRunner.RecordFile)));
        Assert.Equal(goodTable, File.ReadAllBytes(Path.Combine(good.Result.RunDirectory!, "t.csv")));
    }

    [Fact]
    public async Task AnUnknownPluginOrABadOptionFailsAtTheScriptLineWithAClearMessage()
    {
        var path = workspace.Write("plugins.csx", """
            var data = EmbeddingMatrix.FromRows(new[] { new float[] { 1 } });
            if (Lab.RawArgs[0] == "unknown") Lab.Clusterer("kmeans");
            else Lab.Clusterer("threshold", new { minClusterSize = -3 }).Fit(data);
            """);
        var unknown = await workspace.RunAsync("plugins.csx", args: ["unknown"]);
        Assert.Equal(1, unknown.Result.ExitCode);
        Assert.Contains($"{path}:2: error: UnknownPluginException: No clusterer plugin named 'kmeans'. Available: threshold.", unknown.Error);

        var badOption = await workspace.RunAsync("plugins.csx", args: ["bad"]);
        Assert.Equal(1, badOption.Result.ExitCode);
        Assert.Contains($"{path}:3: error: PluginOptionException:", badOption.Error);
        Assert.Contains("minClusterSize", badOption.Error);
        Assert.Contains("must be at least 1, got -3", badOption.Error);
    }

    [Fact]
    public async Task ThreadsSetTheKernelDegreeDuringTheRunOnly()
    {
        workspace.Write("threads.csx", "Lab.Log(KernelParallelism.Current.ToString());\n");
        int before = KernelParallelism.Current;
        var (result, output, _) = await workspace.RunAsync("threads.csx", threads: 3);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("3", output.Trim());
        Assert.Equal(before, KernelParallelism.Current);
    }

    [Fact]
    public async Task Two_concurrent_runs_keep_their_own_kernel_degree_in_the_script_and_in_plugin_calls()
    {
        // Under the old process-wide degree the second run's --threads replaced the first's while both ran.
        workspace.Write("degree.csx", """
            var data = EmbeddingMatrix.FromRows(new[] { new float[] { 1 }, new float[] { 9 } });
            var c = Lab.Clusterer("threshold");
            for (int i = 0; i < 40; i++)
            {
                c.Fit(data);
                Lab.Log(KernelParallelism.Current.ToString());
                System.Threading.Thread.Sleep(5);
            }
            """);
        var one = new FakePluginSource();
        var three = new FakePluginSource();
        var runs = await Task.WhenAll(workspace.RunAsync("degree.csx", one, threads: 1), workspace.RunAsync("degree.csx", three, threads: 3));
        Assert.All(runs, r => Assert.Equal(0, r.Result.ExitCode));
        Assert.Equal(Enumerable.Repeat("1", 40), runs[0].Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(Enumerable.Repeat("3", 40), runs[1].Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(1, one.Clusterers.Single().LastFit!.Value.Degree);
        Assert.Equal(3, three.Clusterers.Single().LastFit!.Value.Degree);
    }

    [Fact]
    public async Task Cancelling_a_run_stops_it_at_its_next_plugin_call_and_records_when()
    {
        workspace.Write("cancel-loop.csx", """
            var data = EmbeddingMatrix.FromRows(new[] { new float[] { 1 }, new float[] { 9 } });
            var c = Lab.Clusterer("threshold");
            c.Fit(data);
            Lab.Log("started");
            while (true) c.Fit(data); // never looks at a token itself: the next Fit is refused once the run is cancelled
            """);
        var plugins = new FakePluginSource();
        using var cts = new CancellationTokenSource();
        var running = workspace.RunAsync("cancel-loop.csx", plugins, cancellation: cts.Token);
        // Cancel once the script is in its loop (it has fitted at least once), however long compiling took.
        while (!running.IsCompleted && plugins.Clusterers.FirstOrDefault()?.LastFit is null) await Task.Delay(20);
        await Task.Delay(50);
        cts.Cancel();
        var (result, output, error) = await running;
        Assert.Equal(ScriptRunner.Cancelled, result.ExitCode);
        Assert.Equal(RunStatus.Cancelled, result.Record!.Status);
        Assert.NotNull(result.Record.CancelledAt);
        Assert.True(result.Record.EndedAt >= result.Record.CancelledAt);
        Assert.Equal("started", output.Trim());
        Assert.Contains("run cancelled", error);
        // The plugin was given a token that the run cancels, and the same token reached the kernels' scope.
        var fit = plugins.Clusterers.Single().LastFit!.Value;
        Assert.True(fit.Token.IsCancellationRequested || fit.Token.CanBeCanceled);
        Assert.Equal(fit.Token, fit.KernelToken);
        Assert.Equal("cancelled", ScriptWorkspace.Record(result).GetProperty("status").GetString());
        Assert.True(ScriptWorkspace.Record(result).TryGetProperty("cancelledAt", out _));
    }

    [Fact]
    public async Task A_reducer_fit_runs_as_a_plugin_call_with_the_runs_token_and_threads()
    {
        // Reducers used to bypass the run's plugin-call path: their fits saw neither the run's token nor its threads.
        workspace.Write("reduce.csx", """
            var data = EmbeddingMatrix.FromRows(new[] { new float[] { 1, 2 }, new float[] { 9, 8 } });
            var model = Lab.Reducer("first-column").Fit(data);
            Lab.Log(string.Join(",", model.Embedding.Row(1).ToArray()));
            """);
        var plugins = new FakePluginSource();
        using var cts = new CancellationTokenSource();
        var (result, output, error) = await workspace.RunAsync("reduce.csx", plugins, threads: 3, cancellation: cts.Token);
        Assert.True(result.ExitCode == 0, error);
        Assert.EndsWith("\n9", output.Trim());   // after the reducer's "fitted in" log line
        var fit = plugins.Reducer.LastFit!.Value;
        Assert.True(fit.Token.CanBeCanceled);
        Assert.Equal(fit.Token, fit.KernelToken);
        Assert.Equal(3, fit.Degree);
    }
}
