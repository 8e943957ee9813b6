using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using KpLab.Abstractions;
using KpLab.Plugins.Agglomerative;
using KpLab.Plugins.Hdbscan;

namespace KpLab.Hierarchical.Benchmarks;

/// <summary>
/// `time FILE.f32 N D OP [HEIGHTS.txt]` times one run of OP (agglo_ward, agglo_ward_matrix, agglo_ward_centroids,
/// agglo_average_cosine, agglo_complete, agglo_single, hdbscan, hdbscan_50) on the raw float32 file that
/// peer.py wrote, prints one JSON line, and is what scripts/bench-hierarchical compares with the peers; any other
/// arguments go to BenchmarkDotNet.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length is 5 or 6 && args[0] == "time")
        {
            var data = Workloads.ReadRaw(args[1], int.Parse(args[2]), int.Parse(args[3]));
            var clusterer = Workloads.Create(args[4]);
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            Partition partition;
            try
            {
                partition = clusterer.Fit(data);
            }
            catch (MemoryBudgetExceededException refusal) // a refusal is a result: print it as one line
            {
                Console.WriteLine($"{{\"op\":\"{args[4]}\",\"n\":{data.Rows},\"d\":{data.Columns},\"refused_after_seconds\":{watch.Elapsed.TotalSeconds:F3},\"message\":\"{refusal.Message.Replace("\"", "'")}\"}}");
                return;
            }
            watch.Stop();
            process.Refresh();
            double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
            if (args.Length == 6 && partition.MergeTree is { } tree) // the merge heights, one per line, for comparison
                File.WriteAllLines(args[5], tree.Merges.Select(m => m.Distance.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
            Console.WriteLine($"{{\"op\":\"{args[4]}\",\"n\":{data.Rows},\"d\":{data.Columns},\"seconds\":{watch.Elapsed.TotalSeconds:F3},\"cpu_seconds\":{cpu:F1},\"peak_gb\":{process.PeakWorkingSet64 / 1e9:F2},\"clusters\":{partition.ClusterCount},\"noise\":{partition.NoiseCount}}}");
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}

public static class Workloads
{
    public static EmbeddingMatrix ReadRaw(string path, int n, int d)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < (long)n * d * 4) throw new ArgumentException($"{path} holds {bytes.Length} bytes, {n} x {d} floats need {(long)n * d * 4}.");
        return EmbeddingMatrix.Create(n, d, span => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, n * d * 4)).CopyTo(span));
    }

    public static IClusterer Create(string op) => op switch
    {
        "agglo_ward" => new AgglomerativeClusterer(new AgglomerativeOptions { Linkage = Linkage.Ward, NClusters = 8 }, PluginContext.Default),
        "agglo_ward_matrix" => new AgglomerativeClusterer(new AgglomerativeOptions { Linkage = Linkage.Ward, NClusters = 8, WardMethod = WardMethod.Matrix }, PluginContext.Default),
        "agglo_ward_centroids" => new AgglomerativeClusterer(new AgglomerativeOptions { Linkage = Linkage.Ward, NClusters = 8, WardMethod = WardMethod.Centroids }, PluginContext.Default),
        "hdbscan_50" => new HdbscanClusterer(new HdbscanOptions { MinClusterSize = 50 }, Staged),
        "agglo_average_cosine" => new AgglomerativeClusterer(new AgglomerativeOptions { Linkage = Linkage.Average, Metric = DistanceMetric.Cosine, NClusters = 8 }, PluginContext.Default),
        "agglo_complete" => new AgglomerativeClusterer(new AgglomerativeOptions { Linkage = Linkage.Complete, NClusters = 8 }, PluginContext.Default),
        "agglo_single" => new AgglomerativeClusterer(new AgglomerativeOptions { Linkage = Linkage.Single, NClusters = 8 }, PluginContext.Default),
        "hdbscan" => new HdbscanClusterer(new HdbscanOptions { MinClusterSize = 15 }, PluginContext.Default),
        _ => throw new ArgumentException($"unknown op {op}"),
    };

    /// <summary>Prints each stage's start time to standard error.</summary>
    private static PluginContext Staged => new(new RandomSource(0))
    {
        Progress = new StageClock(),
    };

    private sealed class StageClock : IProgress<FitProgress>
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private string? _last;

        public void Report(FitProgress value)
        {
            if (value.Stage == _last) return;
            _last = value.Stage;
            Console.Error.WriteLine($"{_watch.Elapsed.TotalSeconds,8:F2} s ({Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,7:F1} s CPU)  {value.Stage}");
        }
    }

    /// <summary>peer.py's synthetic data: Gaussian clusters on the unit sphere (same recipe, .NET random numbers).</summary>
    public static EmbeddingMatrix Synthetic(int n, int d, int clusters, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var centres = new double[clusters, d];
        for (int c = 0; c < clusters; c++) for (int j = 0; j < d; j++) centres[c, j] = Normal();
        return EmbeddingMatrix.Create(n, d, span =>
        {
            for (int i = 0; i < n; i++)
            {
                int c = random.Next(clusters);
                double norm = 0;
                for (int j = 0; j < d; j++) { double v = centres[c, j] / Math.Sqrt(d) + Normal() / Math.Sqrt(d); span[i * d + j] = (float)v; norm += v * v; }
                for (int j = 0; j < d; j++) span[i * d + j] /= (float)Math.Sqrt(norm);
            }
        });
    }
}

[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class HierarchicalBenchmarks
{
    private EmbeddingMatrix _data = null!;

    [Params(2000, 5000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => _data = Workloads.Synthetic(N, 384, 8, 42);

    [Benchmark] public Partition Ward() => Workloads.Create("agglo_ward").Fit(_data);
    [Benchmark] public Partition AverageCosine() => Workloads.Create("agglo_average_cosine").Fit(_data);
    [Benchmark] public Partition Hdbscan() => Workloads.Create("hdbscan").Fit(_data);
}
