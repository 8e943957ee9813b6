using System.Diagnostics;
using System.Globalization;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Kernels;
using KpLab.Plugins.Umap;

// KpLab's side of scripts/bench-umap: fits umap (defaults, seed 0) on a float32 .npy with each thread count and prints
// one JSON line per count (seconds of the fastest of the repeats, and of each stage of the last one). A first fit on
// 2,000 rows warms the JIT, as the peer warms numba.
//   dotnet KpLab.Umap.Benchmarks.dll X.npy [threads,...] [repeats]
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: KpLab.Umap.Benchmarks X.npy [threads,...] [repeats]");
    return 2;
}
var data = NpyFile.Load(args[0]);
var threadCounts = (args.Length > 1 ? args[1] : "1,2").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
int repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
var options = new UmapOptions { Seed = 0 };

new UmapReducer(options, PluginContext.Default).Fit(data.SelectRows(Enumerable.Range(0, Math.Min(2000, data.Rows)).ToArray()));
foreach (int threads in threadCounts)
{
    using var degree = KernelParallelism.Override(threads);
    var best = double.PositiveInfinity;
    var stages = new Dictionary<string, double>();
    for (int r = 0; r < repeats; r++)
    {
        stages.Clear();
        var clock = Stopwatch.StartNew();
        string? stage = null;
        var progress = new Progress(p =>
        {
            if (p.Stage == stage) return;
            if (stage is not null) stages[stage] = clock.Elapsed.TotalSeconds - stages.Values.Sum();
            stage = p.Stage;
        });
        var context = new PluginContext(new RandomSource(0)) { Threads = threads, Progress = progress };
        new UmapReducer(options, context).Fit(data);
        double seconds = clock.Elapsed.TotalSeconds;
        if (stage is not null) stages[stage] = seconds - stages.Values.Sum();
        best = Math.Min(best, seconds);
    }
    var stageText = string.Join(", ", stages.Select(s => $"\"{s.Key}\": {s.Value.ToString("F3", CultureInfo.InvariantCulture)}"));
    Console.WriteLine($"{{\"impl\": \"kplab\", \"op\": \"umap\", \"n\": {data.Rows}, \"d\": {data.Columns}, \"threads\": {threads}, " +
        $"\"seconds_min\": {best.ToString("F3", CultureInfo.InvariantCulture)}, \"stages\": {{{stageText}}}}}");
}
return 0;

/// <summary>Synchronous progress: stage changes are timed where they happen, not on a thread-pool callback.</summary>
internal sealed class Progress(Action<FitProgress> report) : IProgress<FitProgress>
{
    public void Report(FitProgress value) => report(value);
}
