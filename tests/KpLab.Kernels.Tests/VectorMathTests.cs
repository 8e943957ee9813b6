using KpLab.Kernels;

namespace KpLab.Kernels.Tests;

public sealed class VectorMathTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(769)]
    public void Primitives_match_double_precision_reference(int n)
    {
        var rng = new Random(n);
        var x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        double dot = 0, d2 = 0, nx = 0, ny = 0;
        for (int i = 0; i < n; i++) { dot += (double)x[i] * y[i]; d2 += Math.Pow((double)x[i] - y[i], 2); nx += (double)x[i] * x[i]; ny += (double)y[i] * y[i]; }
        Assert.Equal(dot, VectorMath.Dot(x, y), 1e-4 * Math.Max(1, n));
        Assert.Equal(d2, VectorMath.SquaredL2(x, y), 1e-4 * Math.Max(1, n));
        var cos = nx == 0 || ny == 0 ? 0 : dot / Math.Sqrt(nx * ny);
        Assert.Equal(cos, VectorMath.Cosine(x, y), 1e-5);
    }

    [Fact]
    public void Normalising_a_zero_vector_keeps_it_zero()
    {
        var z = new float[5];
        Assert.Equal(0f, VectorMath.L2Normalize(z));
        Assert.All(z, v => Assert.Equal(0f, v));
        Assert.Equal(0f, VectorMath.Cosine(z, [1f, 2f, 3f, 4f, 5f]));
    }

    [Fact]
    public void ArgMin_and_ArgMax_skip_nan_and_take_first_tie()
    {
        float[] v = [float.NaN, 2f, 1f, 1f, 5f, 5f];
        Assert.Equal(2, VectorMath.ArgMin(v));
        Assert.Equal(4, VectorMath.ArgMax(v));
        Assert.Equal(-1, VectorMath.ArgMin([]));
        Assert.Equal(-1, VectorMath.ArgMax([float.NaN]));
    }
}
