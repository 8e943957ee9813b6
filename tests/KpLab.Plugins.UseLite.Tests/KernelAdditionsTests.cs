using KpLab.Kernels;
using KpLab.Plugins.UseLite;

namespace KpLab.Plugins.UseLite.Tests;

/// <summary>The kernel's PackedMatrixProduct and use-lite's LayerMath, against plain double-precision loops.</summary>
public sealed class KernelAdditionsTests
{
    [Theory]
    [InlineData(1, 3, 5)]
    [InlineData(7, 33, 20)]
    [InlineData(50, 64, 48)]
    [InlineData(13, 256, 100)]
    public void PackedProductEqualsNaiveProductPlusBias(int rows, int depth, int columns)
    {
        var random = new Random(rows * 1000 + depth);
        var a = Enumerable.Range(0, rows * depth).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, depth * columns).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var bias = Enumerable.Range(0, columns).Select(_ => (float)random.NextDouble()).ToArray();
        var c = new float[rows * columns];
        PackedMatrixProduct.Multiply(a, rows, PackedMatrix.FromRowMajor(b, depth, columns), bias, c);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
            {
                double expected = bias[j];
                for (int k = 0; k < depth; k++) expected += (double)a[i * depth + k] * b[k * columns + j];
                Assert.Equal(expected, c[i * columns + j], 1e-4);
            }
        // Each row's result is independent of the other rows and of the thread count.
        var single = new float[columns];
        using (KernelParallelism.Override(1))
            PackedMatrixProduct.Multiply(a.AsSpan((rows - 1) * depth, depth), 1, PackedMatrix.FromRowMajor(b, depth, columns), bias, single);
        Assert.True(single.AsSpan().SequenceEqual(c.AsSpan((rows - 1) * columns, columns)));
    }

    [Fact]
    public void LayerNormSoftmaxAndActivations()
    {
        float[] x = [1f, 2f, 3f, 6f];
        var y = new float[4];
        LayerMath.LayerNorm(x, y, [1f, 1f, 2f, 1f], [0f, 0f, 0f, 1f], 1e-6f);
        double mean = 3, sd = Math.Sqrt((4 + 1 + 0 + 9) / 4.0 + 1e-6);
        Assert.Equal((1 - mean) / sd, y[0], 1e-5);
        Assert.Equal(2 * (3 - mean) / sd, y[2], 1e-5);
        Assert.Equal((6 - mean) / sd + 1, y[3], 1e-5);
        float[] s = [1f, 2f, 3f];
        LayerMath.Softmax(s);
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Assert.Equal(Math.Exp(2) / z, s[1], 1e-6);
        float[] r = [-1f, 0.5f, -0f, 3f, -2f, 1f, -3f, 4f, -5f];
        LayerMath.Relu(r);
        Assert.Equal([0f, 0.5f, 0f, 3f, 0f, 1f, 0f, 4f, 0f], r);
        float[] rows = [1f, 2f, 3f, 4f];
        LayerMath.AddBias(rows, [10f, 20f]);
        Assert.Equal([11f, 22f, 13f, 24f], rows);
        Assert.Throws<ArgumentException>(() => LayerMath.AddBias(new float[3], [1f, 2f]));
    }
}
