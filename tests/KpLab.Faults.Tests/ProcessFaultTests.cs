using System.Diagnostics;
using System.Text.Json;
using KpLab.Scripting;
using KpLab.Scripting.Tests;

namespace KpLab.Faults.Tests;

/// <summary>
/// Runs the real kplab in a child process and ends it the ways a run can end without reaching its own end: SIGKILL,
/// a plugin calling Environment.Exit, a plugin's unhandled exception on its own thread, a plugin that throws. The run
/// record must tell what happened every time.
/// </summary>
public sealed class ProcessFaultTests(ScriptWorkspace workspace) : IClassFixture<ScriptWorkspace>
{
    private static readonly string FaultPlugins =
        Path.Combine(KplabProcess.Repo, "artifacts", "test-plugins", "KpLab.TestPlugins.RunFaults");

    // One script for every plugin fault, so the child compiles it once (the class shares one cache).
    private const string PluginScript = """
        var data = EmbeddingMatrix.FromRows(new[] { new float[] { 1, 2 }, new float[] { 3, 4 } });
        Lab.Log("before the plugin call");
        if (Lab.RawArgs[0] == "metric") Lab.Metric(Lab.RawArgs[1]);
        else Lab.Clusterer(Lab.RawArgs[1]).Fit(data);
        Lab.Log("after the plugin call");
        """;

    private string Cache => Path.Combine(workspace.Root, "cache");

    [Fact]
    public void A_SIGKILLed_run_is_listed_and_recorded_as_killed_with_its_log_on_disk()
    {
        var runs = Path.Combine(workspace.Root, "runs-killed");
        var (child, record) = StartSleeper(runs);
        using (child)
        {
            try
            {
                var live = KplabProcess.Run(["runs", runs], Cache);
                Assert.Equal(0, live.Exit);
                Assert.Matches(@"running\s+sleeper", live.Output);

                child.Kill(); // SIGKILL: nothing in the child runs any more
                child.WaitForExit();

                var listed = KplabProcess.Run(["runs", runs], Cache);
                Assert.True(listed.Exit == 0, listed.Error);
                Assert.Matches(@"killed\s+sleeper", listed.Output);
                Assert.Contains($"process {child.Id} was gone", listed.Output);

                using var json = JsonDocument.Parse(File.ReadAllText(record));
                var root = json.RootElement;
                Assert.Equal("killed", root.GetProperty("status").GetString());
                Assert.Equal("Killed", root.GetProperty("error").GetProperty("type").GetString());
                Assert.Equal(child.Id, root.GetProperty("process").GetProperty("id").GetInt32());
                Assert.Equal(Environment.MachineName, root.GetProperty("process").GetProperty("hostName").GetString());
                Assert.Equal(["waiting for the end"], Messages(root));
            }
            finally
            {
                if (!child.HasExited) child.Kill();
            }
        }
    }

    [Fact]
    public void SIGTERM_cancels_a_run_that_never_looks_at_its_token_and_finishes_the_record()
    {
        var runs = Path.Combine(workspace.Root, "runs-terminated");
        var (child, record) = StartSleeper(runs);
        using (child)
        {
            try
            {
                using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
                Assert.True(child.WaitForExit(TimeSpan.FromMinutes(1)), "the run did not end on SIGTERM");
                Assert.Equal(ScriptRunner.Cancelled, child.ExitCode);
                using var json = JsonDocument.Parse(File.ReadAllText(record));
                Assert.Equal("cancelled", json.RootElement.GetProperty("status").GetString());
                Assert.Equal(ScriptRunner.Cancelled, json.RootElement.GetProperty("exitCode").GetInt32());
            }
            finally
            {
                if (!child.HasExited) child.Kill();
            }
        }
    }

