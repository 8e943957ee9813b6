using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace KpLab.Kernels.Benchmarks;

/// <summary>BenchmarkDotNet view of the GEMM and the tiled kNN (short job: these runs take seconds each).</summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _x = [];
    private float[] _y = [];
    private float[] _c = [];

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
        KernelParallelism.MaxDegree = Threads;
    }

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
