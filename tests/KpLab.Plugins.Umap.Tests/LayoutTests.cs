using System.Numerics;

namespace KpLab.Plugins.Umap.Tests;

/// <summary>The layout's arithmetic: the vector power against the C library's pow, and the negative-sample draws.</summary>
public sealed class LayoutTests
{
    [Theory]
    [InlineData(0.8951)] // b of umap-learn's defaults (minDist 0.1, spread 1)
    [InlineData(0.7915)] // b of minDist 0, spread 1
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(1.9)]
    public void PowerIsWithinAMillionthOfMathPow(double y)
    {
        float exponent = (float)y;
        double worst = 0;
        // x from 1e-30 to 1e30 on a fine log grid, with every mantissa region of [1, 2) crossed many times.
        for (int step = 0; step <= 60_000; step++)
        {
            float x = (float)Math.Pow(10, -30 + step / 1000.0);
            double expected = Math.Pow(x, exponent);
            if (expected is < 1e-37 or > 1e38) continue; // the stated range: x^y within float's normal range, with a margin
            worst = Math.Max(worst, Math.Abs(ApproximatePower.Pow(x, exponent) / expected - 1));
        }
        Assert.InRange(worst, 0, 1e-6);
    }

    [Fact]
    public void EveryLaneIsTheScalarPowerAndZeroIsTakenAsTheFloor()
    {
        var xs = Enumerable.Range(0, Vector<float>.Count).Select(i => i == 0 ? 0f : 0.37f * i * i).ToArray();
        var lanes = ApproximatePower.Pow(new Vector<float>(xs), 0.8951f);
        for (int i = 0; i < xs.Length; i++) Assert.Equal(ApproximatePower.Pow(xs[i], 0.8951f), lanes[i]);
        Assert.Equal(Math.Pow(1e-30, 0.8951), lanes[0], 1e-6 * Math.Pow(1e-30, 0.8951));
    }

    [Fact]
    public void DrawsAreUniformAndEachBlockHasItsOwnStream()
    {
        // Pearson's chi-square over 37 cells, 370,000 draws: 36 degrees of freedom, 67.0 is the 0.001 critical value.
        const int cells = 37, draws = 370_000;
        var random = new LayoutRandom(42, 0);
        var counts = new int[cells];
        for (int i = 0; i < draws; i++) counts[random.NextBelow(cells)]++;
        double expected = (double)draws / cells;
        double chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.InRange(chiSquare, 0, 67.0);

        var (first, second, again) = (new LayoutRandom(42, 0), new LayoutRandom(42, 1), new LayoutRandom(42, 0));
        var a = Enumerable.Range(0, 100).Select(_ => first.NextBelow(1_000_000)).ToArray();
        var b = Enumerable.Range(0, 100).Select(_ => second.NextBelow(1_000_000)).ToArray();
        var c = Enumerable.Range(0, 100).Select(_ => again.NextBelow(1_000_000)).ToArray();
        Assert.Equal(a, c);
        Assert.True(a.Zip(b).Count(p => p.First == p.Second) <= 1);
    }
}
