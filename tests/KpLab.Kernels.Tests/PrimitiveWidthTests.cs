namespace KpLab.Kernels.Tests;

/// <summary>The SIMD primitives on every width the processor runs (forced through the internal width overloads).</summary>
public sealed class PrimitiveWidthTests
{
    public static IEnumerable<object[]> Cases() =>
        from w in SimdWidths.Supported
        from n in new[] { 0, 1, 3, 7, 8, 15, 16, 17, 33, 769 }
        select new object[] { w.ToString(), n };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Primitives_match_double_reference(string widthName, int n)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        var x = Reference.RandomMatrix(1, n, seed: n + 100);
        var y = Reference.RandomMatrix(1, n, seed: n + 200);
        double dot = 0, d2 = 0, sum = 0, mag = 0;
        for (int i = 0; i < n; i++)
        {
            dot += (double)x[i] * y[i];
            mag += Math.Abs((double)x[i] * y[i]);
            d2 += Math.Pow((double)x[i] - y[i], 2);
            sum += x[i];
        }
        Assert.Equal(dot, VectorMath.Dot(x, y, width), Reference.DotTolerance(n, mag));
        Assert.Equal(d2, VectorMath.SquaredL2(x, y, width), Reference.DotTolerance(n, d2));
        Assert.Equal(sum, VectorMath.Sum(x, width), Reference.DotTolerance(n, n));

        var axpy = (float[])y.Clone();
        VectorMath.Axpy(0.5f, x, axpy, width);
        var scaled = (float[])x.Clone();
        VectorMath.Scale(-3f, scaled, width);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(MathF.FusedMultiplyAdd(0.5f, x[i], y[i]), axpy[i]);
            Assert.Equal(x[i] * -3f, scaled[i]);
        }
    }

    [Fact]
    public void Dot_propagates_nan_on_every_width()
    {
        foreach (var width in SimdWidths.Supported)
        {
            var x = Reference.RandomMatrix(1, 40, seed: 1);
            x[37] = float.NaN;
            Assert.True(float.IsNaN(VectorMath.Dot(x, x, width)), width.ToString());
            Assert.True(float.IsNaN(VectorMath.SquaredL2(x, new float[40], width)), width.ToString());
        }
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => VectorMath.Dot(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => VectorMath.Axpy(1f, new float[3], new float[4]));
    }
}

public sealed class MatrixRowsTests
{
    [Fact]
    public void Normalising_rows_leaves_zero_rows_zero_and_others_unit()
    {
        const int d = 19;
        var x = Reference.RandomMatrix(6, d, seed: 3, scale: 5);
        Array.Clear(x, 2 * d, d);
        MatrixRows.NormalizeRows(x, d);
        var norms = new float[6];
        MatrixRows.SquaredNorms(x, d, norms);
        for (int i = 0; i < 6; i++) Assert.Equal(i == 2 ? 0f : 1f, norms[i], 1e-6f);
        Assert.All(x.AsSpan(2 * d, d).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Row_sums_means_and_column_means_match_reference()
    {
        const int rows = 9, d = 21;
        var x = Reference.RandomMatrix(rows, d, seed: 4);
        var sums = new float[rows];
        var means = new float[rows];
        MatrixRows.Sums(x, d, sums);
        MatrixRows.Means(x, d, means);
        for (int i = 0; i < rows; i++)
        {
            double s = 0;
            for (int j = 0; j < d; j++) s += x[i * d + j];
            Assert.Equal(s, sums[i], 1e-5);
            Assert.Equal(s / d, means[i], 1e-6);
        }
        var all = new float[d];
        var some = new float[d];
        MatrixRows.ColumnMeans(x, d, all);
        MatrixRows.ColumnMeans(x, d, [1, 4], some);
        for (int j = 0; j < d; j++)
        {
            Assert.Equal(Enumerable.Range(0, rows).Average(i => (double)x[i * d + j]), all[j], 1e-6);
            Assert.Equal(((double)x[d + j] + x[4 * d + j]) / 2, some[j], 1e-6);
        }
    }

    [Fact]
    public void First_non_finite_row_is_found()
    {
        var x = new float[12];
        Assert.Equal(-1, MatrixRows.FirstNonFiniteRow(x, 3));
        x[8] = float.NegativeInfinity;
        x[10] = float.NaN;
        Assert.Equal(2, MatrixRows.FirstNonFiniteRow(x, 3));
    }

    [Fact]
    public void Parallelism_override_is_scoped_and_validated()
    {
        int global = KernelParallelism.MaxDegree;
        using (KernelParallelism.Override(1))
        {
            Assert.Equal(1, KernelParallelism.Current);
            using (KernelParallelism.Override(3)) Assert.Equal(3, KernelParallelism.Current);
            Assert.Equal(1, KernelParallelism.Current);
        }
        Assert.Equal(global, KernelParallelism.Current);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelParallelism.Override(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelParallelism.MaxDegree = 0);
    }
}
