using KpLab.Kernels;

namespace KpLab.Plugins.Onnx.Tests;

public sealed class ElementwiseMaximumTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(19)]
    [InlineData(67)]
    public void AccumulateTakesTheLargerOfEachPair(int length)
    {
        var random = new Random(length);
        var x = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var y = Enumerable.Range(0, length).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var expected = x.Zip(y, MathF.Max).ToArray();
        ElementwiseMaximum.Accumulate(x, y);
        Assert.Equal(expected, y);
    }

    [Fact]
    public void LengthMismatchThrows() =>
        Assert.Throws<ArgumentException>(() => ElementwiseMaximum.Accumulate(new float[3], new float[4]));
}
