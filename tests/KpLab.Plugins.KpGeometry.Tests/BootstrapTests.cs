using KpLab.Abstractions;
using KpLab.Kernels;

namespace KpLab.Plugins.KpGeometry.Tests;

public sealed class BootstrapTests
{
    [Fact]
    public void ReplicateStatisticMatchesNaiveNumpyOnGivenResamples()
    {
        var cases = GeometryFixture.Root.GetProperty("bootstrap").EnumerateArray().ToArray();
        Assert.NotEmpty(cases);
        var input = GeometryFixture.Input(GeometryFixture.Case("anna_n370_d48"));
        var rows = new UnitRows(input.Embeddings!);
        foreach (var c in cases)
        {
            var members = Enumerable.Range(0, rows.Count).Where(i => input.Truth![i] == c.GetProperty("label").GetString()).ToArray();
            var counts = new int[members.Length];
            foreach (var row in c.GetProperty("rows").EnumerateArray()) counts[Array.IndexOf(members, row.GetInt32())]++;
            double expected = c.GetProperty("expected").GetDouble();
            Assert.Equal(expected, WithinCosineBootstrap.Replicate(rows, members, counts, BootstrapMethod.Direct), 1e-12);
            Assert.Equal(expected, WithinCosineBootstrap.Replicate(rows, members, counts, BootstrapMethod.Gram), 1e-12);
        }
    }

    [Fact]
    public void AReplicateWithUnitWeightsIsTheWithinCosineAndOneMemberRepeatedHasNone()
    {
        var input = GeometryFixture.Input(GeometryFixture.Case("gauss_n120_d16"));
        var rows = new UnitRows(input.Embeddings!);
        var members = Enumerable.Range(0, rows.Count).Where(i => input.Truth![i] == "1").ToArray();
        double within = rows.MeanPairwiseCosine(members, new double[rows.Columns]);
        var ones = Enumerable.Repeat(1, members.Length).ToArray();
        Assert.Equal(within, WithinCosineBootstrap.Replicate(rows, members, ones, BootstrapMethod.Direct), 1e-14);
        var repeated = new int[members.Length];
        repeated[3] = members.Length;
        Assert.True(double.IsNaN(WithinCosineBootstrap.Replicate(rows, members, repeated, BootstrapMethod.Gram)));
    }

    [Fact]
    public void QuantilesMatchNumpyPercentile()
    {
        foreach (var set in new[] { "percentiles", "percentilesOdd" })
        {
            var p = GeometryFixture.Root.GetProperty(set);
            var values = GeometryFixture.Numbers(p.GetProperty("values"));
            foreach (var q in p.GetProperty("expected").EnumerateObject())
                Assert.Equal(q.Value.GetDouble(), WithinCosineBootstrap.Quantile(values, double.Parse(q.Name, System.Globalization.CultureInfo.InvariantCulture)), 1e-12);
        }
    }

    [Theory]
    [InlineData("gauss_n120_d16")]
    [InlineData("anna_n370_d48")] // with a single-row label, which draws nothing
    [InlineData("synthetic_n60_d64")] // labels of 20 < d/2: the Gram path
    [InlineData("tiny_n5_d3")] // labels of two rows: half the resamples repeat one member and are left out
    public void IntervalsAreTheDocumentedResamplingRecomputedNaively(string name)
    {
        // Labels in label order, one stream; each replicate draws n members with Random.Next(n) and averages the
        // cosine over position pairs p < q holding different members. Recomputed here with plain float64 loops, O(n²).
        var input = name == "synthetic_n60_d64" ? Synthetic() : GeometryFixture.Input(GeometryFixture.Case(name));
        const int seed = 17, resamples = 40;
        var result = new KpGeometryMetric(new KpGeometryOptions { K = 5, Bootstrap = resamples, Seed = seed, Confidence = 0.9 }, PluginContext.Default)
            .Evaluate(input);
        var x = input.Embeddings!;
        var truth = input.Truth!;
        var random = new Random(seed);
        for (int label = 0; label < truth.Names.Count; label++)
        {
            var members = Enumerable.Range(0, truth.Count).Where(i => truth.Codes[i] == label).ToArray();
            var row = result.Rows.Single(r => r.Key == truth.Names[label]);
            if (members.Length < 2)
            {
                Assert.True(double.IsNaN(row["withinCosineLow"]) && double.IsNaN(row["withinCosineHigh"])); // and no draws
                continue;
            }
            var replicates = new double[resamples];
            for (int b = 0; b < resamples; b++)
            {
                var draw = new int[members.Length];
                for (int t = 0; t < draw.Length; t++) draw[t] = members[random.Next(members.Length)];
                double sum = 0;
                int pairs = 0;
                for (int p = 0; p < draw.Length; p++)
                    for (int q = p + 1; q < draw.Length; q++)
                        if (draw[p] != draw[q]) (sum, pairs) = (sum + NaiveCosine(x.Row(draw[p]), x.Row(draw[q])), pairs + 1);
                replicates[b] = pairs == 0 ? double.NaN : sum / pairs;
            }
            replicates = replicates.Where(double.IsFinite).Order().ToArray();
            Assert.Equal(WithinCosineBootstrap.Quantile(replicates, 0.05), row["withinCosineLow"], 1e-12);
            Assert.Equal(WithinCosineBootstrap.Quantile(replicates, 0.95), row["withinCosineHigh"], 1e-12);
            Assert.True(row["withinCosineLow"] <= row["withinCosine"] && row["withinCosine"] <= row["withinCosineHigh"], $"{truth.Names[label]}");
        }
    }

