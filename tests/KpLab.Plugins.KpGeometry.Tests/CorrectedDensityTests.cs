using KpLab.Abstractions;
using KpLab.Plugins.KpGeometry.Permutations;

namespace KpLab.Plugins.KpGeometry.Tests;

/// <summary>The anisotropy-corrected density, its exact random-subset z score and the label-permutation null.</summary>
public sealed class CorrectedDensityTests
{
    // Six rows: label a three times (1, 0), label b three times (0, 1). Cosines: 1 within a label, 0 across.
    // A = 6 / 15 = 0.4; corrected = 1 − 0.4 = 0.6. Centred cosines h = 0.6 within, −0.4 across: Q = 6·0.36 + 9·0.16 = 3.6,
    // every row sum 2·0.6 − 3·0.4 = 0 so R = 0; m = 3, n = 6: p₂ = 0.2, p₃ = 0.05, p₄ = 0, P = 3:
    // σ² = (0.2·3.6 + 0.05·(0 − 7.2)) / 9 = 0.04, z = 0.6 / 0.2 = 3. (Enumerating the 20 triples: 2 have mean 1, 18 have
    // 1/3: mean 0.4, variance 0.2 − 0.16 = 0.04.) Standardised: rows (1, −1) and (−1, 1), cosines ±1: A = −0.2,
    // corrected 1.2, Q = 14.4, R = 0, σ² = (2.88 − 1.44) / 9 = 0.16, z = 3.
    private static readonly EvaluationInput SixRows = new()
    {
        Embeddings = EmbeddingMatrix.FromRows(new[] { new[] { 1f, 0f }, [1f, 0f], [1f, 0f], [0f, 1f], [0f, 1f], [0f, 1f] }),
        Truth = new[] { "a", "a", "a", "b", "b", "b" },
    };

    private static KpGeometryMetric Metric(int permutations = 200, int? seed = 3) =>
        new(new KpGeometryOptions { Bootstrap = 0, Permutations = permutations, Seed = seed, K = 2 }, PluginContext.Default);

    [Fact]
    public void SixRowsGiveTheHandComputedValues()
    {
        // Identity, a ↔ b swapped (label a's rows are b's: still dense), and one mixing swap (a = rows 0, 1, 3: W = 1/3).
        int[][] permutations = [[0, 1, 2, 3, 4, 5], [3, 4, 5, 0, 1, 2], [0, 1, 3, 2, 4, 5]];
        var result = Metric().Evaluate(SixRows, permutations);
        var a = result.Records.Single(r => r.Label == "a");
        Assert.Equal(1.0, a.WithinCosine, 14);
        Assert.Equal(0.4, a.AllPairsCosine, 14);
        Assert.Equal(0.6, a.CorrectedCosine, 14);
        Assert.Equal(3.0, a.CorrectedZ, 12);
        Assert.Equal(1.2, a.StandardizedCorrectedCosine, 14);
        Assert.Equal(3.0, a.StandardizedCorrectedZ, 12);
        // Null values 0.6, 0.6, 1/3 − 0.4 = −1/15: mean 17/45, sd √(300/2025 · ... ) = 2/(3√3), p = (1 + 2) / 4.
        Assert.Equal(17.0 / 45, a.CorrectedNullMean, 14);
        Assert.Equal(2 / (3 * Math.Sqrt(3)), a.CorrectedNullSd, 14);
        Assert.Equal(0.75, a.CorrectedPValue);
        Assert.Equal(0.6 - 17.0 / 45, a.CorrectedExcess, 14);
        // The legacy rows and the long-form cells (the sweep's results table) carry them under their column names.
        Assert.Equal(a.CorrectedZ, result.Rows.Single(r => r.Key == "a")["correctedZ"]);
        Assert.Contains(new MetricCell("a", "correctedPValue", 0.75), result.Cells);
        Assert.Equal(a.StandardizedCorrectedCosine, result.Cells.Single(c => c.Key == "a" && c.Statistic == "standardizedCorrectedCosine").Value);
    }

