using KpLab.Kernels;

namespace KpLab.Plugins.Hdbscan.Tests;

/// <summary>
/// The Gram-bounded search must give exactly what measuring every pair gives: core distances equal the k-th smallest
/// exact distance, and Prim's tree equals a brute-force Prim with the same tie rule (lowest row index wins).
/// </summary>
public sealed class GramDistanceBoundsTests
{
    // Points on a coarse grid plus duplicates: many exactly equal distances, so tie handling is exercised.
    private static float[] TiedRows(int n, int depth, int seed)
    {
        var random = new Random(seed);
        var values = new float[n * depth];
        for (int i = 0; i < values.Length; i++) values[i] = random.Next(-2, 3) * 0.5f + 0.25f;
        for (int i = 5; i < n; i += 11) values.AsSpan((i - 3) * depth, depth).CopyTo(values.AsSpan(i * depth, depth));
        return values;
    }

    private static float[] SmoothRows(int n, int depth, int seed)
    {
        var random = new Random(seed);
        var values = new float[n * depth];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() + (i / depth % 3));
        return values;
    }

    public static TheoryData<string, PairwiseMeasure, int> Cases() => new()
    {
        { "tied", PairwiseMeasure.Euclidean, 5 },
        { "tied", PairwiseMeasure.CosineDistance, 7 },
        { "smooth", PairwiseMeasure.Euclidean, 15 },
        { "smooth", PairwiseMeasure.SquaredEuclidean, 4 },
        { "smooth", PairwiseMeasure.CosineDistance, 15 },
        { "large", PairwiseMeasure.Euclidean, 5 }, // more rows than one Gram row block (512)
    };

    private static float[] Rows(string set) => set switch
    {
        "tied" => TiedRows(180, 6, 3),
        "large" => TiedRows(1100, 6, 5),
        _ => SmoothRows(230, 40, 4),
    };

    private static int Depth(string set) => set == "smooth" ? 40 : 6;

    [Theory]
    [MemberData(nameof(Cases))]
    public void KthNearestIsTheKthSmallestExactDistanceCountingSelf(string set, PairwiseMeasure measure, int k)
    {
        var data = Rows(set);
        int depth = Depth(set), n = data.Length / depth;
        var norms = ExactDistances.Norms(data, depth);
        var core = GramDistanceBounds.Compute(data, depth, measure).KthNearest(k);
        for (int i = 0; i < n; i++)
        {
            var all = Enumerable.Range(0, n).Select(j => j == i ? 0.0 : ExactDistances.Between(data, depth, i, j, measure, norms)).Order().ToArray();
            Assert.Equal(all[k - 1], core[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PrimEqualsBruteForcePrimWithAndWithoutCoreDistances(string set, PairwiseMeasure measure, int k)
    {
        var data = Rows(set);
        int depth = Depth(set);
        var bounds = GramDistanceBounds.Compute(data, depth, measure);
        var core = bounds.KthNearest(k);
        foreach (var reach in new[] { Array.Empty<double>(), core })
        {
            var tree = DenseSpanningTree.Prim(bounds, reach, CancellationToken.None);
            var (from, to, weights) = BruteForcePrim(data, depth, measure, reach);
            Assert.Equal(from, tree.From);
            Assert.Equal(to, tree.To);
            Assert.Equal(weights, tree.Weights);
        }
    }

    private static (int[] From, int[] To, double[] Weights) BruteForcePrim(float[] data, int depth, PairwiseMeasure measure, double[] core)
    {
        int n = data.Length / depth;
        var norms = ExactDistances.Norms(data, depth);
        var inTree = new bool[n];
        var best = Enumerable.Repeat(double.PositiveInfinity, n).ToArray();
        var bestFrom = new int[n];
        var (from, to, weights) = (new int[n - 1], new int[n - 1], new double[n - 1]);
        int x = 0;
        inTree[0] = true;
        for (int e = 0; e < n - 1; e++)
        {
            int y = -1;
            for (int i = 0; i < n; i++)
            {
                if (inTree[i]) continue;
                double d = ExactDistances.Between(data, depth, x, i, measure, norms);
                if (core.Length > 0) d = Math.Max(d, Math.Max(core[x], core[i]));
                if (d < best[i]) (best[i], bestFrom[i]) = (d, x);
                if (y < 0 || best[i] < best[y]) y = i; // ascending i: ties keep the lowest index
            }
            (from[e], to[e], weights[e]) = (bestFrom[y], y, best[y]);
            inTree[y] = true;
            x = y;
        }
        return (from, to, weights);
    }
}