    [Fact]
    public void GramAndDirectEvaluationAgree()
    {
        // Both paths on the same draws, for labels that Auto would send down the direct path.
        var input = GeometryFixture.Input(GeometryFixture.Case("anna_n370_d48"));
        var rows = new UnitRows(input.Embeddings!);
        foreach (var label in new[] { "correct", "other" })
        {
            var members = Enumerable.Range(0, rows.Count).Where(i => input.Truth![i] == label).ToArray();
            var gram = WithinCosineBootstrap.Replicates(rows, members, 100, new Random(1), BootstrapMethod.Gram);
            var direct = WithinCosineBootstrap.Replicates(rows, members, 100, new Random(1), BootstrapMethod.Direct);
            for (int b = 0; b < gram.Length; b++) Assert.Equal(direct[b], gram[b], 1e-12);
        }
    }

    [Fact]
    public void IntervalsAreSeededAndIndependentOfThreadCount()
    {
        var input = GeometryFixture.Input(GeometryFixture.Case("anna_n370_d48"));
        double[] Lows(KpGeometryOptions options, PluginContext context, int threads)
        {
            using var _ = KernelParallelism.Override(threads);
            return new KpGeometryMetric(options, context).Evaluate(input).Rows.Select(r => r["withinCosineLow"]).ToArray();
        }
        var seeded = new KpGeometryOptions { Bootstrap = 200, Seed = 3 };
        Assert.Equal(Lows(seeded, PluginContext.Default, 1), Lows(seeded, new PluginContext(new RandomSource(99)), 2));
        Assert.NotEqual(Lows(seeded, PluginContext.Default, 2), Lows(seeded with { Seed = 4 }, PluginContext.Default, 2));
        var fromContext = new KpGeometryOptions { Bootstrap = 200 };
        Assert.Equal(Lows(fromContext, new PluginContext(new RandomSource(7)), 1), Lows(fromContext, new PluginContext(new RandomSource(7)), 2));
        Assert.NotEqual(Lows(fromContext, new PluginContext(new RandomSource(7)), 2), Lows(fromContext, new PluginContext(new RandomSource(8)), 2));
    }

    [Fact]
    public void ZeroResamplesSkipTheInterval()
    {
        var input = GeometryFixture.Input(GeometryFixture.Case("tiny_n5_d3"));
        var row = new KpGeometryMetric(new KpGeometryOptions { Bootstrap = 0 }, PluginContext.Default).Evaluate(input).Rows[0];
        Assert.True(double.IsNaN(row["withinCosineLow"]) && double.IsNaN(row["withinCosineHigh"]));
        Assert.False(double.IsNaN(row["withinCosine"]));
    }

    private static EvaluationInput Synthetic()
    {
        var random = new Random(8);
        var x = EmbeddingMatrix.Create(60, 64, v => { for (int i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() - 0.2); });
        return new EvaluationInput { Embeddings = x, Truth = Enumerable.Range(0, 60).Select(i => i % 3).ToArray() };
    }

    private static double NaiveCosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int j = 0; j < a.Length; j++)
        {
            dot += (double)a[j] * b[j];
            na += (double)a[j] * a[j];
            nb += (double)b[j] * b[j];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
