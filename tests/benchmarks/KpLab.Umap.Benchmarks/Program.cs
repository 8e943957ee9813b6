using System.Diagnostics;
using System.Globalization;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Kernels;
using KpLab.Plugins.Umap;

// KpLab's side of scripts/bench-umap, one JSON line per thread count, on a float32 .npy:
// - the kNN graph (15 neighbours, Euclidean) by the kernel's exact search and by NN-descent (seed 0), the recall of
//   NN-descent against the exact graph, and the recall of a peer's graph (pynndescent's indices, .npy) if given;
// - the whole UMAP fit (defaults, seed 0: knn auto, so NN-descent above 4,096 rows), with its stages.
// Seconds are the fastest of the repeats. A first fit on 2,000 rows warms the JIT, as the peer warms numba.
//   dotnet KpLab.Umap.Benchmarks.dll X.npy [threads,...] [repeats] [peer-indices.npy] [fit|knn]
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: KpLab.Umap.Benchmarks X.npy [threads,...] [repeats] [peer-indices.npy] [fit|knn]");
    return 2;
}
var data = NpyFile.Load(args[0]);
var threadCounts = (args.Length > 1 ? args[1] : "1,2").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
int repeats = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
var peerIndices = args.Length > 3 && args[3] != "-" ? NpyFile.Load(args[3]) : null;
bool fit = args.Length <= 4 || args[4] != "knn";
const int k = 15;
var options = new UmapOptions { Seed = 0 };

var warmUp = data.SelectRows(Enumerable.Range(0, Math.Min(2000, data.Rows)).ToArray());
new UmapReducer(options, PluginContext.Default).Fit(warmUp);
new UmapReducer(options with { Knn = UmapKnn.Approximate }, PluginContext.Default).Neighbours(warmUp, k, default);
string F(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
foreach (int threads in threadCounts)
{
    using var degree = KernelParallelism.Override(threads);
    double Best(Action action)
    {
        double best = double.PositiveInfinity;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }
    NeighborGraph? exact = null;
    (int[] Indices, float[] Distances) approximate = default;
    double exactSeconds = Best(() => exact = NearestNeighbors.Search(data.Values, data.Columns, k, PairwiseMeasure.Euclidean, includeSelf: true));
    var approximateReducer = new UmapReducer(options with { Knn = UmapKnn.Approximate }, new PluginContext(new RandomSource(0)) { Threads = threads });
    double approximateSeconds = Best(() => approximate = approximateReducer.Neighbours(data, k, default));
    double recall = Recall(exact!, (i, s) => approximate.Indices![i * k + s], k);
    string peerRecall = peerIndices is not { } peer ? "null" : F(Recall(exact!, (i, s) => (int)peer[i, s], peer.Columns));

    string fitText = "";
    if (fit)
    {
        var stages = new Dictionary<string, double>();
        double fitSeconds = Best(() =>
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
            if (stage is not null) stages[stage] = clock.Elapsed.TotalSeconds - stages.Values.Sum();
        });
        var stageText = string.Join(", ", stages.Select(s => $"\"{s.Key}\": {F(s.Value)}"));
        fitText = $", \"seconds_min\": {F(fitSeconds)}, \"stages\": {{{stageText}}}";
    }
    Console.WriteLine($"{{\"impl\": \"kplab\", \"op\": \"umap\", \"n\": {data.Rows}, \"d\": {data.Columns}, \"threads\": {threads}, " +
        $"\"knn_exact_s\": {F(exactSeconds)}, \"knn_approximate_s\": {F(approximateSeconds)}, \"recall\": {recall.ToString("F4", CultureInfo.InvariantCulture)}, " +
        $"\"peer_recall\": {peerRecall}{fitText}}}");
}
return 0;

// The share of the exact graph's non-self neighbours (k − 1 per row) that a graph found; its own row is skipped.
static double Recall(NeighborGraph exact, Func<int, int, int> neighbour, int width)
{
    long found = 0;
    for (int i = 0; i < exact.Rows; i++)
    {
        var truth = new HashSet<int>(exact.IndicesOf(i)[1..].ToArray());
        for (int s = 0; s < width; s++)
        {
            int j = neighbour(i, s);
            if (j != i && truth.Contains(j)) found++;
        }
    }
    return (double)found / ((long)exact.Rows * (exact.K - 1));
}

/// <summary>Synchronous progress: stage changes are timed where they happen, not on a thread-pool callback.</summary>
internal sealed class Progress(Action<FitProgress> report) : IProgress<FitProgress>
{
    public void Report(FitProgress value) => report(value);
}
