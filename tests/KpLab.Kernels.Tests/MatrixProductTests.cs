namespace KpLab.Kernels.Tests;

public sealed class MatrixProductTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 0, 5, 3 }, { 4, 0, 3 }, { 1, 1, 1 }, { 1, 7, 3 }, { 7, 1, 3 }, { 37, 53, 1 }, { 37, 53, 3 },
        { 9, 45, 769 }, { 130, 70, 17 }, { 29, 300, 385 }, { 140, 270, 64 },
    };

    public static IEnumerable<object[]> ShapesByWidth() =>
        from w in SimdWidths.Supported
        from s in new (int N, int M, int D)[] { (0, 5, 3), (1, 1, 1), (1, 7, 3), (37, 53, 1), (37, 53, 3), (9, 45, 769), (130, 70, 17), (29, 300, 385) }
        select new object[] { w.ToString(), s.N, s.M, s.D };

    [Theory]
    [MemberData(nameof(ShapesByWidth))]
    public void Product_matches_double_reference_for_every_vector_width(string widthName, int n, int m, int d)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        var a = Reference.RandomMatrix(n, d, seed: n * 31 + d);
        var b = Reference.RandomMatrix(m, d, seed: m * 17 + d + 1);
        var c = new float[n * m];
        GemmEngine.MultiplyTransposed(a, n, b, m, d, c, m, degree: 2, width, symmetric: false);
        var (expected, magnitude) = Reference.Product(a, b, d);
        for (int i = 0; i < c.Length; i++)
            Assert.True(Math.Abs(c[i] - expected[i]) <= Reference.DotTolerance(d, magnitude[i]),
                $"C[{i / m}, {i % m}] = {c[i]}, reference {expected[i]} ({widthName}, {n}x{m}x{d})");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Public_product_matches_reference_and_writes_only_n_times_m(int n, int m, int d)
    {
        var a = Reference.RandomMatrix(n, d, seed: 1);
        var b = Reference.RandomMatrix(m, d, seed: 2);
        var c = Enumerable.Repeat(-7f, n * m + 3).ToArray();
        MatrixProduct.MultiplyTransposed(a, b, d, c);
        var (expected, magnitude) = Reference.Product(a, b, d);
        for (int i = 0; i < n * m; i++)
            Assert.True(Math.Abs(c[i] - expected[i]) <= Reference.DotTolerance(d, magnitude[i]), $"element {i}");
        Assert.Equal([-7f, -7f, -7f], c[(n * m)..]);
        Reference.AssertBitIdentical(c.AsSpan(0, n * m), MatrixProduct.MultiplyTransposed(a, b, d), "array overload");
    }

    [Fact]
    public void Result_is_bit_identical_across_threads_widths_and_the_symmetric_path()
    {
        // 389 rows span several macro-tiles of every kernel shape, with ragged edges, and macro-tiles whose diagonal
        // micro-tiles mirror across tile borders; depth 769 runs three depth blocks.
        const int n = 389, d = 769;
        var x = Reference.RandomMatrix(n, d, seed: 5);
        var copy = (float[])x.Clone();
        var baseline = new float[n * n];
        GemmEngine.MultiplyTransposed(x, n, copy, n, d, baseline, n, degree: 1, SimdWidths.Best, symmetric: false);
        foreach (var width in SimdWidths.Supported)
            foreach (var degree in new[] { 1, 2, 3 })
                foreach (var symmetric in new[] { false, true })
                {
                    var c = new float[n * n];
                    GemmEngine.MultiplyTransposed(x, n, symmetric ? x : copy, n, d, c, n, degree, width, symmetric);
                    Reference.AssertBitIdentical(baseline, c, $"{width}, {degree} threads, symmetric={symmetric}");
                }
    }

    [Fact]
    public void Thread_count_override_does_not_change_the_public_result()
    {
        var a = Reference.RandomMatrix(203, 384, seed: 8);
        var b = Reference.RandomMatrix(517, 384, seed: 9);
        float[] one, two;
        using (KernelParallelism.Override(1)) one = MatrixProduct.MultiplyTransposed(a, b, 384);
        using (KernelParallelism.Override(2)) two = MatrixProduct.MultiplyTransposed(a, b, 384);
        Reference.AssertBitIdentical(one, two, "1 vs 2 threads");
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(1, 1)]
    [InlineData(33, 3)]
    [InlineData(161, 769)]
    public void Gram_matrix_is_symmetric_and_matches_reference(int n, int d)
    {
        var x = Reference.RandomMatrix(n, d, seed: n + d);
        var gram = MatrixProduct.MultiplySelfTransposed(x, d);
        var sameSpan = new float[n * n];
        MatrixProduct.MultiplyTransposed(x, x, d, sameSpan);
        Reference.AssertBitIdentical(gram, sameSpan, "same span as A and B");
        Reference.AssertBitIdentical(gram, MatrixProduct.MultiplyTransposed(x, (float[])x.Clone(), d), "general path");
        var (expected, magnitude) = Reference.Product(x, x, d);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                Assert.Equal(gram[i * n + j], gram[j * n + i]);
                Assert.True(Math.Abs(gram[i * n + j] - expected[i * n + j]) <= Reference.DotTolerance(d, magnitude[i * n + j]));
            }
    }

    [Fact]
    public void Nan_and_infinity_propagate_to_their_rows_and_columns_only()
    {
        const int n = 40, m = 35, d = 20;
        var a = Reference.RandomMatrix(n, d, seed: 3);
        var b = Reference.RandomMatrix(m, d, seed: 4);
        a[3 * d + 7] = float.NaN;
        b[10 * d + 19] = float.PositiveInfinity;
        var c = MatrixProduct.MultiplyTransposed(a, b, d);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++)
            {
                var v = c[i * m + j];
                if (i == 3) Assert.True(float.IsNaN(v), $"C[3, {j}] should be NaN");
                else if (j == 10) Assert.True(float.IsInfinity(v) || float.IsNaN(v), $"C[{i}, 10] should be non-finite");
                else Assert.True(float.IsFinite(v), $"C[{i}, {j}] should be finite");
            }
    }

    [Fact]
    public void Bad_shapes_are_rejected()
    {
        var a = new float[12];
        Assert.Throws<ArgumentException>(() => MatrixProduct.MultiplyTransposed(a, new float[10], 4));
        Assert.Throws<ArgumentException>(() => MatrixProduct.MultiplyTransposed(a, new float[8], 4, new float[5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => MatrixProduct.MultiplyTransposed(a, a, 0));
        Assert.Throws<ArgumentException>(() => MatrixProduct.MultiplySelfTransposed(a, 4, new float[8]));
    }
}