    // A child run whose script logs one line and then sleeps forever, ignoring cancellation; returned once that line
    // is in its run.json (while it still runs: no table, no end; only the periodic flush puts it there).
    private (Process Child, string Record) StartSleeper(string runs)
    {
        var script = workspace.Write("sleeper/sleeper.csx", """
            Lab.Log("waiting for the end");
            while (true) System.Threading.Thread.Sleep(100);
            """);
        var start = KplabProcess.StartInfo(["run", script, "--runs", runs], Cache);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var child = Process.Start(start)!;
        try
        {
            var record = WaitFor(() => Directory.Exists(runs)
                ? Directory.GetFiles(runs, ScriptRunner.RecordFile, SearchOption.AllDirectories)
                    .FirstOrDefault(f => File.ReadAllText(f).Contains("waiting for the end"))
                : null, child);
            return (child, record);
        }
        catch
        {
            if (!child.HasExited) child.Kill();
            child.Dispose();
            throw;
        }
    }

    [Fact]
    public void Environment_Exit_in_a_plugin_Fit_finishes_the_record_as_failed_naming_the_call()
    {
        var (exit, error, record) = RunPluginFault("clusterer", "test-exit-in-fit");
        Assert.Equal(3, exit);
        Assert.Contains("during clusterer test-exit-in-fit: Fit", error);
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.Equal(3, record.GetProperty("exitCode").GetInt32());
        Assert.Equal("clusterer test-exit-in-fit: Fit", record.GetProperty("error").GetProperty("pluginCall").GetString());
        Assert.Contains("exit code 3", record.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(["before the plugin call"], Messages(record));
    }

    [Fact]
    public void Environment_Exit_in_a_plugin_constructor_finishes_the_record_naming_its_creation()
    {
        var (exit, _, record) = RunPluginFault("metric", "test-exit-in-constructor");
        Assert.Equal(5, exit);
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.Equal("metric test-exit-in-constructor: create", record.GetProperty("error").GetProperty("pluginCall").GetString());
    }

    [Fact]
    public void An_unhandled_exception_on_a_plugin_thread_finishes_the_record_as_failed()
    {
        var (exit, _, record) = RunPluginFault("clusterer", "test-thread-throws");
        Assert.NotEqual(0, exit);
        Assert.Equal("failed", record.GetProperty("status").GetString());
        var failure = record.GetProperty("error");
        Assert.Equal("System.IO.InvalidDataException", failure.GetProperty("type").GetString());
        Assert.Contains("worker thread failed", failure.GetProperty("message").GetString());
        Assert.Equal("clusterer test-thread-throws: Fit", failure.GetProperty("pluginCall").GetString());
    }

    [Fact]
    public void A_plugin_Fit_that_throws_fails_the_run_at_the_script_line_naming_the_call()
    {
        var (exit, error, record) = RunPluginFault("clusterer", "test-throw-in-fit");
        Assert.Equal(ScriptRunner.ScriptFailed, exit);
        Assert.Contains(":4: error: InvalidOperationException: cannot cluster 2 rows (in clusterer test-throw-in-fit: Fit)", error);
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.Equal("clusterer test-throw-in-fit: Fit", record.GetProperty("error").GetProperty("pluginCall").GetString());
        Assert.EndsWith("plugin-fault.csx:4", record.GetProperty("error").GetProperty("location").GetString());
    }

    private (int Exit, string Error, JsonElement Record) RunPluginFault(string kind, string plugin)
    {
        var script = workspace.Write("faults/plugin-fault.csx", PluginScript);
        var runs = Path.Combine(workspace.Root, "runs-" + plugin);
        var (exit, _, error) = KplabProcess.Run(["run", script, "--plugins", FaultPlugins, "--runs", runs, "--", kind, plugin], Cache);
        var record = Directory.GetFiles(runs, ScriptRunner.RecordFile, SearchOption.AllDirectories).Single();
        using var json = JsonDocument.Parse(File.ReadAllText(record));
        return (exit, error, json.RootElement.Clone());
    }

    private static string[] Messages(JsonElement record) =>
        record.GetProperty("log").EnumerateArray().Select(l => l.GetProperty("message").GetString() ?? "").ToArray();

    private static string WaitFor(Func<string?> found, Process child)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (found() is { } path) return path;
            if (child.HasExited) Assert.Fail($"the child ended early ({child.ExitCode}): {child.StandardError.ReadToEnd()}");
            Thread.Sleep(200);
        }
        throw new TimeoutException("the child's run record never showed its first log line");
    }
}
