using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace KpLab.Scripting.Tests;

/// <summary>Output paths stay in the run folder, exports are explicit and recorded, logs are bounded and reach disk.</summary>
public sealed class RunTrustTests(ScriptWorkspace workspace) : IClassFixture<ScriptWorkspace>
{
    [Fact]
    public async Task A_write_outside_the_run_folder_is_refused_naming_the_method_the_path_and_Export()
    {
        var path = workspace.Write("paths/escape.csx", "Lab.Log(\"start\");\nLab.SaveText(\"../../escaped.txt\", \"x\");\n");
        var (result, _, error) = await workspace.RunAsync("paths/escape.csx");
        Assert.Equal(ScriptRunner.ScriptFailed, result.ExitCode);
        var escaped = Path.GetFullPath(Path.Combine(result.RunDirectory!, "../../escaped.txt"));
        Assert.Contains($"{path}:2: error: ArgumentException: Lab.SaveText: '../../escaped.txt' resolves to {escaped}, outside the run folder {result.RunDirectory}.", error);
        Assert.Contains("Lab.Export(file, destination)", error);
        Assert.False(File.Exists(escaped));

        foreach (var call in new[] { "Lab.OutPath(\"/tmp/x\")", "Lab.SaveNpy(\"..\", EmbeddingMatrix.FromRows(new[] { new float[] { 1 } }))", "Lab.Save(\"../p.csv\", new Partition(new[] { 0 }))" })
        {
            workspace.Write("paths/each.csx", call + ";\n");
            var each = await workspace.RunAsync("paths/each.csx");
            Assert.Equal(ScriptRunner.ScriptFailed, each.Result.ExitCode);
            Assert.Contains("outside the run folder", each.Error);
            Assert.Contains(call[..call.IndexOf('(')] + ":", each.Error);
        }
    }

    [Fact]
    public async Task Export_copies_a_run_file_out_and_lists_it_in_the_record()
    {
        workspace.Write("export/main.csx", """
            Lab.SaveText("notes/summary.txt", "hello");
            var target = Lab.Export("notes/summary.txt", "exported/summary.txt");
            Lab.Log(target);
            """);
        var (result, output, error) = await workspace.RunAsync("export/main.csx");
        Assert.True(result.ExitCode == 0, error);
        var target = Path.Combine(workspace.Root, "export", "exported", "summary.txt");
        Assert.Equal(target, output.Trim());
        Assert.Equal("hello", File.ReadAllText(target));

        var record = ScriptWorkspace.Record(result);
        Assert.Equal([Path.Combine("notes", "summary.txt")], record.GetProperty("outputs").EnumerateArray().Select(o => o.GetString()));
        var export = Assert.Single(record.GetProperty("exports").EnumerateArray().ToArray());
        Assert.Equal(Path.Combine("notes", "summary.txt"), export.GetProperty("file").GetString());
        Assert.Equal(target, export.GetProperty("path").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("hello"u8)), export.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task The_log_reaches_the_record_on_disk_while_the_script_still_runs()
    {
        // The script itself waits (a minute at most) for its first line to appear in run.json, with no table written.
        workspace.Write("flush/main.csx", """
            Lab.Log("first line");
            var record = Path.Combine(Lab.Out, "run.json");
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (!File.ReadAllText(record).Contains("first line") && DateTime.UtcNow < deadline) System.Threading.Thread.Sleep(100);
            Lab.Log(File.ReadAllText(record).Contains("first line") ? "flushed" : "never flushed");
            """);
        var (result, output, error) = await workspace.RunAsync("flush/main.csx");
        Assert.True(result.ExitCode == 0, error);
        Assert.Equal(["first line", "flushed"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
    }

    [Fact]
    public async Task A_huge_log_line_is_cut_in_the_console_and_the_record()
    {
        workspace.Write("huge/main.csx", "Lab.Log(\"unknown: \" + new string('x', 10_000_000));\n");
        var (result, output, error) = await workspace.RunAsync("huge/main.csx");
        Assert.True(result.ExitCode == 0, error);
        var expected = "unknown: " + new string('x', LogText.MaxLineLength - 9) + $"… ({10_000_009 - LogText.MaxLineLength} more characters cut)";
        Assert.Equal(expected, output.TrimEnd('\n'));
        Assert.Equal(expected, ScriptWorkspace.Record(result).GetProperty("log")[0].GetProperty("message").GetString());
    }

    [Fact]
    public void Quote_bounds_escapes_and_never_splits_a_character()
    {
        Assert.Equal("'abc'", LogText.Quote("abc"));
        Assert.Equal("(null)", LogText.Quote(null));
        Assert.Equal("'a\\nb\\t\\u0001'", LogText.Quote("a\nb\t\u0001"));
        Assert.Equal("'xxxxx…' (12 characters)", LogText.Quote(new string('x', 12), 5));
        Assert.Equal("'ab…' (4 characters)", LogText.Quote("ab😀", 3)); // the emoji's two halves stay together
        Assert.Equal(80 + "''… (10000000 characters)".Length, LogText.Quote(new string('y', 10_000_000)).Length);
    }

    [Fact]
    public async Task Stale_temp_files_of_dead_writers_are_removed_at_the_next_start_and_live_ones_kept()
    {
        var runs = Path.Combine(workspace.Runs, "temp", "20260101-000000-aaaaaa");
        Directory.CreateDirectory(runs);
        int deadPid = DeadProcessId();
        var stale = Path.Combine(runs, $".scores.csv.{deadPid}.{Guid.NewGuid():N}.tmp");
        var cacheStale = Path.Combine(workspace.ScriptCache, $".abc.dll.{deadPid}.{Guid.NewGuid():N}.tmp");
        var live = Path.Combine(runs, $".report.html.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var notOurs = Path.Combine(runs, ".notes.tmp");
        Directory.CreateDirectory(workspace.ScriptCache);
        foreach (var f in new[] { stale, cacheStale, live, notOurs }) File.WriteAllText(f, "partial");

        workspace.Write("temp.csx", "Lab.Log(\"ran\");\n");
        var (result, _, error) = await workspace.RunAsync("temp.csx");
        Assert.True(result.ExitCode == 0, error);
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(cacheStale));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(notOurs));
    }

    [Fact]
    public async Task A_run_that_cannot_start_leaves_no_run_folder()
    {
        workspace.Write("nostart.csx", "Lab.Log(\"never\");\n");
        var blocker = workspace.Write("blocked-runs", "a file where the runs folder should be");
        var output = new StringWriter();
        var error = new StringWriter();
        var result = await ScriptRunner.RunAsync(new RunRequest
        {
            ScriptPath = Path.Combine(workspace.Root, "nostart.csx"),
            RunsDirectory = blocker,
            ScriptCacheDirectory = workspace.ScriptCache,
            EmbeddingCacheDirectory = null,
            Plugins = () => new FakePluginSource(),
            Output = output,
            Error = error,
        });
        Assert.Equal(ScriptRunner.ScriptFailed, result.ExitCode);
        Assert.Null(result.RunDirectory);
        Assert.Contains($"kplab: cannot create a run folder under {blocker}", error.ToString());
        Assert.Equal("", output.ToString());
        Assert.True(File.Exists(blocker));
    }

    // A process id no process has now: the highest ids are unused on a test machine.
    private static int DeadProcessId()
    {
        for (int pid = 4_000_000; pid > 3_000_000; pid--)
        {
            try { using var p = Process.GetProcessById(pid); }
            catch (ArgumentException) { return pid; }
        }
        throw new InvalidOperationException("no free process id found");
    }
}