    [Fact]
    public void ALabelHoldingTheWholeUnitHasNoScoreAndAPValueOfOne()
    {
        var input = new EvaluationInput { Embeddings = SixRows.Embeddings, Truth = new[] { "x", "x", "x", "x", "x", "x" } };
        var x = Metric(permutations: 5).Evaluate(input).Records.Single();
        Assert.Equal(0.0, x.CorrectedCosine, 14);
        Assert.True(double.IsNaN(x.CorrectedZ)); // σ = 0: every subset of size n is the unit
        Assert.Equal(1.0, x.CorrectedPValue);     // every permutation gives the observed grouping back
        Assert.Equal(0.0, x.CorrectedNullSd, 14);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SubsetVarianceEqualsEnumeratingEverySubset(bool gram)
    {
        var fixture = GeometryFixture.Root.GetProperty("subsetVariance");
        var data = GeometryFixture.Embeddings(fixture.GetProperty("file").GetString()!);
        var method = gram ? CosineMethod.Gram : CosineMethod.Direct;
        foreach (var (kind, cosines) in new[] { ("raw", RowCosines.Unit(data, method)), ("standardized", RowCosines.Standardized(data, method)) })
        {
            Assert.Equal(gram, cosines.HoldsGram);
            var expected = fixture.GetProperty(kind);
            Assert.Equal(expected.GetProperty("allPairsMean").GetDouble(), cosines.AllPairsMean, 14);
            for (int m = 2; m <= 9; m++)
            {
                double brute = expected.GetProperty($"{m}").GetProperty("variance").GetDouble();
                Assert.True(Math.Abs(brute - cosines.SubsetVariance(m)) <= 1e-14, $"{kind} m = {m}: {cosines.SubsetVariance(m):R} vs enumeration {brute:R}");
            }
            Assert.True(double.IsNaN(cosines.SubsetVariance(1)) && double.IsNaN(cosines.SubsetVariance(10)));
        }
    }

    [Fact]
    public void ManyPermutationsConvergeToTheExactRandomSubsetMoments()
    {
        // The permutation null of a label of size m is the random m-subset distribution: mean 0 and sd σ_m = corrected / z.
        var input = GeometryFixture.Input(GeometryFixture.Case("gauss_n120_d16"));
        var result = Metric(permutations: 4000, seed: 11).Evaluate(input);
        foreach (var row in result.Records)
        {
            double sigma = row.CorrectedCosine / row.CorrectedZ;
            Assert.True(Math.Abs(row.CorrectedNullMean) < 4 * sigma / Math.Sqrt(4000), $"{row.Label}: null mean {row.CorrectedNullMean} (σ {sigma})");
            Assert.InRange(row.CorrectedNullSd / sigma, 0.95, 1.05); // the sd of 4000 draws is within ±1.1% (1 s.e.) of σ
            Assert.Equal(1.0 / 4001, row.CorrectedPValue); // these labels are far denser than chance (z ≥ 8)
            Assert.Equal(row.CorrectedCosine - row.CorrectedNullMean, row.CorrectedExcess, 15);
        }
    }

    [Fact]
    public void TheSeedDrawsThePermutationsFromItsOwnStream()
    {
        var input = GeometryFixture.Input(GeometryFixture.Case("tiny_n5_d3"));
        var drawn = LabelPermutations.Draw(5, 200, new RandomSource(9).CreateRandom("kp-geometry.permutations")).Select(p => p.ToArray()).ToArray();
        var seeded = Metric(seed: 9).Evaluate(input).Records;
        var given = Metric(seed: 9).Evaluate(input, drawn).Records;
        Assert.Equal(given.Select(r => r.CorrectedNullMean), seeded.Select(r => r.CorrectedNullMean));
        Assert.Equal(given.Select(r => r.CorrectedPValue), seeded.Select(r => r.CorrectedPValue));
        Assert.Equal(seeded, Metric(seed: 9).Evaluate(input).Records); // reproducible
        Assert.NotEqual(seeded.Select(r => r.CorrectedNullMean), Metric(seed: 10).Evaluate(input).Records.Select(r => r.CorrectedNullMean));
        // No seed: the run's stream, so two runs with the same run seed agree.
        var context = new PluginContext(new RandomSource(4));
        var unseeded = new KpGeometryMetric(new KpGeometryOptions { Bootstrap = 0 }, context);
        Assert.Equal(unseeded.Evaluate(input).Records, new KpGeometryMetric(new KpGeometryOptions { Bootstrap = 0 }, context).Evaluate(input).Records);
        // The permutations do not move the bootstrap interval (separate streams).
        var withBootstrap = new KpGeometryOptions { Bootstrap = 100, Seed = 9, Permutations = 0 };
        Assert.Equal(new KpGeometryMetric(withBootstrap, PluginContext.Default).Evaluate(input).Records.Select(r => r.WithinCosineLow),
            new KpGeometryMetric(withBootstrap with { Permutations = 300 }, PluginContext.Default).Evaluate(input).Records.Select(r => r.WithinCosineLow));
    }

    [Fact]
    public void ZeroPermutationsLeaveTheNullNaNAndKeepTheRest()
    {
        var a = Metric(permutations: 0).Evaluate(SixRows).Records.Single(r => r.Label == "a");
        Assert.True(double.IsNaN(a.CorrectedNullMean) && double.IsNaN(a.CorrectedNullSd) && double.IsNaN(a.CorrectedPValue) && double.IsNaN(a.CorrectedExcess));
        Assert.Equal(3.0, a.CorrectedZ, 12);
        Assert.Contains(new KpGeometryOptions { Permutations = -1 }.Validate(), e => e.Option == "permutations");
    }

    [Fact]
    public void CancellingDuringThePermutationsStopsIt()
    {
        using var source = new CancellationTokenSource();
        var input = new EvaluationInput { Embeddings = SixRows.Embeddings, Truth = SixRows.Truth, CancellationToken = source.Token };
        IEnumerable<int[]> CancelAfterTheFirst()
        {
            yield return [0, 1, 2, 3, 4, 5];
            source.Cancel();
            yield return [0, 1, 2, 3, 4, 5];
            yield return [0, 1, 2, 3, 4, 5];
        }
        Assert.ThrowsAny<OperationCanceledException>(() => Metric().Evaluate(input, CancelAfterTheFirst()));
    }

    [Fact]
    public void FisherYatesDrawsEveryPermutationEquallyOften()
    {
        var counts = new Dictionary<string, int>();
        foreach (var p in LabelPermutations.Draw(3, 60_000, new Random(1)))
        {
            var key = string.Join(",", p);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Assert.Equal(6, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 9_500, 10_500)); // 10,000 ± 5 s.d.
    }

    [Fact]
    public void PermutationSummaryCountsTiesAsReachingTheObservedValue()
    {
        var summary = PermutationNull.Of(0.5, [0.5 - 1e-13, 0.2, 0.7, 0.1]);
        Assert.Equal(3.0 / 5, summary.PValue); // 0.5 − 1e-13 (a rounding tie) and 0.7 reach 0.5
        Assert.Equal(0.375, summary.NullMean, 12);
        Assert.Equal(0.125, summary.Excess, 12);
        Assert.Equal(Math.Sqrt((0.125 * 0.125 + 0.175 * 0.175 + 0.325 * 0.325 + 0.275 * 0.275) / 3), summary.NullSd, 12);
        Assert.True(double.IsNaN(PermutationNull.Of(0.5, [0.1]).NullSd));
        Assert.Equal(PermutationNull.None, PermutationNull.Of(double.NaN, [0.1, 0.2]));
    }
}
