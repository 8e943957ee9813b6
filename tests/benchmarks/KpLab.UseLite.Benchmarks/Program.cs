using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Kernels;
using KpLab.Plugins.UseLite;

// `throughput [answers.csv] [threads...] [--limit N]`: sentences per second on the SemEval answers, one JSON line per
// thread count (what scripts/bench-use-lite compares with Node). Anything else runs BenchmarkDotNet.
if (args.Length > 0 && args[0] == "throughput")
{
    var csv = args.Length > 1 && !args[1].StartsWith("--") ? args[1] : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../experiments/data/semeval2013-sra/answers.csv"));
    int limit = args.SkipWhile(a => a != "--limit").Skip(1).Select(int.Parse).FirstOrDefault(int.MaxValue);
    int repeats = args.SkipWhile(a => a != "--repeats").Skip(1).Select(int.Parse).FirstOrDefault(3);
    var threads = args.SkipWhile(a => a != "--threads").Skip(1).FirstOrDefault("1,2").Split(',').Select(int.Parse);
    var texts = SemEvalAnswers.Read(csv).Take(limit).ToList();
    var load = Stopwatch.StartNew();
    var embedder = new UseLiteEmbedder(new UseLiteOptions(), PluginContext.Default);
    load.Stop();
    foreach (var t in threads)
    {
        using var scope = KernelParallelism.Override(t);
        embedder.Embed(texts.Take(64).ToList()); // warm-up (JIT)
        double best = double.MaxValue, bestCpu = 0;
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            embedder.Embed(texts);
            var seconds = watch.Elapsed.TotalSeconds;
            process.Refresh();
            if (seconds < best) (best, bestCpu) = (seconds, (process.TotalProcessorTime - cpu).TotalSeconds);
        }
        Console.WriteLine($"{{\"impl\":\"kplab-use-lite\",\"threads\":{t},\"sentences\":{texts.Count},\"seconds_min\":{best:F4},\"cpu_seconds\":{bestCpu:F4}," +
                          $"\"sentences_per_second\":{texts.Count / best:F1},\"load_seconds\":{load.Elapsed.TotalSeconds:F3}}}");
    }
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(UseLiteBenchmarks).Assembly).Run(args);

/// <summary>BenchmarkDotNet view of the same work: 512 SemEval answers, 1 and 2 threads.</summary>
[MemoryDiagnoser]
public class UseLiteBenchmarks
{
    private UseLiteEmbedder _embedder = null!;
    private List<string?> _texts = null!;

    [Params(1, 2)] public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _embedder = new UseLiteEmbedder(new UseLiteOptions(), PluginContext.Default);
        _texts = SemEvalAnswers.Read(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../experiments/data/semeval2013-sra/answers.csv"))).Take(512).ToList();
    }

    [Benchmark]
    public EmbeddingMatrix Embed512Answers()
    {
        using var scope = KernelParallelism.Override(Threads);
        return _embedder.Embed(_texts);
    }
}

internal static class SemEvalAnswers
{
    public static IEnumerable<string?> Read(string path)
    {
        var table = CsvTable.Load(path);
        int column = table.ColumnIndex("answer_text");
        return table.Records.Select(r => (string?)r.Fields[column]);
    }
}
