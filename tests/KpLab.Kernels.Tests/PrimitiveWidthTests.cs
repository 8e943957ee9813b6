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

    [Theory]
    [MemberData(nameof(Cases))]
    public void Widening_sums_match_double_reference(string widthName, int n)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        var x = Reference.RandomMatrix(1, n, seed: n + 300);
        var y = Reference.RandomMatrix(1, n, seed: n + 400);
        var c = Array.ConvertAll(Reference.RandomMatrix(1, n, seed: n + 500), v => v / 3.0);
        double sum = 0, dotMixed = 0, dotFloat = 0, d2 = 0, mag = 0;
        for (int i = 0; i < n; i++)
        {
            sum += x[i];
            dotMixed += x[i] * c[i];
            dotFloat += (double)x[i] * y[i];
            d2 += (x[i] - c[i]) * (x[i] - c[i]);
            mag += Math.Abs(x[i]) + Math.Abs(x[i] * c[i]) + Math.Abs((double)x[i] * y[i]);
        }
        // Float64 accumulation of exactly widened floats: only float64 rounding, so 1e-13 relative is generous.
        double tolerance = 1e-13 * (mag + d2) + 1e-300;
        Assert.Equal(sum, WideningSums.Sum(x, width), tolerance);
        Assert.Equal(dotMixed, WideningSums.Dot(x, c, width), tolerance);
        Assert.Equal(dotFloat, WideningSums.Dot(x, y, width), tolerance);
        Assert.Equal(d2, WideningSums.SquaredDistance(x, c, width), tolerance);

        var acc = (double[])c.Clone();
        WideningSums.ScaleAddTo(-0.25, x, acc, width);
        for (int i = 0; i < n; i++) Assert.Equal(Math.FusedMultiplyAdd(-0.25, x[i], c[i]), acc[i]);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exact_distances_match_double_reference(string widthName, int n)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        var x = Reference.RandomMatrix(1, n, seed: n + 1000);
        var y = Reference.RandomMatrix(1, n, seed: n + 1100);
        double dot = 0, d2 = 0, mag = 0;
        for (int i = 0; i < n; i++)
        {
            dot += (double)x[i] * y[i];
            d2 += ((double)x[i] - y[i]) * ((double)x[i] - y[i]);
            mag += Math.Abs((double)x[i] * y[i]);
        }
        Assert.Equal(d2, ExactDistances.SquaredEuclidean(x, y, width), 1e-13 * d2 + 1e-300);
        Assert.Equal(dot, ExactDistances.Dot(x, y, width), 1e-13 * mag + 1e-300);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Elementwise_maximum_and_first_minimum_are_exact(string widthName, int n)
    {
        var width = Enum.Parse<SimdWidth>(widthName);
        var x = Reference.RandomMatrix(1, n, seed: n + 600);
        var y = Reference.RandomMatrix(1, n, seed: n + 700);
        if (n > 5) x[5] = float.NaN;
        var max = (float[])y.Clone();
        ElementwiseMaximum.Accumulate(x, max, width);
        for (int i = 0; i < n; i++) Assert.Equal(MathF.Max(x[i], y[i]), max[i]);

        // Rounded values so the minimum repeats: the first position must win on every width.
        var values = Array.ConvertAll(x, v => Math.Round(v * 4.0) / 4.0);
        if (n > 2) values[n - 2] = double.NaN;
        int expected = -1;
        for (int i = 0; i < n; i++)
            if (!double.IsNaN(values[i]) && (expected < 0 || values[i] < values[expected])) expected = i;
        Assert.Equal(expected, FirstMinimum.IndexOf(values, width));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Nearest_centroid_matches_double_reference(string widthName, int depth)
    {
        if (depth == 0) return;
        var width = Enum.Parse<SimdWidth>(widthName);
        const int rows = 11, k = 7;
        var x = Reference.RandomMatrix(rows, depth, seed: depth + 800);
        var centroids = Reference.RandomMatrix(k, depth, seed: depth + 900);
        var norms = new float[k];
        MatrixRows.SquaredNorms(centroids, depth, norms);
        var labels = new int[rows];
        var scores = new float[rows];
        NearestCentroid.Assign(x, centroids, depth, norms, labels, scores, width);
        for (int i = 0; i < rows; i++)
        {
            var expected = new double[k];
            double magnitude = 0;
            for (int j = 0; j < k; j++)
            {
                double dot = 0;
                for (int t = 0; t < depth; t++)
                {
                    dot += (double)x[i * depth + t] * centroids[j * depth + t];
                    magnitude += 2 * Math.Abs((double)x[i * depth + t] * centroids[j * depth + t]);
                }
                expected[j] = norms[j] - 2 * dot;
            }
            double tolerance = Reference.DotTolerance(depth, magnitude / k + norms.Max());
            // The label is the reference's argmin unless another centroid is within rounding of it.
            int best = Array.IndexOf(expected, expected.Min());
            Assert.True(labels[i] == best || expected[labels[i]] - expected[best] <= 2 * tolerance, $"row {i}: {labels[i]} vs {best}");
            Assert.Equal(expected[labels[i]], scores[i], tolerance);
        }
    }

    [Theory]
    [InlineData(1, 3, 5)]
    [InlineData(7, 33, 20)]
    [InlineData(50, 64, 48)]
    [InlineData(13, 256, 100)]
    public void Packed_product_matches_double_reference_and_is_bit_identical_across_widths(int rows, int depth, int columns)
    {
        var a = Reference.RandomMatrix(rows, depth, seed: rows + depth);
        var b = Reference.RandomMatrix(depth, columns, seed: depth + columns);
        var bias = Reference.RandomMatrix(1, columns, seed: columns);
        var packed = PackedMatrix.FromRowMajor(b, depth, columns);
        var baseline = new float[rows * columns];
        PackedMatrixProduct.Multiply(a, rows, packed, bias, baseline, SimdWidth.V256);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
            {
                double expected = bias[j], magnitude = Math.Abs(bias[j]);
                for (int k = 0; k < depth; k++)
                {
                    expected += (double)a[i * depth + k] * b[k * columns + j];
                    magnitude += Math.Abs((double)a[i * depth + k] * b[k * columns + j]);
                }
                Assert.Equal(expected, baseline[i * columns + j], Reference.DotTolerance(depth, magnitude));
            }
        // One fused multiply-add chain per element, bias first then k ascending, on every width and thread count.
        foreach (var width in SimdWidths.Supported)
            foreach (var degree in new[] { 1, 3 })
                using (KernelParallelism.Override(degree))
                {
                    var c = new float[rows * columns];
                    PackedMatrixProduct.Multiply(a, rows, packed, bias, c, width);
                    Reference.AssertBitIdentical(baseline, c, $"{width}, {degree} threads");
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
        int global = KernelParallelism.Current;
        using (KernelParallelism.Override(1))
        {
            Assert.Equal(1, KernelParallelism.Current);
            using (KernelParallelism.Override(3)) Assert.Equal(3, KernelParallelism.Current);
            Assert.Equal(1, KernelParallelism.Current);
        }
        Assert.Equal(global, KernelParallelism.Current);
        Assert.Throws<ArgumentOutOfRangeException>(() => KernelParallelism.Override(0));
    }
}
