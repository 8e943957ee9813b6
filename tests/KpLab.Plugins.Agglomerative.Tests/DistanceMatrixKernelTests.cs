using KpLab.Kernels;

namespace KpLab.Plugins.Agglomerative.Tests;

/// <summary>The kernels under the nearest-neighbour chain: the full matrix and the first-minimum scan.</summary>
public sealed class DistanceMatrixKernelTests
{
    private static float[] RandomRows(int n, int depth, int seed, bool withDuplicates)
    {
        var random = new Random(seed);
        var values = new float[n * depth];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        if (withDuplicates)
            for (int i = 3; i < n; i += 17) values.AsSpan((i - 1) * depth, depth).CopyTo(values.AsSpan(i * depth, depth));
        return values;
    }

    [Theory]
    [InlineData(151, 37, PairwiseMeasure.Euclidean)]      // odd band, 2 x 4 remainders, scalar tail of each row
    [InlineData(200, 64, PairwiseMeasure.SquaredEuclidean)]
    [InlineData(131, 48, PairwiseMeasure.CosineDistance)]
    [InlineData(70, 5, PairwiseMeasure.Euclidean)]        // rows shorter than one vector
    public void FullMatrixEqualsTheCondensedMatrixBitForBit(int n, int depth, PairwiseMeasure measure)
    {
        var data = RandomRows(n, depth, n + depth, withDuplicates: true);
        var condensed = ExactDistances.Condensed(data, depth, measure);
        foreach (int threads in new[] { 1, 2 })
        {
            using var scope = KernelParallelism.Override(threads);
            using var full = SymmetricDistanceMatrix.Compute(data, depth, measure);
            Assert.Equal(n, full.Size);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(0.0, full[i, i]);
                for (int j = i + 1; j < n; j++)
                {
                    double expected = condensed[ExactDistances.CondensedIndex(n, i, j)];
                    Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(full[i, j]));
                    Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(full[j, i]));
                }
            }
        }
    }

    [Fact]
    public void FirstMinimumIsTheLowestIndexOfTheSmallestValue()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 500; trial++)
        {
            int n = random.Next(0, 70);
            var values = new double[n];
            for (int i = 0; i < n; i++)
            {
                int kind = random.Next(10);
                values[i] = kind == 0 ? double.PositiveInfinity : kind == 1 ? double.NaN : random.Next(0, 6); // many ties
            }
            int expected = -1;
            for (int i = 0; i < n; i++)
                if (!double.IsNaN(values[i]) && (expected < 0 || values[i] < values[expected])) expected = i;
            Assert.Equal(expected, FirstMinimum.IndexOf(values));
        }
        Assert.Equal(3, FirstMinimum.IndexOf([double.PositiveInfinity, double.NaN, double.PositiveInfinity, 2, 5, 2, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 2]));
        Assert.Equal(0, FirstMinimum.IndexOf(Enumerable.Repeat(double.PositiveInfinity, 40).ToArray()));
    }
}
