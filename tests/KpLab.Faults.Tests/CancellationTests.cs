using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KpLab.Scripting;
using KpLab.Scripting.Tests;
using Xunit.Abstractions;

namespace KpLab.Faults.Tests;

/// <summary>
/// Ctrl+C on a real <c>kplab run</c> child: the first SIGINT cancels (the kernel the script is in stops at its next
/// block), the run keeps what it finished, is recorded <c>cancelled</c> with the time of the request and exits 130; a
/// second SIGINT ends the process at once, the record still finished as <c>cancelled</c>. Times are logged, not asserted.
/// </summary>
public sealed class CancellationTests(ScriptWorkspace workspace, ITestOutputHelper output) : IClassFixture<ScriptWorkspace>
{
    private string Cache => Path.Combine(workspace.Root, "cache");

    [Fact]
    public void SIGINT_stops_a_kernel_loop_keeps_finished_tables_and_records_cancelled()
    {
        // A script that never looks at a token: it multiplies matrices forever. The run's token reaches the GEMM
        // through the run's kernel scope, so the product ends with OperationCanceledException between tiles.
        var script = workspace.Write("cancel/gemm-forever.csx", """
            var rng = new System.Random(1);
            int n = 600, d = 384;
            var x = new float[n * d];
            for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
            var c = new float[n * n];
            Lab.Table("finished", new[] { new { step = "before the loop", value = 1 } });
            Lab.Log("started");
            try
            {
                for (int round = 0; round < 1_000_000; round++) MatrixProduct.MultiplyTransposed(x, x, d, c);
            }
            catch (OperationCanceledException e)
            {
                Lab.Log("kernel stopped: " + e.GetType().Name);
                throw;
            }
            Lab.Log("end marker");
            """);
        var runs = Path.Combine(workspace.Root, "runs-sigint");
        var (exit, record, afterSignal, error) = RunAndSignal(script, runs, signals: 1);

        Assert.True(exit == ScriptRunner.Cancelled, $"exit {exit}: {error}");
        Assert.Equal("cancelled", record.GetProperty("status").GetString());
        Assert.Equal(ScriptRunner.Cancelled, record.GetProperty("exitCode").GetInt32());
        var cancelledAt = record.GetProperty("cancelledAt").GetDateTimeOffset();
        var endedAt = record.GetProperty("endedAt").GetDateTimeOffset();
        Assert.True(endedAt >= cancelledAt, $"ended {endedAt:O} before the cancellation {cancelledAt:O}");
        var log = Messages(record);
        Assert.Contains("kernel stopped: OperationCanceledException", log);
        Assert.DoesNotContain("end marker", log);
        var table = Path.Combine(Path.GetDirectoryName(RecordPath(runs))!, "finished.csv");
        Assert.Equal("step,value\nbefore the loop,1\n", File.ReadAllText(table).ReplaceLineEndings("\n"));
        Assert.Contains("run cancelled", error);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"exit {afterSignal.TotalSeconds:F2} s after SIGINT; record: cancelled {cancelledAt:O}, ended {endedAt:O} ({(endedAt - cancelledAt).TotalSeconds:F2} s)"));
    }

    [Fact]
    public void A_second_SIGINT_ends_the_run_at_once_with_the_record_finished_as_cancelled()
    {
        // This script ignores cancellation completely (no plugin, no kernel): after the first signal the runner waits
        // a moment for it to stop; the second signal ends the process within that wait.
        var script = workspace.Write("cancel/stubborn.csx", """
            Lab.Log("started");
            var until = DateTime.UtcNow.AddMinutes(5);
            while (DateTime.UtcNow < until) System.Threading.Thread.Sleep(20);
            Lab.Log("end marker");
            """);
        var runs = Path.Combine(workspace.Root, "runs-second-sigint");
        var (exit, record, afterSignal, error) = RunAndSignal(script, runs, signals: 2);

        Assert.True(exit == ScriptRunner.Cancelled, $"exit {exit}: {error}");
        Assert.DoesNotContain("Unhandled exception", error);
        Assert.Equal("cancelled", record.GetProperty("status").GetString());
        Assert.Equal(ScriptRunner.Cancelled, record.GetProperty("exitCode").GetInt32());
        Assert.Contains("second signal", record.GetProperty("error").GetProperty("message").GetString());
        var cancelledAt = record.GetProperty("cancelledAt").GetDateTimeOffset();
        var endedAt = record.GetProperty("endedAt").GetDateTimeOffset();
        Assert.True(endedAt >= cancelledAt);
        Assert.DoesNotContain("end marker", Messages(record));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"exit {afterSignal.TotalSeconds:F2} s after the first SIGINT; record ended {(endedAt - cancelledAt).TotalSeconds:F2} s after the request"));
    }

    // Starts the run, waits for its "started" line, sends SIGINT `signals` times (200 ms apart), waits for the end.
    private (int Exit, JsonElement Record, TimeSpan AfterSignal, string Error) RunAndSignal(string script, string runs, int signals)
    {
        var start = KplabProcess.StartInfo(["run", script, "--runs", runs, "--threads", "2"], Cache);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var child = Process.Start(start)!;
        var lines = new BlockingCollection<string>();
        var error = new System.Text.StringBuilder();
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Add(e.Data); };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.AppendLine(e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        try
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (true)
            {
                if (lines.TryTake(out var line, TimeSpan.FromMilliseconds(200)) && line == "started") break;
                if (child.HasExited) Assert.Fail($"the child ended early ({child.ExitCode}): {error}");
                if (DateTime.UtcNow > deadline) Assert.Fail("the child never started its loop");
            }
            var watch = Stopwatch.StartNew();
            // One shell sends them all with its built-in kill, 200 ms apart, well inside the runner's 1 s wait for a
            // cancelled script, however slowly this machine starts processes.
            var pid = child.Id.ToString(CultureInfo.InvariantCulture);
            var shell = string.Join("; sleep 0.2; ", Enumerable.Repeat($"kill -INT {pid}", signals));
            using (var kill = Process.Start("sh", ["-c", shell])) kill.WaitForExit();
            Assert.True(child.WaitForExit(TimeSpan.FromMinutes(1)), "the run did not end after SIGINT");
            child.WaitForExit(); // drain the output events
            var elapsed = watch.Elapsed;
            using var json = JsonDocument.Parse(File.ReadAllText(RecordPath(runs)));
            return (child.ExitCode, json.RootElement.Clone(), elapsed, error.ToString());
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }
    }

    private static string RecordPath(string runs) =>
        Directory.GetFiles(runs, ScriptRunner.RecordFile, SearchOption.AllDirectories).Single();

    private static string[] Messages(JsonElement record) =>
        record.GetProperty("log").EnumerateArray().Select(l => l.GetProperty("message").GetString() ?? "").ToArray();
}
