using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace KpLab.Kernels.Benchmarks;

/// <summary>BenchmarkDotNet view of the GEMM and the tiled kNN (short job: these runs take seconds each).</summary>
[Config(typeof(ShortJobConfig))]
public class GemmBenchmarks
{
    private float[] _x = [];
    private float[] _y = [];
    private float[] _c = [];
    private IDisposable? _degree;

    [Params(5000)]
    public int N { get; set; }

    [Params(384, 768)]
    public int D { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _x = QuickTiming.RandomMatrix(N, D);
        _y = (float[])_x.Clone();
        _c = new float[N * N];
        _degree = KernelParallelism.Override(Threads); // same thread as the benchmark: the scope holds for it
    }

    [GlobalCleanup]
    public void Cleanup() => _degree?.Dispose();

    /// <summary>X·Xᵀ, the symmetric path (what NumPy's X @ X.T does with OpenBLAS).</summary>
    [Benchmark(Baseline = true)]
    public void SelfProduct() => MatrixProduct.MultiplyTransposed(_x, _x, D, _c);

    /// <summary>A·Bᵀ with distinct operands: the full general product.</summary>
    [Benchmark]
    public void GeneralProduct() => MatrixProduct.MultiplyTransposed(_x, _y, D, _c);

    /// <summary>Exact 10-NN by cosine distance through the tiled pairwise kernel.</summary>
    [Benchmark]
    public NeighborGraph CosineKnn() => NearestNeighbors.Search(_x, D, 10, PairwiseMeasure.CosineDistance, includeSelf: false);
}

/// <summary>
/// One warm-up and three measured single invocations, in process (no generated project to build): each operation
/// takes seconds, so BenchmarkDotNet's default statistics would take far too long on a shared machine.
/// </summary>
public sealed class ShortJobConfig : ManualConfig
{
    public ShortJobConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithToolchain(InProcessEmitToolchain.Instance));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
