namespace KpLab.Kernels.Tests;

/// <summary>
/// The kernels' degree and cancellation belong to the calling flow (a run, or one of a sweep's concurrent trials),
/// not to the process: two flows side by side keep their own, and every long kernel stops when its flow is cancelled.
/// </summary>
public sealed class KernelScopeTests
{
    private const int N = 300, D = 48;

    [Fact]
    public async Task Two_concurrent_flows_keep_their_own_degree_and_cancellation()
    {
        var data = Reference.RandomMatrix(N, D, seed: 11);
        using var barrier = new Barrier(2);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        // Each flow reads its degree at 50 points where the other is known to be inside its own scope, then runs the
        // same product: the cancelled flow's must stop, the other's must finish with the exact one-thread result.
        Task<(int[] Seen, float[]? Product)> Flow(int degree, CancellationToken token) => Task.Run<(int[] Seen, float[]? Product)>(() =>
        {
            using var scope = KernelParallelism.Override(degree, token);
            var seen = new int[50];
            for (int i = 0; i < seen.Length; i++)
            {
                barrier.SignalAndWait();
                seen[i] = KernelParallelism.Current;
                Assert.Equal(token, KernelParallelism.Cancellation);
            }
            barrier.SignalAndWait();
            var c = new float[N * N];
            try
            {
                MatrixProduct.MultiplyTransposed(data, data, D, c);
                return (seen, c);
            }
            catch (OperationCanceledException)
            {
                return (seen, null);
            }
        });

        var flows = await Task.WhenAll(Flow(1, cancelled.Token), Flow(3, CancellationToken.None));
        Assert.All(flows[0].Seen, d => Assert.Equal(1, d));
        Assert.All(flows[1].Seen, d => Assert.Equal(3, d));
        Assert.Null(flows[0].Product);

        var sequential = new float[N * N];
        using (KernelParallelism.Override(1)) MatrixProduct.MultiplyTransposed(data, data, D, sequential);
        Assert.Equal(sequential, flows[1].Product);
    }

    [Fact]
    public void Outside_any_scope_the_degree_is_all_cores_and_nothing_cancels()
    {
        Assert.Equal(Environment.ProcessorCount, KernelParallelism.Current);
        Assert.False(KernelParallelism.Cancellation.CanBeCanceled);
    }

    [Fact]
    public void An_inner_degree_scope_keeps_the_flow_cancellation()
    {
        using var cts = new CancellationTokenSource();
        using (KernelParallelism.Override(2, cts.Token))
        {
            using (KernelParallelism.Override(1))
            {
                Assert.Equal(1, KernelParallelism.Current);
                Assert.Equal(cts.Token, KernelParallelism.Cancellation);
            }
            Assert.Equal(2, KernelParallelism.Current);
        }
        Assert.False(KernelParallelism.Cancellation.CanBeCanceled);
    }

    public static TheoryData<string, int> LongKernels() => new()
    {
        { "gemm", 1 }, { "gemm", 2 }, { "condensed", 1 }, { "condensed", 2 }, { "symmetric", 2 }, { "gram bounds", 2 },
        { "neighbours", 1 }, { "neighbours", 2 }, { "spanning tree", 1 }, { "spanning tree", 2 }, { "pairwise tiles", 2 },
    };

    [Theory]
    [MemberData(nameof(LongKernels))]
    public void Every_long_kernel_stops_when_its_flow_is_cancelled(string kernel, int degree)
    {
        var data = Reference.RandomMatrix(N, D, seed: 5);
        Action run = kernel switch
        {
            "gemm" => () => MatrixProduct.MultiplyTransposed(data, data, D, new float[N * N]),
            "condensed" => () => ExactDistances.Condensed(data, D, PairwiseMeasure.Euclidean),
            "symmetric" => () => SymmetricDistanceMatrix.Compute(data, D, PairwiseMeasure.Euclidean).Dispose(),
            "gram bounds" => () => GramDistanceBounds.Compute(data, D, PairwiseMeasure.Euclidean),
            "neighbours" => () => NearestNeighbors.Search(data, data, D, 5, PairwiseMeasure.CosineDistance),
            "spanning tree" => () => DenseSpanningTree.Prim(data, D, PairwiseMeasure.Euclidean),
            "pairwise tiles" => () => PairwiseKernel.ForEachTile(data, data, D, PairwiseMeasure.Dot, (_, _, _) => { }),
            _ => throw new ArgumentOutOfRangeException(nameof(kernel)),
        };
        run(); // the same call completes outside a cancelled scope

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        using (KernelParallelism.Override(degree, cts.Token))
            Assert.ThrowsAny<OperationCanceledException>(run);
    }
}
