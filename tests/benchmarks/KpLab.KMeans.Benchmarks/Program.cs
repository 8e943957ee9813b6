using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using KpLab.Abstractions;
using KpLab.Data;
using KpLab.Kernels;
using KpLab.Plugins.KMeans;

// Usage:
//   KpLab.KMeans.Benchmarks --quick FILE.f32|FILE.npy N D [repeats]   50 Lloyd iterations from the first 8 rows, 1 and 2
//                                                                      threads; one JSON line per thread count (the
//                                                                      same work as peer.py's kmeans_lloyd50_kernel)
//   KpLab.KMeans.Benchmarks [BenchmarkDotNet arguments]                the BenchmarkDotNet suite (KPLAB_BENCH_DATA=FILE)
if (args.Length >= 4 && args[0] == "--quick")
{
    var data = BenchData.Load(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
    int repeats = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 5;
    foreach (var threads in new[] { 1, 2 })
    {
        using var scope = KernelParallelism.Override(threads);
        var problem = LloydBenchmark.Prepare(data);
        problem.Run(); // warm-up (JIT, tiered compilation)
        var times = new List<double>();
        var cpu = new List<double>();
        double inertia = 0;
        var process = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            inertia = problem.Run();
            times.Add(watch.Elapsed.TotalSeconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpu0).TotalSeconds);
        }
        times.Sort();
        cpu.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"op\":\"kplab_kmeans_lloyd50\",\"n\":{data.Rows},\"d\":{data.Columns},\"threads\":{threads},\"seconds_min\":{times[0]:F6},\"seconds_median\":{times[times.Count / 2]:F6},\"cpu_seconds_min\":{cpu[0]:F6},\"inertia\":{inertia:R}}}"));
    }
    return;
}
BenchmarkRunner.Run<LloydBenchmark>(DefaultConfig.Instance.AddJob(Job.ShortRun), args);

/// <summary>Loads the peer's raw float32 file or an .npy, or makes embedding-like data when no file is given.</summary>
internal static class BenchData
{
    public static EmbeddingMatrix Load(string path, int n, int d)
    {
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) return NpyFile.Load(path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != (long)n * d * sizeof(float)) throw new InvalidDataException($"{path}: {bytes.Length} bytes, expected {n} x {d} float32.");
        return EmbeddingMatrix.Create(n, d, span => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).CopyTo(span));
    }

    public static EmbeddingMatrix Synthetic(int n, int d, int clusters, int seed)
    {
        var random = new Random(seed);
        var centres = new float[clusters * d];
        for (int i = 0; i < centres.Length; i++) centres[i] = (float)(random.NextDouble() * 2 - 1);
        return EmbeddingMatrix.Create(n, d, span =>
        {
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++) span[i * d + j] = centres[i % clusters * d + j] + (float)(random.NextDouble() - 0.5);
            MatrixRows.NormalizeRows(span, d);
        });
    }
}

/// <summary>Exactly 50 Lloyd iterations (assignment + centre update) from the first 8 rows, as the peer times.</summary>
public class LloydBenchmark
{
    private const int K = 8;
    private const int Iterations = 50;
    private KMeansData _data = null!;
    private LloydSolver _solver = null!;
    private float[] _initial = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    internal static LloydBenchmark Prepare(EmbeddingMatrix data)
    {
        var benchmark = new LloydBenchmark();
        benchmark.Setup(data);
        return benchmark;
    }

    [GlobalSetup]
    public void GlobalSetup()
    {
        var path = Environment.GetEnvironmentVariable("KPLAB_BENCH_DATA");
        Setup(string.IsNullOrEmpty(path) ? BenchData.Synthetic(20_000, 384, K, 42) : BenchData.Load(path, 20_000, 384));
    }

    private void Setup(EmbeddingMatrix data)
    {
        // Raw rows, not centred: the peer's kernel works on X as given.
        _data = KMeansData.CreateUncentred(data.Values, data.Rows, data.Columns);
        _solver = new LloydSolver(_data, K);
        _initial = data.Values[..(K * data.Columns)].ToArray();
    }

    [Benchmark]
    public double Lloyd50()
    {
        using var scope = KernelParallelism.Override(Threads);
        return Run();
    }

    internal double Run() => _solver.Run(_initial, Iterations, tolerance: 0, hamerly: false, fixedIterations: true).Inertia;
}
