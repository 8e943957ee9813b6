using System.Diagnostics;
using KpLab.Scripting;
using KpLab.Scripting.Tests;

namespace KpLab.Cluster.Tests;

/// <summary>
/// Eight <c>kplab run</c> processes share one embedding cache, as the tasks of a job array do on a cluster's shared
/// filesystem: they start together, embed overlapping batches of 400 texts (each first writes the very same pack), and
/// compact the cache while the others read and write it. Nothing may be lost, half-written or wrong.
/// </summary>
public sealed class EmbeddingCacheConcurrencyTests : IDisposable
{
    private const int Workers = 8;
    private readonly string _root = Directory.CreateTempSubdirectory("kplab-cache-race-").FullName;

    [Fact]
    public async Task Eight_processes_on_one_cache_lose_and_corrupt_nothing_and_equal_a_single_process_run()
    {
        var script = Path.Combine(_root, "cache-worker.csx");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "cache-worker.csx"), script);
        var kplabCache = Path.Combine(_root, "kplab-cache"); // compiled scripts, shared by all runs below
        var runs = Path.Combine(_root, "runs");

        // The reference: one process embeds all 400 texts into a cache of its own.
        var reference = Run(script, kplabCache, runs, Path.Combine(_root, "reference-cache"), "all", "reference.tsv");
        Assert.Contains("embedded 400 texts in 1 calls", reference);
        var expected = ReadVectors(Path.Combine(_root, "reference.tsv"));
        Assert.Equal(400, expected.Count);

        // Eight workers on one shared cache, released together.
        var shared = Path.Combine(_root, "shared-cache");
        var start = Directory.CreateDirectory(Path.Combine(_root, "start")).FullName;
        var processes = Enumerable.Range(0, Workers).Select(w => Start(script, kplabCache, runs, shared, w.ToString(), $"worker-{w}.tsv", start)).ToArray();
        try
        {
            var until = DateTime.UtcNow.AddMinutes(5);
            while (Directory.GetFiles(start, "ready-*").Length < Workers && processes.All(p => !p.Process.HasExited) && DateTime.UtcNow < until)
                Thread.Sleep(20);
            Assert.Equal(Workers, Directory.GetFiles(start, "ready-*").Length);
            File.WriteAllText(Path.Combine(start, "go"), "");
            foreach (var (process, _, stderr) in processes)
            {
                Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "a worker did not finish within 5 minutes");
                process.WaitForExit();
                var error = await stderr;
                Assert.True(process.ExitCode == 0, $"worker exited {process.ExitCode}: {error}");
                // A corrupt or unwritable entry is reported as a warning: there must be none.
                Assert.DoesNotContain("warning", error);
            }
        }
        finally
        {
            foreach (var (process, _, _) in processes)
                if (!process.HasExited) process.Kill(entireProcessTree: true);
        }

        // Every vector any worker got equals the single process's.
        var touched = new HashSet<string>();
        for (int w = 0; w < Workers; w++)
        {
            var lines = File.ReadAllLines(Path.Combine(_root, $"worker-{w}.tsv"));
            Assert.Equal(20 + 30 * 20, lines.Length);
            foreach (var line in lines)
            {
                var (text, vector) = Split(line);
                Assert.Equal(expected[text], vector);
                touched.Add(text);
            }
        }
        Assert.True(touched.Count > 300, $"the workers embedded only {touched.Count} distinct texts");

        // Nothing was lost: a new process finds every text a worker embedded, and only the others reach its embedder.
        var after = Run(script, kplabCache, runs, shared, "all", "after.tsv");
        int untouched = 400 - touched.Count;
        Assert.Contains(untouched == 0 ? "embedded 0 texts in 0 calls" : $"embedded {untouched} texts in 1 calls", after);
        Assert.Equal(expected, ReadVectors(Path.Combine(_root, "after.tsv")));

        // No partial or quarantined files remain, and every pack passes its checksum (Describe reads each header;
        // the run above read every pack in full and warned about none).
        Assert.Empty(Directory.GetFiles(shared, ".*", SearchOption.AllDirectories));
        var entry = Assert.Single(new EmbeddingCache(shared).Describe());
        Assert.Equal("cluster-test-hash-8", entry.Identity);
        Assert.Equal(8, entry.Dimension);
        Assert.True(entry.Vectors >= 400, $"the cache holds {entry.Vectors} vectors");
    }

    private string Run(string script, string kplabCache, string runs, string cache, string worker, string output)
    {
        var (exit, stdout, stderr) = KplabProcess.Run(
            ["run", script, "--runs", runs, "--", cache, worker, Path.Combine(_root, output)], kplabCache);
        Assert.True(exit == 0, $"kplab run exited {exit}: {stderr}");
        Assert.DoesNotContain("warning", stderr);
        return stdout;
    }

    private (Process Process, Task<string> Stdout, Task<string> Stderr) Start(string script, string kplabCache, string runs,
        string cache, string worker, string output, string startFolder)
    {
        var info = KplabProcess.StartInfo(
            ["run", script, "--runs", runs, "--threads", "1", "--", cache, worker, Path.Combine(_root, output), startFolder], kplabCache);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info)!;
        return (process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }

    private static Dictionary<string, string> ReadVectors(string path) =>
        File.ReadAllLines(path).Select(Split).ToDictionary(p => p.Text, p => p.Vector);

    private static (string Text, string Vector) Split(string line)
    {
        var tab = line.IndexOf('\t');
        return (line[..tab], line[(tab + 1)..]);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }
}
