using System.Collections.Concurrent;

namespace KpLab.Kernels.Tests;

public sealed class PairwiseKernelTests
{
    public static TheoryData<PairwiseMeasure> Measures => new()
    {
        PairwiseMeasure.Dot, PairwiseMeasure.CosineSimilarity, PairwiseMeasure.CosineDistance,
        PairwiseMeasure.SquaredEuclidean, PairwiseMeasure.Euclidean,
    };

    private static (float[] A, float[] B) DataWithZeroRows(int n, int m, int d)
    {
        var a = Reference.RandomMatrix(n, d, seed: 11);
        var b = Reference.RandomMatrix(m, d, seed: 12);
        Array.Clear(a, 2 * d, d); // zero row in A
        Array.Clear(b, 5 * d, d); // zero row in B
        Array.Copy(a, 0, b, 0, d); // B[0] = A[0]: distance 0, cosine 1
        return (a, b);
    }

    [Theory]
    [MemberData(nameof(Measures))]
    public void Compute_matches_double_reference_with_zero_rows(PairwiseMeasure measure)
    {
        const int n = 45, m = 70, d = 33;
        var (a, b) = DataWithZeroRows(n, m, d);
        var c = new float[n * m];
        PairwiseKernel.Compute(a, b, d, measure, c);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                double expected = Reference.Measure(a, i, b, j, d, measure);
                double tol = measure == PairwiseMeasure.Euclidean ? 2e-3 : 1e-4 * d;
                Assert.True(Math.Abs(c[i * m + j] - expected) <= tol, $"{measure}[{i}, {j}] = {c[i * m + j]}, reference {expected}");
                Assert.False(float.IsNaN(c[i * m + j]));
                if (measure is PairwiseMeasure.SquaredEuclidean or PairwiseMeasure.Euclidean or PairwiseMeasure.CosineDistance)
                    Assert.True(c[i * m + j] >= 0f);
            }
        // The zero row: cosine similarity 0 (distance 1) with everything, never NaN.
        if (measure == PairwiseMeasure.CosineSimilarity) Assert.All(c.AsSpan(2 * m, m).ToArray(), v => Assert.Equal(0f, v));
        if (measure == PairwiseMeasure.CosineDistance) Assert.All(c.AsSpan(2 * m, m).ToArray(), v => Assert.Equal(1f, v));
    }

    [Theory]
    [MemberData(nameof(Measures))]
    public void Vector_finishing_step_equals_the_scalar_formula_bit_for_bit(PairwiseMeasure measure)
    {
        // The dot products are the GEMM's (bit-identical on every kernel); turning them into the measure is element-wise,
        // so whatever vector width runs it must give exactly the scalar formula.
        const int n = 13, m = 77, d = 21;
        var (a, b) = DataWithZeroRows(n, m, d);
        b[7 * d] = float.NaN;
        var c = new float[n * m];
        PairwiseKernel.Compute(a, b, d, measure, c);
        var dots = MatrixProduct.MultiplyTransposed(a, b, d);
        var na = new float[n];
        var nb = new float[m];
        MatrixRows.SquaredNorms(a, d, na);
        MatrixRows.SquaredNorms(b, d, nb);
        static float Reciprocal(float s) => s > 0f ? 1f / MathF.Sqrt(s) : s == 0f ? 0f : s;
        var expected = new float[n * m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                float dot = dots[i * m + j], value;
                if (measure is PairwiseMeasure.SquaredEuclidean or PairwiseMeasure.Euclidean)
                {
                    value = MathF.FusedMultiplyAdd(-2f, dot, na[i] + nb[j]);
                    if (value < 0f) value = 0f;
                    if (measure == PairwiseMeasure.Euclidean) value = MathF.Sqrt(value);
                }
                else if (measure is PairwiseMeasure.CosineSimilarity or PairwiseMeasure.CosineDistance)
                {
                    value = dot * Reciprocal(na[i]) * Reciprocal(nb[j]);
                    if (measure == PairwiseMeasure.CosineDistance)
                    {
                        value = 1f - value;
                        if (value < 0f) value = 0f;
                    }
                }
                else value = dot;
                expected[i * m + j] = value;
            }
        Reference.AssertBitIdentical(expected, c, measure.ToString());
    }

    [Theory]
    [MemberData(nameof(Measures))]
    public void Tiles_cover_every_row_once_and_equal_the_full_matrix(PairwiseMeasure measure)
    {
        const int n = 101, m = 37, d = 19;
        var (a, b) = DataWithZeroRows(n, m, d);
        var full = new float[n * m];
        PairwiseKernel.Compute(a, b, d, measure, full);
        var seen = new int[n];
        var tiled = new float[n * m];
        var threads = new ConcurrentDictionary<int, bool>();
        PairwiseKernel.ForEachTile(a, b, d, measure, (r0, rows, tile) =>
        {
            Assert.Equal(rows * m, tile.Length);
            for (int r = r0; r < r0 + rows; r++) Interlocked.Increment(ref seen[r]);
            tile.CopyTo(tiled.AsSpan(r0 * m));
        }, tileRows: 8);
        Assert.All(seen, s => Assert.Equal(1, s));
        Reference.AssertBitIdentical(full, tiled, $"tiled {measure}");
    }

    [Fact]
    public void Self_pairwise_distance_uses_the_symmetric_product_and_is_symmetric()
    {
        const int n = 77, d = 50;
        var x = Reference.RandomMatrix(n, d, seed: 21);
        var c = new float[n * n];
        PairwiseKernel.Compute(x, x, d, PairwiseMeasure.SquaredEuclidean, c);
        for (int i = 0; i < n; i++)
        {
            Assert.True(c[i * n + i] < 1e-4f, $"self distance {c[i * n + i]}");
            for (int j = 0; j < i; j++) Assert.Equal(c[i * n + j], c[j * n + i]);
        }
    }

    [Fact]
    public void Nan_rows_give_nan_measures_not_zero()
    {
        const int d = 8;
        var a = Reference.RandomMatrix(4, d, seed: 1);
        var b = Reference.RandomMatrix(6, d, seed: 2);
        b[3 * d] = float.NaN;
        foreach (var measure in new[] { PairwiseMeasure.SquaredEuclidean, PairwiseMeasure.CosineDistance })
        {
            var c = new float[24];
            PairwiseKernel.Compute(a, b, d, measure, c);
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 6; j++)
                    Assert.Equal(j == 3, float.IsNaN(c[i * 6 + j]));
        }
    }

    [Fact]
    public void Group_sums_match_reference()
    {
        const int n = 60, m = 90, d = 24, groups = 4;
        var a = Reference.RandomMatrix(n, d, seed: 31);
        var b = Reference.RandomMatrix(m, d, seed: 32);
        var labels = Enumerable.Range(0, m).Select(j => j % 5 == 4 ? -1 : j % groups).ToArray();
        var sums = new double[n * groups];
        PairwiseKernel.GroupSums(a, b, d, PairwiseMeasure.Euclidean, labels, groups, sums);
        for (int i = 0; i < n; i++)
        {
            var expected = new double[groups];
            for (int j = 0; j < m; j++)
                if (labels[j] >= 0) expected[labels[j]] += Reference.Measure(a, i, b, j, d, PairwiseMeasure.Euclidean);
            for (int g = 0; g < groups; g++) Assert.Equal(expected[g], sums[i * groups + g], 1e-3);
        }
        Assert.Throws<ArgumentException>(() => PairwiseKernel.GroupSums(a, b, d, PairwiseMeasure.Dot, labels, 2, sums));
    }

    [Fact]
    public void Empty_inputs_call_nothing()
    {
        int calls = 0;
        PairwiseKernel.ForEachTile([], new float[6], 3, PairwiseMeasure.Dot, (_, _, _) => calls++);
        Assert.Equal(0, calls);
        PairwiseKernel.ForEachTile(new float[6], [], 3, PairwiseMeasure.CosineDistance, (_, rows, tile) =>
        {
            Interlocked.Increment(ref calls);
            Assert.Equal(0, tile.Length);
        });
        Assert.Equal(1, calls);
    }
}
